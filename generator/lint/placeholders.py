"""The ``placeholder`` rule: ``xxxxx``, ``[Your contact]``, ``<commit-sha>``, ``TODO`` left in
the text or commands of a runbook, one warning per text field, at the first one.

The rule reads every text of the model, so the walk is the cost: fields per class are
computed once, values are told apart by their exact type (most are None, booleans,
numbers or empty), and one cheap search rules out text without any candidate.
"""

from __future__ import annotations

import dataclasses
import re

from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator.lint.shell import step_block
from generator.model import Diagram, Runbook, Step

__all__ = ["placeholder_problems"]

# Each expression starts with what it matches, not with a look-behind: the engine then
# jumps between candidate characters instead of trying every position (40x faster for
# _ANGLE on a long body). The look-behind checks the character before the first.
_X_RUN = re.compile(r"[xX](?<![A-Za-z0-9][xX])[xX]{2,}(?![A-Za-z0-9])")
_ANGLE = re.compile(r"<(?<![<\w]<)([A-Za-z][A-Za-z0-9_-]*(?:[ .][A-Za-z0-9_-]+)*)>(?!>)")
_HTML_TAGS = frozenset(
    "a b i p br hr em strong code pre kbd sup sub ul ol li div span details summary".split()  # noqa: SIM905
)
_BRACKET = re.compile(r"\[([^\[\]\n]{2,60})\](?![(\[:])")
_BRACKET_WORDS = re.compile(
    r"\b(?:your|name|phone|email|e-mail|contact|link|url|insert|todo|tbd|number|date|"
    r"placeholder|company|owner|address|here)\b",
    re.I,
)
_TODO = re.compile(r"\b(?:TODO|TBD|FIXME)\b")
_SKIP_TEXT_FIELDS = frozenset(
    {"id", "lang", "shell", "kind", "format", "channel", "audience", "pattern", "stdout", "path"}
)
_NOT_TEXT = frozenset({type(None), bool, int, float})
_NOT_TEXT_TYPES = frozenset(
    {"bool", "int", "int | None", "float", "float | None", "Risk", "tuple[int, ...]"}
)
"""Field annotations that hold no text (the converter gives every field its declared
type), so the walk does not even read those fields."""


def placeholder_problems(runbook: Runbook, memo: dict[int, list[Problem]]) -> list[Problem]:
    """One warning per text field holding placeholders, at the first one.

    ``memo`` (by object identity, for one lint run) makes parts a ``_defaults.yaml`` gives
    every runbook below it cost one scan, not one per runbook."""
    return _object_placeholders(runbook, memo, runbook.location)


def _object_placeholders(
    obj: object, memo: dict[int, list[Problem]], fallback: SourceLocation
) -> list[Problem]:
    key = id(obj)
    problems = memo.get(key)
    if problems is not None:
        return problems
    problems = []
    for name in _TEXT_FIELDS.get(type(obj)) or _text_fields(type(obj)):
        value = getattr(obj, name)
        cls = type(value)
        if cls is str:
            if value and _maybe_placeholder(value):
                _add_text(obj, name, value, fallback, problems)
        elif cls is tuple:
            if value:
                _value_placeholders(obj, name, value, memo, fallback, problems)
        elif cls not in _NOT_TEXT:
            _value_placeholders(obj, name, value, memo, fallback, problems)
    memo[key] = problems
    return problems


def _value_placeholders(
    owner: object,
    name: str,
    value: object,
    memo: dict[int, list[Problem]],
    fallback: SourceLocation,
    out: list[Problem],
) -> None:
    """Problems of one field value: a text, a model object, or a tuple of them (pairs too)."""
    if type(value) is tuple:
        for item in value:
            if type(item) is str:
                if item and _maybe_placeholder(item):
                    _add_text(owner, name, item, fallback, out)
            else:
                _value_placeholders(owner, name, item, memo, fallback, out)
    elif isinstance(value, str):
        if value and _maybe_placeholder(value):
            _add_text(owner, name, value, fallback, out)
    elif type(value) not in _NOT_TEXT and _text_fields(type(value)):
        out.extend(_object_placeholders(value, memo, fallback))


def _maybe_placeholder(text: str) -> bool:
    """A cheap first look (substring tests are far faster than a regex with alternatives):
    False only for text in which ``_placeholders`` cannot find anything."""
    return (
        "[" in text
        or "<" in text
        or "TODO" in text
        or "TBD" in text
        or "FIXME" in text
        or "xxx" in text.lower()
    )


def _add_text(
    owner: object, name: str, text: str, fallback: SourceLocation, out: list[Problem]
) -> None:
    problem = _text_placeholders(owner, name, text, fallback)
    if problem is not None:
        out.append(problem)


def _text_placeholders(
    owner: object, name: str, text: str, fallback: SourceLocation
) -> Problem | None:
    is_command = isinstance(owner, Step) and name == "run"
    found = _placeholders(text, command=is_command, diagram=isinstance(owner, Diagram))
    if not found:
        return None
    if isinstance(owner, Step) and is_command:
        line, col = _line_col(text, found[0].start())
        location = step_block(owner, text).at(line, col)
        advice = "use a declared variable instead"
    else:
        location = getattr(owner, "location", fallback)
        advice = "fill it in"
    shown = ", ".join(f"'{m}'" for m in dict.fromkeys(m.group(0) for m in found))
    plural = "s" if "', '" in shown else ""
    return Problem(
        location,
        Severity.WARNING,
        f"{_describe(owner)}: placeholder{plural} {shown} in {name} ({advice}, "
        "or accept it with 'lint: {allow: [placeholder]}')",
        "placeholder",
    )


def _placeholders(text: str, *, command: bool, diagram: bool) -> list[re.Match[str]]:
    # Each expression only where its literal part occurs: a text that passed
    # ``_maybe_placeholder`` has one of them, and scanning long bodies is the cost.
    found = list(_X_RUN.finditer(text)) if "xxx" in text.lower() else []
    if "TODO" in text or "TBD" in text or "FIXME" in text:
        found += list(_TODO.finditer(text))
    if not diagram and "<" in text:
        for m in _ANGLE.finditer(text):
            before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
            # In a command, '<IDLE>' in quotes is a literal (SQL, a pattern), not a blank.
            quoted = command and before in ("'", '"') and before == after
            if m.group(1).lower() not in _HTML_TAGS and not quoted:
                found.append(m)
    if not command and "[" in text:
        found += [m for m in _BRACKET.finditer(text) if _BRACKET_WORDS.search(m.group(1))]
    return sorted(found, key=lambda m: m.start())


def _text_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that hold text or other model objects."""
    names = _TEXT_FIELDS.get(cls)
    if names is None:
        names = ()
        if dataclasses.is_dataclass(cls) and cls is not SourceLocation:
            skip = set(_SKIP_TEXT_FIELDS)
            if cls is Runbook:
                skip |= {"org", "inherited", "lint"}
            names = tuple(
                f.name
                for f in dataclasses.fields(cls)
                if f.name not in skip
                and not f.name.endswith("location")
                and f.type not in _NOT_TEXT_TYPES
            )
        _TEXT_FIELDS[cls] = names
    return names


_TEXT_FIELDS: dict[type, tuple[str, ...]] = {}


def _describe(obj: object) -> str:
    kind = type(obj).__name__
    label = re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()
    for attr in ("id", "role", "name", "title", "level", "within", "when"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return f"{label} '{value}'"
    return label


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)
