"""The fenced-block header grammar: format (the generator writes with it) and parse.

A header is the fence's info string, a language then an attribute list::

    bash {#db--count .check timeout=10 expect-exit=0,1 expect-stdout="^\\d+$" requires=psql}

Tokens inside the braces are ``#id``, ``.class`` and ``key=value``; a value is a
bare word or a double-quoted string in which ``\\"`` and ``\\\\`` are escapes.
Python-Markdown's superfences accepts every header this module formats (tested).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace

from checks.model import BlockOptions, Risk, SourceLocation
from checks.patterns import pattern_problem
from checks.problems import did_you_mean

RISK_CLASSES = {r.value: r for r in Risk}
OUTPUT_CLASSES = ("expected-output", "sample-output")
VARIABLES_CLASS = "runbook-variables"
KNOWN_CLASSES = frozenset((*RISK_CLASSES, *OUTPUT_CLASSES, VARIABLES_CLASS))

_BARE_VALUE = re.compile(r"[A-Za-z0-9_.,:/@+\-]+\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)(ms|s|m|h|d)?)+\Z")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)?")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "": 1.0}

# Header keys, in the order `format_header` writes them, mapped to BlockOptions fields.
KEYS: dict[str, str] = {
    "timeout": "timeout",
    "expect-exit": "expect_exit",
    "expect-stdout": "expect_stdout",
    "expect-contains": "expect_contains",
    "requires": "requires",
    "env": "env",
    "cwd": "cwd",
    "shell": "shell",
    "interpreter": "interpreter",
    "strict": "strict",
    "interactive": "interactive",
    "follow": "follow",
    "ci": "ci",
    "ci-reason": "ci_reason",
    "tags": "tags",
    "outputs": "outputs",
}
_LIST_KEYS = frozenset({"requires", "env", "tags", "outputs"})
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
"""An environment variable name a block can read (``outputs`` names, output lines)."""
_BOOL_KEYS = frozenset({"strict", "interactive", "follow", "ci"})
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_DEFAULTS = BlockOptions()


class HeaderError(ValueError):
    """A header that does not parse.

    The grammar sees only the info string, so the error knows where in it the trouble
    starts (``offset``, an index into the string); ``located`` places it in a file.
    """

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset

    def located(self, info_start: SourceLocation) -> SourceLocation:
        """Where the error is in a file whose info string starts at ``info_start``."""
        return replace(info_start, col=info_start.col + self.offset)


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """A parsed fence header."""

    lang: str
    """The fence language; empty when the info string has none."""
    id: str | None = None
    """``#id``: the block id (``<runbook>--<step>``)."""
    classes: tuple[str, ...] = ()
    """Every ``.class`` in order, known or not."""
    options: BlockOptions = field(default_factory=BlockOptions)
    """Typed run options (only meaningful on executable blocks)."""
    for_id: str | None = None
    """``for=ID`` on expected/sample output blocks."""
    extra: tuple[tuple[str, str], ...] = ()
    """Keys kept verbatim on documentation blocks (``data-*`` and the like)."""

    @property
    def risk(self) -> Risk | None:
        """The block's risk class, or None for a non-executable block."""
        for cls in self.classes:
            if cls in RISK_CLASSES:
                return RISK_CLASSES[cls]
        return None

    @property
    def role(self) -> str:
        """``step``, ``expected-output``, ``sample-output``, ``variables`` or ``doc``."""
        if self.risk is not None:
            return "step"
        for cls in self.classes:
            if cls in OUTPUT_CLASSES:
                return cls
            if cls == VARIABLES_CLASS:
                return "variables"
        return "doc"


MIN_DURATION = 0.001
"""Seconds: the shortest duration (1ms); shorter ones have no header spelling and no use."""
MAX_DURATION = 36500 * 86400.0
"""Seconds: the longest duration (36500d), so every date and deadline stays computable."""


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``10s``, ``1.5m``, ``2h30m``, ``90d``, ``250ms``; ValueError otherwise
    (also for zero and for durations outside :func:`duration_range_error`'s range)."""
    seconds = duration_seconds(text)
    error = duration_range_error(seconds) if seconds else None
    if error:
        raise ValueError(f"'{text.strip()}' {error}")
    return seconds


def duration_seconds(text: str) -> float:
    """Seconds in a duration's spelling, whatever their number; ValueError otherwise."""
    text = text.strip()
    if not text or not _DURATION.match(text):
        raise ValueError(f"'{text}' is not a duration (expected e.g. 30s, 5m, 2h, 90d)")
    return sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(text))


def duration_range_error(seconds: float) -> str | None:
    """Why a positive number of seconds is not a duration lint and exec both accept
    (None when it is): what the loader takes, the page's header must spell and parse."""
    if not math.isfinite(seconds) or seconds > MAX_DURATION:
        return "is longer than the longest duration, 36500d"
    if seconds < MIN_DURATION:
        return "is shorter than the shortest duration, 1ms"
    return None


def format_duration(seconds: float) -> str:
    """The shortest header spelling of a number of seconds (``10``, ``0.5``)."""
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def quote(value: str) -> str:
    """A bare word when safe, else a double-quoted string with ``\\`` escapes."""
    if _BARE_VALUE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_header(header: BlockHeader) -> str:
    """The info string for ``header``: only options that differ from the defaults are written."""
    tokens: list[str] = []
    if header.id:
        tokens.append("#" + header.id)
    tokens.extend("." + c for c in header.classes)
    if header.for_id:
        tokens.append("for=" + quote(header.for_id))
    if header.risk is not None:
        tokens.extend(_format_options(header.options))
    tokens.extend(f"{k}={quote(v)}" for k, v in header.extra)
    if not tokens:
        return header.lang
    return f"{header.lang} {{{' '.join(tokens)}}}".strip()


def _format_options(options: BlockOptions) -> list[str]:
    out: list[str] = []
    for key, attr in KEYS.items():
        value = getattr(options, attr)
        if value == getattr(_DEFAULTS, attr):
            continue
        if key == "timeout":
            text = format_duration(value)
        elif key == "expect-exit":
            text = ",".join(str(v) for v in value)
        elif key in _LIST_KEYS:
            bad = [v for v in value if not v or "," in v]
            if bad:
                raise ValueError(f"{key}: item {bad[0]!r} cannot be empty or contain a comma")
            text = ",".join(value)
        elif key in _BOOL_KEYS:
            text = "true" if value else "false"
        else:
            text = value
        out.append(f"{key}={quote(text)}")
    return out


def is_tagged(info: str) -> bool:
    """True when an info string carries one of our classes (cheap pre-check for extract)."""
    if "{" not in info:
        return False
    return any(f".{c}" in info for c in KNOWN_CLASSES)


def parse_header(info: str) -> BlockHeader:
    """Parse a fence info string; raise HeaderError (with offset) when it is malformed.

    Keys are validated only on blocks that carry one of our classes; other blocks are
    documentation and keep whatever attributes they have in ``extra``.
    """
    info = info.rstrip()
    brace = info.find("{")
    if brace < 0:
        return BlockHeader(lang=info.strip())
    lang = info[:brace].strip()
    if not info.endswith("}"):
        raise HeaderError("attribute list is not closed with '}'", len(info))
    tokens = _tokenize(info, brace + 1, len(info) - 1)
    ident: str | None = None
    classes: list[str] = []
    pairs: list[tuple[str, str, int]] = []
    for kind, text, offset in tokens:
        if kind == "#":
            if ident is not None:
                raise HeaderError(f"second id '#{text}' (a block has one id)", offset)
            if not _ID.fullmatch(text):
                raise HeaderError(f"invalid id '#{text}'", offset)
            ident = text
        elif kind == ".":
            classes.append(text)
        else:
            pairs.append((kind, text, offset))
    header = BlockHeader(lang=lang, id=ident, classes=tuple(classes))
    role = header.role
    if role == "doc":
        return replace(header, extra=tuple((k, v) for k, v, _ in pairs))
    risks = [c for c in classes if c in RISK_CLASSES]
    if len(risks) > 1:
        raise HeaderError(f"more than one risk class: {', '.join('.' + r for r in risks)}", brace)
    if role == "step":
        if ident is None:
            raise HeaderError("an executable block needs an id ('#runbook--step')", brace)
        return replace(header, options=_parse_options(pairs))
    for_id: str | None = None
    for key, value, offset in pairs:
        if key == "for" and role in OUTPUT_CLASSES:
            for_id = value
        else:
            raise HeaderError(f"unknown key '{key}' on a .{role} block", offset)
    if role in OUTPUT_CLASSES and not for_id:
        raise HeaderError(f"a .{role} block needs 'for=<block id>'", brace)
    return replace(header, for_id=for_id)


def _parse_options(pairs: list[tuple[str, str, int]]) -> BlockOptions:
    values: dict[str, object] = {}
    seen: set[str] = set()
    for key, raw, offset in pairs:
        if key not in KEYS:
            hint = did_you_mean(key, KEYS) or f" (expected one of: {', '.join(KEYS)})"
            raise HeaderError(f"unknown key '{key}'{hint}", offset)
        if key in seen:
            raise HeaderError(f"key '{key}' given twice", offset)
        seen.add(key)
        values[KEYS[key]] = _parse_value(key, raw, offset)
    return BlockOptions(**values)  # type: ignore[arg-type]


def _parse_value(key: str, raw: str, offset: int) -> object:
    if key == "timeout":
        try:
            seconds = parse_duration(raw)
        except ValueError as exc:
            raise HeaderError(f"timeout: {exc}", offset) from None
        if seconds <= 0:
            raise HeaderError(f"timeout: '{raw}' must be more than zero", offset)
        return seconds
    if key == "expect-exit":
        try:
            codes = tuple(int(p) for p in raw.split(","))
        except ValueError:
            raise HeaderError(
                f"expect-exit: '{raw}' is not a comma list of exit codes (e.g. 0,1)", offset
            ) from None
        if any(not 0 <= c <= 255 for c in codes):
            raise HeaderError(f"expect-exit: '{raw}' has a code outside 0-255", offset)
        return codes
    if key == "expect-stdout":
        problem = pattern_problem(raw)
        if problem:
            raise HeaderError(f"expect-stdout: '{raw}' {problem}", offset)
        return raw
    if key in _LIST_KEYS:
        items = tuple(p for p in raw.split(","))
        if any(not p for p in items):
            raise HeaderError(f"{key}: '{raw}' has an empty item", offset)
        if key == "outputs":
            for name in items:
                if not VARIABLE_NAME.match(name):
                    raise HeaderError(f"outputs: '{name}' is not a variable name", offset)
        return items
    if key in _BOOL_KEYS:
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise HeaderError(f"{key}: '{raw}' is not true or false", offset)
    return raw


def _tokenize(info: str, start: int, end: int) -> list[tuple[str, str, int]]:
    """Split the attribute list into ('#', id), ('.', class) and (key, value) tokens."""
    tokens: list[tuple[str, str, int]] = []
    i = start
    while i < end:
        ch = info[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "#.":
            j = i + 1
            while j < end and not info[j].isspace():
                j += 1
            if j == i + 1:
                raise HeaderError(f"'{ch}' without a name", i)
            tokens.append((ch, info[i + 1 : j], i))
            i = j
            continue
        m = _NAME.match(info, i, end)
        if not m or m.end() >= end or info[m.end()] != "=":
            j = i
            while j < end and not info[j].isspace():
                j += 1
            raise HeaderError(f"expected '#id', '.class' or 'key=value', got '{info[i:j]}'", i)
        key = m.group()
        j = m.end() + 1
        if j < end and info[j] == '"':
            value, j = _read_quoted(info, j, end)
        else:
            k = j
            while k < end and not info[k].isspace():
                if info[k] in "\"'{}":
                    raise HeaderError(f"{key}: quote values that contain {info[k]!r}", k)
                k += 1
            value, j = info[j:k], k
        tokens.append((key, value, i))
        i = j
    return tokens


def _read_quoted(info: str, start: int, end: int) -> tuple[str, int]:
    out: list[str] = []
    i = start + 1
    while i < end:
        ch = info[i]
        if ch == "\\" and i + 1 < end and info[i + 1] in '\\"':
            out.append(info[i + 1])
            i += 2
            continue
        if ch == '"':
            if i + 1 < end and not info[i + 1].isspace():
                raise HeaderError("a quoted value must be followed by a space or '}'", i + 1)
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise HeaderError("unterminated quoted value", start)


def option_names() -> tuple[str, ...]:
    """Every header key, for docs and completion."""
    return tuple(KEYS)


assert {f.name for f in fields(BlockOptions)} == set(KEYS.values())
