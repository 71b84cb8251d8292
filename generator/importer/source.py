"""Markdown bytes -> text, front matter and body lines, with what had to be repaired.

Decoding never fails: a BOM is dropped, invalid UTF-8 becomes U+FFFD, NUL becomes U+FFFD
(as CommonMark says), CRLF and CR become LF. Each repair is a note for the report.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["FrontMatter", "Source", "read_source"]

_YAML_START = re.compile(r"---[ \t]*\n")
_YAML_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_TOML_END = re.compile(r"^\+\+\+[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front matter block: its raw lines and, when it parsed, its mapping."""

    lines: tuple[str, ...]
    """The lines between the delimiters, as written."""
    data: dict[str, Any] | None
    """None when it is not a mapping in YAML (or TOML for ``+++``)."""
    error: str | None = None
    first_line: int = 2
    """1-based line of the first key in the file."""


@dataclass(frozen=True, slots=True)
class Source:
    text: str
    """The body after the front matter, LF line ends."""
    line_offset: int
    """Lines before the body (front matter and its delimiters)."""
    front: FrontMatter | None
    notes: tuple[str, ...]
    """Repairs made while decoding (BOM, invalid UTF-8, NUL, CRLF)."""


def read_source(data: bytes) -> Source:
    """Decode ``data`` and split off its front matter; never raises."""
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("a UTF-8 byte order mark was dropped")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        notes.append(f"invalid UTF-8 at byte {exc.start} was replaced with U+FFFD")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
        notes.append("NUL characters were replaced with U+FFFD")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        notes.append("CRLF line ends were read as LF")
    if text.startswith("\ufeff"):
        text = text[1:]
    front, offset, body = _split_front_matter(text)
    return Source(body, offset, front, tuple(notes))


def _split_front_matter(text: str) -> tuple[FrontMatter | None, int, str]:
    if _YAML_START.match(text):
        end = _YAML_END.search(text, 4)
        if end is None:
            return None, 0, text
        raw = text[4 : end.start()]
        after = end.end() + 1 if end.end() < len(text) else end.end()
        front = _parse_yaml(raw)
        return front, text.count("\n", 0, after), text[after:]
    if text.startswith("+++\n"):
        end = _TOML_END.search(text, 4)
        if end is None:
            return None, 0, text
        raw = text[4 : end.start()]
        after = end.end() + 1 if end.end() < len(text) else end.end()
        try:
            data: dict[str, Any] | None = tomllib.loads(raw)
            error = None
        except tomllib.TOMLDecodeError as exc:
            data, error = None, str(exc)
        lines = tuple(raw.split("\n")[:-1]) if raw.endswith("\n") else tuple(raw.split("\n"))
        return FrontMatter(lines, data, error), text.count("\n", 0, after), text[after:]
    return None, 0, text


def _parse_yaml(raw: str) -> FrontMatter:
    lines = tuple(raw.split("\n")[:-1]) if raw.endswith("\n") else tuple(raw.split("\n"))
    if not raw.strip():
        return FrontMatter(lines, {})
    try:
        data = yaml.load(raw, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not YAML"
        return FrontMatter(lines, None, f"{problem}{where}")
    except (RecursionError, ValueError, OverflowError) as exc:
        return FrontMatter(lines, None, str(exc))
    if not isinstance(data, dict):
        return FrontMatter(lines, None, "not a mapping")
    return FrontMatter(lines, {str(k): v for k, v in data.items()})
