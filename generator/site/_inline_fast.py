"""Python-Markdown's inline step with the patterns that cannot match skipped up front.

Python-Markdown tries every inline pattern (a dozen or more: escapes, code spans,
emphasis, links, autolinks, entities, ...) on every text of a page, one after another,
each looked up again in the pattern registry and tried through a method call that sets
up an iterator over the regular expression's matches even when there is none. A runbook
page has hundreds of short texts (headings, cells, list items, meta lines) and almost
none of them holds a match for most patterns, so that per-pattern set-up, not the
matching, is most of the inline step.

``install`` replaces the loop over the patterns (``InlineProcessor.__handleInline``) with
one that takes the patterns looked up once per run (they cannot change during one) and
first asks each pattern's own compiled expression whether it matches anywhere from the
current position, calling Python-Markdown's own ``__applyPattern`` only when it does.
That is the same outcome: ``__applyPattern`` returns ``(data, False, 0)`` when its
``finditer`` finds nothing, whatever the pattern's excluded ancestors. Legacy
(``Pattern``, not ``InlineProcessor``) patterns go through ``__applyPattern`` unchanged.

It is installed only in the site build's conversion workers (forked and thrown away), and
only on the Python-Markdown whose loop it was written against (``_KNOWN``); anywhere else
MkDocs converts exactly as it would without the plugin.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

__all__ = ["install"]

_KNOWN = frozenset(
    {
        # Python-Markdown 3.11: sha256 of the sources of the loop, ``__applyPattern``, ``run``
        "5f8367c203a8bcdc675317a3f90bb4b3467f4f787a0e629c65db4cde92287a48",
    }
)


def install() -> bool:
    """Use the skipping loop in this process, if Python-Markdown's is the known one."""
    from markdown import inlinepatterns, treeprocessors, util  # type: ignore[import-untyped]

    cls = treeprocessors.InlineProcessor
    loop, apply_one = cls._InlineProcessor__handleInline, cls._InlineProcessor__applyPattern
    if _fingerprint(loop, apply_one, cls.run) not in _KNOWN:
        return False
    atomic: type[str] = util.AtomicString
    new_style = inlinepatterns.InlineProcessor

    def handle_inline(self: Any, data: str, index: int = 0) -> str:
        if isinstance(data, atomic):
            return data
        table = self.__dict__.get(_TABLE) or _table(self.inlinePatterns, new_style)
        start = 0
        while index < len(table):
            pattern, search = table[index]
            if search is not None and search(data, start) is None:
                matched, start = False, 0
            else:
                step: tuple[str, bool, int] = apply_one(self, pattern, data, index, start)
                data, matched, start = step
            if not matched:
                index += 1
        return data

    original_run = cls.run

    def run(self: Any, tree: Any, ancestors: list[str] | None = None) -> Any:
        # The patterns cannot change during one run: look them up once.
        self.__dict__[_TABLE] = _table(self.inlinePatterns, new_style)
        try:
            return original_run(self, tree, ancestors)
        finally:
            del self.__dict__[_TABLE]

    cls._InlineProcessor__handleInline = handle_inline
    cls.run = run
    return True


_TABLE = "_runbook_inline_table"
"""Where a run keeps its patterns, each with its expression's ``search`` (None: legacy)."""


def _table(patterns: Any, new_style: Any) -> list[tuple[Any, Any]]:
    return [
        (p, p.getCompiledRegExp().search if isinstance(p, new_style) else None) for p in patterns
    ]


def _fingerprint(*functions: Any) -> str:
    """What the code this module stands on says (a new Python-Markdown may change it)."""
    digest = hashlib.sha256()
    for function in functions:
        try:
            digest.update(inspect.getsource(function).encode())
        except (OSError, TypeError):
            return ""
    return digest.hexdigest()
