"""User-supplied regular expressions, matched in linear time: RE2 with Python's meanings.

``expect-stdout`` / ``expect: stdout:`` and a variable's ``pattern:`` come from runbook
authors. Python's ``re`` backtracks: ``^(a+)+$`` against 36 a's and a ``!`` runs for
minutes and ignores Ctrl-C. RE2 (``google-re2``) matches in time linear in the text.

RE2 reads a few things differently from Python, so a pattern is rewritten to mean what
it means in Python: ``$`` also matches before a final newline when searching (``^\\d+$``
accepts ``42\\n``), ``\\Z`` is the end, ``{,n}`` is ``{0,n}``, and ``\\d``, ``\\w``, ``\\s`` (and
their negations) are Unicode classes as in Python. What RE2 cannot do (backreferences,
lookaround, atomic groups, verbose mode) is rejected with the reason, and so is a ``$``
followed by more pattern. ``\\b`` and ``\\B`` count only ASCII letters, digits and ``_`` as
word characters (RE2's rule).
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["PatternError", "fullmatch", "pattern_problem", "search"]

_CLASSES = {
    "d": (r"\p{Nd}", r"\p{Nd}"),
    "D": (r"\P{Nd}", r"\P{Nd}"),
    "w": (r"[\p{L}\p{N}_]", r"\p{L}\p{N}_"),
    "W": (r"[^\p{L}\p{N}_]", None),
    "s": (r"[\s\v\x1c-\x1f\x85\p{Z}]", r"\s\v\x1c-\x1f\x85\p{Z}"),
    "S": (r"[^\s\v\x1c-\x1f\x85\p{Z}]", None),
}
"""Python's Unicode ``\\d \\w \\s`` for RE2: (outside a class, inside one; None: cannot)."""
_MULTILINE = re.compile(r"\(\?[a-zA-Z]*m")
_OPEN_MIN = re.compile(r"\{,(\d+)\}")


class PatternError(ValueError):
    """A pattern RE2 cannot match with Python's meaning; the message says why, to follow
    the quoted pattern (``'(a)\\1' is not supported by ...``)."""


def search(pattern: str, text: str) -> bool:
    """``re.search(pattern, text)``, in linear time."""
    return _compiled(pattern, "search").search(text) is not None


def fullmatch(pattern: str, text: str) -> bool:
    """``re.fullmatch(pattern, text)``, in linear time."""
    return _compiled(pattern, "fullmatch").fullmatch(text) is not None


def pattern_problem(pattern: str) -> str:
    """Why ``pattern`` cannot be used ('' when it can): for lint and block headers."""
    try:
        _compiled(pattern, "search")
        _compiled(pattern, "fullmatch")
    except PatternError as exc:
        return str(exc)
    return ""


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, mode: str) -> Any:
    import re2

    translated = translate(pattern, mode)
    options = re2.Options()
    options.log_errors = False  # RE2 would print every rejected pattern on stderr
    try:
        return re2.compile(translated, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"is not supported by the linear-time matcher (RE2): {reason}") from None
    except (TypeError, ValueError, OverflowError) as exc:
        raise PatternError(f"is not supported: {exc}") from None


def translate(pattern: str, mode: str) -> str:
    """``pattern`` in RE2's syntax with Python's meaning; ``mode``: search or fullmatch."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PatternError(f"is not a valid regex: {exc}") from None
    multiline = bool(_MULTILINE.search(pattern))
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    body = 0  # where the open class's members start: a ']' there is a member
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            i += 2
            if nxt in _CLASSES:
                outside, inside = _CLASSES[nxt]
                if in_class and inside is None:
                    raise PatternError(f"has '\\{nxt}' inside [...] (not supported: use [^...])")
                out.append(inside if in_class else outside)  # type: ignore[arg-type]
            elif nxt == "Z" and not in_class:
                out.append(r"\z")
            else:
                out.append("\\" + nxt)
            continue
        if in_class:
            if char == "]" and i != body:
                in_class = False
            out.append(char)
        elif char == "[":
            in_class = True
            body = i + 2 if pattern.startswith("^", i + 1) else i + 1
            out.append(char)
        elif char == "$" and not multiline:
            rest = pattern[i + 1 : i + 2]
            if rest not in ("", "|", ")"):
                raise PatternError("has '$' followed by more pattern (not supported)")
            out.append(r"(?:\n?\z)" if mode == "search" else r"\z")
        elif char == "{" and _OPEN_MIN.match(pattern, i):
            out.append("{0")
        else:
            out.append(char)
        i += 1
    return "".join(out)
