"""The command table (``commands.toml``, data) loaded once into typed, frozen records.

``load_table(extra)`` merges an in-house table (``--risk-table FILE``, same shape) over the
built-in one: a tool in the extra file replaces the built-in tool of that name.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = ["KIND_RANK", "CommandTable", "Language", "TableError", "Tool", "Wrapper", "load_table"]

KIND_RANK = {"check": 0, "action": 1, "destructive": 2}
"""How risky each kind is: the riskiest segment of a block decides its kind."""


class TableError(ValueError):
    """A command table file that does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A command that runs the command after it (``sudo``, ``timeout 10``, ``watch``)."""

    options_with_arg: frozenset[str] = frozenset()
    positional: int = 0
    """Positional words of its own before the wrapped command (``timeout 10``)."""
    follow: bool = False


@dataclass(frozen=True, slots=True)
class Tool:
    """How to read one command's risk from its words."""

    name: str
    kind: str | None = None
    """The tool's kind when no verb matches; None: an unknown verb gets the default kind."""
    verb: str = ""
    """``first``, ``second``, ``any`` or empty (the tool has no verbs)."""
    verbs: tuple[tuple[tuple[str, ...], str], ...] = ()
    """(pattern words, kind), longest pattern first; ``*`` ends a word as a prefix match."""
    options_with_arg: frozenset[str] = frozenset()
    flags: Mapping[str, str] = field(default_factory=dict)
    flag_prefixes: Mapping[str, str] = field(default_factory=dict)
    interactive: frozenset[str] = frozenset()
    follow: frozenset[str] = frozenset()
    follow_verbs_only: frozenset[str] = frozenset()
    follow_unless: frozenset[str] = frozenset()
    reveals: tuple[tuple[tuple[str, ...], str | None], ...] = ()
    nested: str = ""
    language: str = ""
    text_options: frozenset[str] = frozenset()
    text_positional: int = 0
    methods: Mapping[str, str] = field(default_factory=dict)
    method_options: frozenset[str] = frozenset()
    method_positional: bool = False
    harmless_outputs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Language:
    """Statement keywords of a query language (SQL, Redis, Mongo shell) and their kinds."""

    keywords: Mapping[str, str]
    """Upper-cased keyword (one or two words) -> kind."""
    destructive_words: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CommandTable:
    tools: Mapping[str, Tool]
    wrappers: Mapping[str, Wrapper]
    languages: Mapping[str, Language]
    builtins: frozenset[str]
    base: frozenset[str]
    destructive_flags: frozenset[str]
    follow_timeout: str = "30s"


def load_table(extra_path: str | None = None) -> CommandTable:
    """The built-in table, with ``extra_path`` (TOML) merged over it; TableError if bad."""
    data = _builtin_data()
    if extra_path is None:
        return _builtin_table()
    try:
        with open(extra_path, "rb") as handle:
            extra = tomllib.load(handle)
    except OSError as exc:
        raise TableError(f"{extra_path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"{extra_path}: not TOML: {exc}") from None
    merged: dict[str, Any] = {key: dict(value) for key, value in data.items()}
    for key, value in extra.items():
        if not isinstance(value, dict):
            raise TableError(f"{extra_path}: '{key}' must be a table")
        merged.setdefault(key, {}).update(value)
    return _convert(merged, extra_path)


@functools.cache
def _builtin_data() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("commands.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def _builtin_table() -> CommandTable:
    return _convert(_builtin_data(), "commands.toml")


def _convert(data: Mapping[str, Any], where: str) -> CommandTable:
    settings = data.get("settings", {})
    raw_tools: Mapping[str, Any] = data.get("tools", {})
    tools: dict[str, Tool] = {}
    for name, raw in raw_tools.items():
        target = raw
        seen = {name}
        while isinstance(target, dict) and "same_as" in target:
            other = target["same_as"]
            if other in seen or other not in raw_tools:
                raise TableError(f"{where}: tools.{name}: same_as '{other}' is not a tool")
            seen.add(other)
            target = raw_tools[other]
        if not isinstance(target, dict):
            raise TableError(f"{where}: tools.{name} must be a table")
        tools[name] = _tool(name, target, where)
    wrappers = {
        name: Wrapper(
            options_with_arg=frozenset(_strings(raw, "options_with_arg", where)),
            positional=int(raw.get("positional", 0)),
            follow=bool(raw.get("follow", False)),
        )
        for name, raw in data.get("wrappers", {}).items()
    }
    languages = {}
    for name, raw in data.get("languages", {}).items():
        keywords: dict[str, str] = {}
        for kind in KIND_RANK:
            for word in _strings(raw, kind, where):
                keywords[word.upper()] = kind
        languages[name] = Language(
            keywords, frozenset(w.lower() for w in _strings(raw, "destructive_words", where))
        )
    return CommandTable(
        tools=tools,
        wrappers=wrappers,
        languages=languages,
        builtins=frozenset(_strings(settings, "builtins", where)),
        base=frozenset(_strings(settings, "base", where)),
        destructive_flags=frozenset(_strings(settings, "destructive_flags", where)),
        follow_timeout=str(settings.get("follow_timeout", "30s")),
    )


def _tool(name: str, raw: Mapping[str, Any], where: str) -> Tool:
    verbs: list[tuple[tuple[str, ...], str]] = []
    for kind in KIND_RANK:
        verbs.extend((tuple(v.split()) if v else ("",), kind) for v in _strings(raw, kind, where))
    # Longest pattern first, and exact words before prefix patterns ("*" last of all).
    verbs.sort(key=lambda item: (-len(item[0]), item[0][-1] == "*", item[0][-1].endswith("*")))
    tool_kind = raw.get("kind")
    if tool_kind is not None and tool_kind not in KIND_RANK:
        raise TableError(f"{where}: tools.{name}.kind '{tool_kind}' is not a kind")
    flags = _kinds(raw.get("flags", {}), f"{where}: tools.{name}.flags")
    reveals = []
    for entry in _strings(raw, "reveals", where):
        words = entry.split()
        needed = next((w[1:] for w in words if w.startswith("+")), None)
        reveals.append((tuple(w for w in words if not w.startswith("+")), needed))
    return Tool(
        name=name,
        kind=tool_kind,
        verb=str(raw.get("verb", "")),
        verbs=tuple(verbs),
        options_with_arg=frozenset(_strings(raw, "options_with_arg", where)),
        flags=flags,
        flag_prefixes=_kinds(raw.get("flag_prefixes", {}), f"{where}: tools.{name}"),
        interactive=frozenset(_strings(raw, "interactive", where)),
        follow=frozenset(_strings(raw, "follow", where)),
        follow_verbs_only=frozenset(_strings(raw, "follow_verbs_only", where)),
        follow_unless=frozenset(_strings(raw, "follow_unless", where)),
        reveals=tuple(reveals),
        nested=str(raw.get("nested", "")),
        language=str(raw.get("language", "")),
        text_options=frozenset(_strings(raw, "text_options", where)),
        text_positional=int(raw.get("text_positional", 0)),
        methods=_kinds(raw.get("methods", {}), f"{where}: tools.{name}.methods"),
        method_options=frozenset(_strings(raw, "method_options", where)),
        method_positional=bool(raw.get("method_positional", False)),
        harmless_outputs=frozenset(_strings(raw, "harmless_outputs", where)),
    )


def _strings(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TableError(f"{where}: '{key}' must be a list of strings")
    return value


def _kinds(raw: object, where: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise TableError(f"{where} must be a table of kinds")
    for key, value in raw.items():
        if value not in KIND_RANK:
            raise TableError(f"{where}.{key}: '{value}' is not check, action or destructive")
    return dict(raw)
