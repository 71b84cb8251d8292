"""Text that YAML silently cut short: an unquoted value with `` #`` in it ends there, the
rest of the line being a comment (``say in #inc-orders that ...`` is ``say in``).

``cut_by_comment`` finds such values for lint (a warning at the ``#``, suggesting quotes);
``comment_hint`` explains a flow mapping or list that a `` #`` broke. A comment written as
such (``# ...``, a space after the ``#``) is not taken for cut text.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.problems import Problem, Severity
from generator.load.nodes import locate_offset

__all__ = ["RULE", "comment_hint", "cut_by_comment"]

RULE = "cut-by-comment"
# A blank, then '#' and a word: a channel, an issue number, a hashtag. The literal " #" is
# what the regex engine finds fast; the general form only where a tab precedes a '#'.
_CUT = re.compile(r" #[^\s#]")
_CUT_TAB = re.compile(r"[ \t]#[^\s#]")
_COMMENT = re.compile(r"(?<=\S)[ \t]+#")
_SHOWN = 40


def cut_by_comment(root: Node, text: str, path: str) -> tuple[Problem, ...]:
    """A warning for every unquoted value that a `` #word`` on its line cut short."""
    candidates = _candidates(text)
    if not candidates:
        return ()
    found: list[Problem] = []
    seen: set[int] = set()

    def walk(node: Node, key: str) -> None:
        if id(node) in seen:
            return  # an alias: reported where it is written
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for knode, vnode in node.value:
                walk(vnode, str(knode.value) if isinstance(knode, ScalarNode) else key)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                walk(item, key)
        elif isinstance(node, ScalarNode) and not node.style:  # plain: None, or "" (libyaml)
            at = candidates.get(node.end_mark.index)
            if at is not None:
                found.append(_problem(path, text, key, str(node.value), at))

    walk(root, "")
    return tuple(found)


def _candidates(text: str) -> dict[int, int]:
    """Where a value could end before a `` #word``: the index of the blanks before it
    (where a plain scalar's end mark is) -> the index of the '#'."""
    hits = _CUT_TAB.finditer(text) if "\t#" in text else _CUT.finditer(text)
    out: dict[int, int] = {}
    for hit in hits:
        start = hit.start()
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        if start > 0 and text[start - 1] not in "\r\n":  # else a line of its own: a comment
            out[start] = hit.start() + 1
    return out


def _problem(path: str, text: str, key: str, value: str, at: int) -> Problem:
    end = text.find("\n", at)
    comment = text[at : end if end >= 0 else len(text)].rstrip()
    shown = comment if len(comment) <= _SHOWN else comment[: _SHOWN - 3] + "..."
    whole = f"{value} {comment}"
    message = (
        f"'{key}' is cut short: YAML reads '{shown}' as a comment, so the value is only "
        f"'{value}'; quote it to keep the rest: {_quoted(whole)}"
    )
    return Problem(locate_offset(path, text, at), Severity.WARNING, message, RULE)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def comment_hint(text: str, first_line: int, last_line: int) -> str:
    """For a flow mapping or list left open (lines ``first_line`` to ``last_line``,
    0-based): where a `` #`` made the rest of a line a comment, or an empty string."""
    lines = text.splitlines()[first_line : last_line + 1]
    for number, line in enumerate(lines, first_line + 1):
        match = _COMMENT.search(line)
        if match is not None:
            return (
                f"; the ' #' at line {number}, column {match.end()} starts a comment "
                "that hides the rest of that line: quote the value that holds it"
            )
    return ""
