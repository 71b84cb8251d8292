"""A bash block's text -> what it reads and sets, and whether bash would parse it.

``lexer`` is a one-pass bash lexer (quotes, substitutions, here-documents, contexts by
recursion, no exceptions); ``reads`` uses it to find the variables a block reads and sets
(``scan_shell``: undeclared-variable lint, the plan's needed names); ``syntax`` runs
``bash -n`` over many blocks in few processes, cached by content (``check_bash_syntax``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks._lazy import lazy_exports

if TYPE_CHECKING:
    from checks.shell.reads import ShellScan, scan_shell
    from checks.shell.syntax import SyntaxCache, check_bash_syntax

__all__ = [
    "ShellScan",
    "SyntaxCache",
    "check_bash_syntax",
    "scan_shell",
]

_MODULE_OF = {
    "ShellScan": "reads",
    "scan_shell": "reads",
    "SyntaxCache": "syntax",
    "check_bash_syntax": "syntax",
}

__getattr__ = lazy_exports(__name__, _MODULE_OF)
