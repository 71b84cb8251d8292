"""Loaded runbooks -> located problems; nothing is printed here.

``runbooks`` runs every rule over a tree or some paths (``lint_tree`` with ``LintOptions``
-> ``LintResult``), over Markdown runbooks too; ``rules`` holds the rules about severities,
reviews, comms templates and ids, ``shell`` the rules about what bash reads and whether
it parses (``bash -n`` in batches, cached), ``placeholders`` the rule about text left for
later (``xxxxx``, ``<commit-sha>``); ``batch`` lints files in worker processes and
``_cache`` keeps each runbook's problems keyed by the runbook as loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from generator.lint.runbooks import LintOptions, LintResult, lint_tree

__all__ = [
    "LintOptions",
    "LintResult",
    "lint_tree",
]

_MODULE_OF = {
    "LintOptions": "runbooks",
    "LintResult": "runbooks",
    "lint_tree": "runbooks",
}

__getattr__ = lazy_exports(__name__, _MODULE_OF)
