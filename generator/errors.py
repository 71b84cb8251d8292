"""The error that carries problems to the CLI, which prints it without a traceback."""

from __future__ import annotations

from collections.abc import Sequence

from checks.problems import ExitCode, Problem


class RunbookError(Exception):
    """User-facing failure: knows its problems and exit code, never shows a traceback."""

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
        lines = [str(p) for p in self.problems]
        if self.message:
            lines.append(self.message if self.problems else f"error: {self.message}")
        return "\n".join(lines)


class UsageError(RunbookError):
    """Unknown option, runbook or step id: exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=ExitCode.USAGE)
