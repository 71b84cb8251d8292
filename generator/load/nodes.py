"""YAML nodes as the converter reads them: where they are, how messages show them, and the
problems found in them.

``locate`` is the one place a node's 0-based mark becomes a 1-based ``SourceLocation``, and
``locate_offset`` the one place an offset into a file's text does.
``NodeReader`` collects one file's problems; ``generator.load.convert`` (the walk over
mappings and lists), ``generator.load.scalars`` (one value) and
``generator.load.convert_checks`` (checks across an object's fields) report through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator.load._fast import constructor
from generator.load.yaml_tags import NULL, SCALAR_TAGS, STR

__all__ = ["INVALID", "NodeReader", "locate", "locate_offset", "show"]

INVALID: object = object()
"""Returned for a value that did not convert (its problem is already recorded)."""
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NEWLINE = re.compile("\n")
_CONSTRUCTOR = SafeConstructor()
_LOCATION: Callable[[str, int, int], SourceLocation] = constructor(SourceLocation)
"""``SourceLocation`` (made for every object and command: the fast constructor)."""


def locate(path: str, node: Node) -> SourceLocation:
    """The one place a 0-based YAML mark becomes a 1-based location."""
    mark = node.start_mark
    return _LOCATION(path, mark.line + 1, mark.column + 1)


def locate_offset(path: str, text: str, offset: int) -> SourceLocation:
    """The 1-based location of ``text[offset]`` (what a search over a file's text finds)."""
    line = text.count("\n", 0, offset) + 1
    return _LOCATION(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def show(node: Node, limit: int = 60) -> str:
    """A short YAML-ish rendering of a node for messages: ``'text'``, ``5``, ``[1, 2]``."""
    text = _show(node, 3)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(node: Node, depth: int) -> str:
    if isinstance(node, ScalarNode):
        value = str(node.value)
        if node.tag == STR:
            return "''" if not value else repr(value) if "'" in value else f"'{value}'"
        if node.tag not in SCALAR_TAGS and node.tag != NULL:
            return f"{node.tag} {value}"
        return "null" if node.tag == NULL and value in ("", "~") else value
    if depth <= 0:
        return "..."
    if isinstance(node, SequenceNode):
        return "[" + ", ".join(_show(n, depth - 1) for n in node.value[:6]) + "]"
    if isinstance(node, MappingNode):
        pairs = (f"{_show(k, 0)}: {_show(v, depth - 1)}" for k, v in node.value[:6])
        return "{" + ", ".join(pairs) + "}"
    return "?"


class NodeReader:
    """Reads one file's nodes; collects its problems in ``problems``."""

    def __init__(self, path: str, source: str = "") -> None:
        """``source``: the text the nodes were parsed from (their marks index into it)."""
        self.path = path
        self._source = source
        self._breaks: re.Pattern[str] | None = None
        self.problems: list[Problem] = []
        self._reported: set[tuple[int, int, str]] = set()

    def error(self, node: Node, ctx: str, message: str) -> None:
        """Record a located error; the same node and message is reported once (aliases)."""
        mark = node.start_mark
        key = (mark.line, mark.column, message)
        if key in self._reported:
            return
        self._reported.add(key)
        text = f"{ctx}: {message}" if ctx else message
        self.problems.append(Problem(locate(self.path, node), Severity.ERROR, text))

    def expected(self, node: Node, ctx: str, what: str, expected: str, hint: str = "") -> object:
        self.error(node, ctx, f"{what} must be {expected}, got {show(node)}{hint}")
        return INVALID

    def text_start(self, node: Node) -> SourceLocation:
        """Where a scalar's text begins: after the quote, or the first content line of a
        ``|`` / ``>`` block (whose node starts at the indicator)."""
        mark = node.start_mark
        style = getattr(node, "style", None)
        if style in ("'", '"'):
            return _LOCATION(self.path, mark.line + 1, mark.column + 2)
        if style not in ("|", ">"):
            return locate(self.path, node)
        text = self._source
        if self._breaks is None:
            # The line breaks YAML counts: most files have only "\n", which a plain
            # expression finds faster than the alternatives.
            exotic = "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text
            self._breaks = _LINE_BREAK if exotic else _NEWLINE
        # The first line after the indicator's that is not blank; the mark's index is
        # in ``text``, as its line is.
        line, found = mark.line + 1, self._breaks.search(text, mark.index)
        while found is not None:
            start = found.end()
            found = self._breaks.search(text, start)
            content = text[start : found.start() if found is not None else len(text)]
            if content.strip():
                indent = len(content) - len(content.lstrip())
                return _LOCATION(self.path, line + 1, indent + 1)
            line += 1
        return _LOCATION(self.path, mark.line + 2, 1)

    def construct(self, node: ScalarNode) -> Any:
        return _CONSTRUCTOR.construct_object(node, deep=True)
