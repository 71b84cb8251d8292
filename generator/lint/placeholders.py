"""The ``placeholder`` rule: ``xxxxx``, ``[Your contact]``, ``<commit-sha>``, ``TODO`` left in
the text or commands of a runbook, one warning per text field, at the first one.

The rule reads every text of the model, so the walk is the cost: the fields that can
hold text are found once per class from its type hints, values are told apart by their
exact type (most are None or empty), and one cheap search rules out text without any
candidate.
"""

from __future__ import annotations

import dataclasses
import re
import typing

from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator import model
from generator.lint.shell import step_block
from generator.model import Diagram, Runbook, Step

__all__ = ["placeholder_problems"]

# Each expression starts with what it matches, not with a look-behind: the engine then
# jumps between candidate characters instead of trying every position (far faster for
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


def placeholder_problems(runbook: Runbook) -> list[Problem]:
    """One warning per text field holding placeholders, at the first one."""
    return _object_placeholders(runbook, runbook.location)


def _object_placeholders(obj: object, fallback: SourceLocation) -> list[Problem]:
    problems: list[Problem] = []
    for name in _TEXT_FIELDS.get(type(obj), ()):
        value = getattr(obj, name)
        cls = type(value)
        if cls is str:
            if value and _maybe_placeholder(value):
                _add_text(obj, name, value, fallback, problems)
        elif cls is tuple:
            if value:
                _value_placeholders(obj, name, value, fallback, problems)
        elif cls not in _NOT_TEXT:
            _value_placeholders(obj, name, value, fallback, problems)
    return problems


def _value_placeholders(
    owner: object,
    name: str,
    value: object,
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
                _value_placeholders(owner, name, item, fallback, out)
    elif isinstance(value, str):
        if value and _maybe_placeholder(value):
            _add_text(owner, name, value, fallback, out)
    elif type(value) in _TEXT_FIELDS:
        out.extend(_object_placeholders(value, fallback))


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
    """The fields of a model class whose declared type can hold text or model objects
    (the converter gives every field its declared type)."""
    skip = set(_SKIP_TEXT_FIELDS)
    if cls is Runbook:
        skip |= {"org", "inherited", "lint"}
    hints = typing.get_type_hints(cls)
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in skip and not f.name.endswith("location") and _holds_text(hints[f.name])
    )


def _holds_text(hint: object) -> bool:
    """Whether a value of type ``hint`` can be or contain a text: ``str``, a model class,
    or a union or tuple with one of them."""
    if hint is str:
        return True
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint is not SourceLocation
    return any(_holds_text(arg) for arg in typing.get_args(hint))


_TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    cls: _text_fields(cls)
    for cls in vars(model).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls is not SourceLocation
}
"""Per model class, the fields the walk reads."""


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
