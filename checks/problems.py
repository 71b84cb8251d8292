"""The shared vocabulary of both packages: located problems, severities, exit codes.

``checks`` and ``generator`` report every finding as a :class:`Problem` (a 1-based
``file:line:col`` location, a severity, a message, a rule name). Every command returns an
:class:`Outcome` (what happened) or raises a :class:`ProblemError` (a user error that
carries its code); ``Outcome.exit_code`` is the one rule from what happened to an
:class:`ExitCode`, and ``generator.cli.main`` the one place that exits with it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checks.model import SourceLocation


class ExitCode(enum.IntEnum):
    """Exit codes of every ``runbook`` command (DESIGN.md)."""

    OK = 0
    """Success; skipped blocks allowed."""
    FAILED = 1
    """A check failed, timed out or errored; a report that could be written before the run
    could not be after it (a full disk); a committed file is not current."""
    USAGE = 2
    """Usage error: an unknown option, runbook or step id, a report path or output folder
    that cannot be written, an address `serve` cannot listen on."""
    INVALID = 3
    """Invalid input: a runbook or block that does not validate, an invalid `mkdocs.yml`, a
    missing required variable without a terminal, a missing template value."""
    NOTHING_RAN = 4
    """Nothing ran: the selection is empty or every block was skipped."""
    INTERRUPTED = 130
    """Interrupted by Ctrl-C; partial reports and the transcript are written."""
    HANGUP = 129
    """Stopped by SIGHUP (a closed terminal), as by Ctrl-C otherwise: 128 + 1."""
    TERMINATED = 143
    """Stopped by SIGTERM (a CI runner, ``timeout``), as by Ctrl-C otherwise: 128 + 15."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a command ended, in facts: what every command returns (as Black's ``Report``)."""

    failed: bool = False
    """A check failed, timed out or errored; a run's report could not be written; a
    committed file is not current; a message was not sent; a site built with warnings
    under ``--strict``."""
    invalid: bool = False
    """Input that does not validate was found and reported (lint errors, a site or pages
    that cannot be built from the runbooks)."""
    nothing_ran: bool = False
    """Nothing was selected, everything was skipped, or there was nothing to list."""
    interrupted: bool = False
    """Ctrl-C ended the run (partial reports written)."""
    signum: int = 2
    """The signal that interrupted it: SIGINT (Ctrl-C), SIGTERM or SIGHUP (exit 128 + N)."""

    @property
    def exit_code(self) -> ExitCode:
        """The exit code these facts mean (DESIGN.md): an interrupt wins, then invalid
        input, then a failure, then an empty run."""
        if self.interrupted:
            return ExitCode(128 + self.signum) if self.signum in (1, 15) else ExitCode.INTERRUPTED
        if self.invalid:
            return ExitCode.INVALID
        if self.failed:
            return ExitCode.FAILED
        if self.nothing_ran:
            return ExitCode.NOTHING_RAN
        return ExitCode.OK


class Severity(enum.Enum):
    """How bad a problem is; ``--strict`` turns warnings into errors."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Problem:
    """One located finding, printed compiler-style."""

    location: SourceLocation
    severity: Severity
    message: str
    rule: str = "schema"
    """A short rule name (``schema``, ``undeclared-variable``, ``placeholder`` ...)."""

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity.value,
            "rule": self.rule,
            "message": self.message,
        }


class ProblemError(Exception):
    """A user error, raised where it is found: its located problems (or, when it has no
    place in a file, a message) and the exit code it ends the command with. The CLI
    prints it without a traceback."""

    def __init__(
        self,
        message: str = "",
        *,
        problems: Sequence[Problem] = (),
        exit_code: ExitCode = ExitCode.INVALID,
    ) -> None:
        super().__init__(message or (str(problems[0]) if problems else "error"))
        self.message = message
        self.problems = tuple(problems)
        self.exit_code = exit_code

    def format(self) -> str:
        """The lines the user sees: each problem, then the message."""
        lines = [str(p) for p in self.problems]
        if self.message:
            lines.append(self.message if self.problems else f"error: {self.message}")
        return "\n".join(lines)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    return _suggesting(closest(word, candidates))


def _suggesting(name: str | None) -> str:
    return f" (did you mean '{name}'?)" if name is not None else ""


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``word`` if one is close enough to be a misspelling."""
    import difflib  # here: only a misspelt name needs it

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def no_such_path(path: str) -> str:
    """``PATH: no such file or directory``, naming the closest entry of its folder when
    one is close (``runbooks/dmeo`` -> ``runbooks/demo``)."""
    import os

    folder, name = os.path.split(path.rstrip("/" + os.sep) or path)
    try:
        beside = os.listdir(folder or os.curdir)
    except OSError:
        beside = []
    # Names compared without their suffix: every runbook ends in .yaml.
    stems = {os.path.splitext(entry)[0]: entry for entry in beside if not entry.startswith(".")}
    close = closest(os.path.splitext(name)[0], stems)
    hint = _suggesting(None if close is None else os.path.join(folder, stems[close]))
    return f"{path}: no such file or directory{hint}"


def has_errors(problems: Iterable[Problem], *, strict: bool = False) -> bool:
    """True if any problem is an error (or a warning, under ``strict``)."""
    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(p.severity in bad for p in problems)
