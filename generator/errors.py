"""The errors generator code raises for the CLI, which prints them without a traceback."""

from __future__ import annotations

from checks.problems import ExitCode, ProblemError


class RunbookError(ProblemError):
    """User-facing failure: knows its problems and exit code, never shows a traceback."""


class UsageError(RunbookError):
    """Unknown option, runbook or step id: exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.USAGE)
