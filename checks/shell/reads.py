"""What a shell block reads and sets, found without running it.

A small lexer for the bash that runbooks hold: it knows quoting (single quotes, ``$'..'``,
double quotes, backslashes), comments, ``$(..)``, backticks, ``${..}``, arithmetic and
here-documents, which is what it takes to tell ``"$DB_HOST"`` (a variable the block reads)
from ``awk '{print $4}'`` or ``psql <<'SQL'`` bodies (text bash never expands).

It over-approximates what a block assigns (a name that might be set is never reported
as missing) and never raises: text it does not understand is skipped.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from checks.shell.lexer import Lexer, Reference

__all__ = ["STANDARD_NAMES", "Reference", "ShellScan", "is_standard", "scan_shell"]

STANDARD_NAMES = frozenset(
    """
    HOME PATH USER LOGNAME SHELL PWD OLDPWD TMPDIR TERM LANG LANGUAGE TZ HOSTNAME HOSTTYPE
    OSTYPE MACHTYPE UID EUID PPID RANDOM SRANDOM SECONDS LINENO IFS PS1 PS2 PS3 PS4 REPLY
    OPTARG OPTIND OPTERR COLUMNS LINES EDITOR VISUAL PAGER DISPLAY MAIL GROUPS HISTFILE
    FUNCNAME PIPESTATUS BASH BASHPID BASHOPTS SHELLOPTS SHLVL EPOCHSECONDS EPOCHREALTIME
    DIRSTACK CDPATH GLOBIGNORE FIGNORE INPUTRC HOSTFILE TIMEFORMAT
    CI GITHUB_ACTIONS GITHUB_WORKSPACE GITHUB_STEP_SUMMARY RUNBOOK_BLOCK RUNBOOK_OUTPUT _
    """.split()  # noqa: SIM905 (a word list reads better than a 70-line literal)
)
"""Names every shell or CI provides: reading them needs no declaration."""
_STANDARD_PREFIXES = ("BASH_", "LC_", "XDG_", "SSH_", "COMP_")


def is_standard(name: str) -> bool:
    """True for names the shell or CI sets (``HOME``, ``BASH_SOURCE``, ``LC_ALL`` ...)."""
    return name in STANDARD_NAMES or name.startswith(_STANDARD_PREFIXES)


@dataclass(frozen=True, slots=True)
class ShellScan:
    """What a block reads and sets."""

    references: tuple[Reference, ...]
    """Variables read, in text order (duplicates kept)."""
    assigned: frozenset[str]
    """Names the block may set itself (assignments, read, for, declare ...)."""
    status_tests: tuple[tuple[int, int], ...]
    """(line, col) of each ``$?`` read by a test or saved right after a command."""
    unterminated: tuple[str, int, int] | None
    """(what, line, col) of a quote or here-document that never ends; None if all end."""


def scan_shell(text: str) -> ShellScan:
    """Scan ``text`` as bash; never raises."""
    lexer = Lexer(text)
    with contextlib.suppress(RecursionError):  # thousands of nested $( ... ): keep what was found
        lexer.run()
    return ShellScan(
        tuple(lexer.references),
        frozenset(lexer.assigned),
        tuple(lexer.status_tests),
        lexer.unterminated,
    )
