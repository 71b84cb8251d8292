"""Query text (SQL, Redis commands, Mongo shell) -> its kind: the riskiest statement.

Statement keywords come from the ``[languages.*]`` tables of ``commands.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping

from generator.importer.reading import Reading
from generator.importer.table import KIND_RANK, CommandTable

__all__ = ["read_language", "read_statements"]


def read_language(language: str, text: str, table: CommandTable, default_kind: str) -> Reading:
    """The kind of a query in ``language`` (sql, redis, mongo): its riskiest statement."""
    reading = Reading(rule=language)
    read_statements(language, text, table, default_kind, reading)
    return reading


def read_statements(
    language: str, text: str, table: CommandTable, default: str, reading: Reading
) -> None:
    lang = table.languages.get(language)
    if lang is None:
        reading.raise_to(default, f"no {language} keywords in the command table", "unknown")
        return
    lowered = text.lower()
    for word in lang.destructive_words:
        if word in lowered:
            reading.raise_to("destructive", f"'{word}' changes the server", language)
    for statement in _statements(text, language):
        words = statement.split()
        if not words:
            continue
        first = words[0].upper().rstrip(";")
        two = f"{first} {words[1].upper()}" if len(words) > 1 else first
        kind = lang.keywords.get(two) or lang.keywords.get(first)
        analyze = len(words) > 1 and words[1].upper().strip("(") in ("ANALYZE", "ANALYSE")
        if language == "sql" and first == "EXPLAIN" and analyze:
            kind = "action"
        if language == "mongo":
            kind = _mongo_kind(statement, lang.keywords)
        if kind is None:
            reading.unknown.append(first)
            reading.raise_to(
                default, f"{language} '{first}' is not in the command table", "unknown"
            )
        else:
            reading.raise_to(
                kind, f"{language} '{two if two in lang.keywords else first}'", language
            )


def _statements(text: str, language: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("--", "#", "//")):
            continue
        lines.append(stripped)
    if language == "sql":
        statements: list[str] = []
        pending: list[str] = []
        for line in lines:
            if line.startswith("\\"):
                statements.append(line)  # a psql meta-command ends at the line's end
                continue
            pending.append(line)
        statements.extend(p.strip() for p in " ".join(pending).split(";"))
        return [p for p in statements if p]
    return lines


def _mongo_kind(statement: str, keywords: Mapping[str, str]) -> str | None:
    best: str | None = None
    for keyword, kind in keywords.items():
        if keyword.lower() in statement.lower() and (
            best is None or KIND_RANK[kind] > KIND_RANK[best]
        ):
            best = kind
    return best
