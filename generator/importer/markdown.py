"""Markdown body -> its top-level headings and every fenced block, located by line.

markdown-it-py (CommonMark) decides what is a heading and what is a fence, so fences in
list items and blockquotes are found where a CommonMark renderer shows them, and text
that only looks like a fence (inside an HTML block, an indented code block) is not one.
Lines are 0-based within the body.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from checks.extract import untab

__all__ = ["Fence", "Heading", "Parsed", "parse_body"]

_TABBED_STEP = re.compile(r"^ {4,}`{3,}\w* \{#[^}]*\.(?:check|action|destructive|manual)\b", re.M)
_ANCHOR = re.compile(r"\s*\{\s*#([A-Za-z0-9][\w.:-]*)[^}]*\}\s*$")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    title: str
    """The inline text, without a trailing ``{#anchor}``."""
    anchor: str | None
    start: int
    end: int
    """Line after the heading (a setext heading takes two lines)."""


@dataclass(frozen=True, slots=True)
class Fence:
    info: str
    lang: str
    """The first word of the info string, lower-cased, without ``{...}`` attributes."""
    content: str
    """The block text exactly as CommonMark gives it."""
    start: int
    end: int
    indent: int
    """Spaces before the opening fence (list-item text is indented like it)."""
    nested: bool
    """Inside a list item or blockquote."""
    col: int
    """1-based column of the opening fence."""


@dataclass(frozen=True, slots=True)
class Parsed:
    lines: tuple[str, ...]
    headings: tuple[Heading, ...]
    fences: tuple[Fence, ...]


@functools.cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def parse_body(text: str) -> Parsed:
    """Headings (top level only) and fences (any depth) of ``text``."""
    lines = tuple(text.split("\n"))
    if _TABBED_STEP.search(text):
        # A page `runbook render` wrote puts scenario options in content tabs: open them
        # up as the site (and checks.extract) reads them, keeping each tab's title line.
        opened, titles = untab(list(lines))
        lines = tuple(lines[i] if i in titles else line for i, line in enumerate(opened))
        text = "\n".join(opened)
    try:
        tokens = _parser().parse(text)
    except RecursionError:
        return Parsed(lines, (), ())
    headings: list[Heading] = []
    fences: list[Fence] = []
    depth = 0
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("list_item_open", "blockquote_open"):
            depth += 1
        elif kind in ("list_item_close", "blockquote_close"):
            depth -= 1
        elif kind == "heading_open" and token.level == 0 and token.map:
            inline = tokens[index + 1].content if index + 1 < len(tokens) else ""
            title, anchor = _split_anchor(inline)
            headings.append(Heading(int(token.tag[1]), title, anchor, *token.map))
        elif kind == "fence" and token.map:
            start, end = token.map
            first = lines[start] if start < len(lines) else ""
            marker = first.find(token.markup)
            info = token.info
            lang = info.split("{", 1)[0].strip().split(" ", 1)[0].lower() if info else ""
            indent = (
                len(first) - len(first.lstrip(" ")) if not first.lstrip().startswith(">") else 0
            )
            fences.append(
                Fence(info, lang, token.content, start, end, indent, depth > 0, max(marker, 0) + 1)
            )
    return Parsed(lines, tuple(headings), tuple(fences))


def _split_anchor(title: str) -> tuple[str, str | None]:
    match = _ANCHOR.search(title)
    if match is None:
        return title.strip(), None
    return title[: match.start()].strip(), match.group(1)
