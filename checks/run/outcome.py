"""Building results: timestamps, exit codes the way a shell reports them, skips.

Shared by the piped runner (``checks.run.process``) and the terminal runner
(``checks.run.interactive``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from checks.model import Check, Result, Status


def now_iso() -> str:
    """The current UTC time as ISO 8601 with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def exit_code_of(returncode: int | None) -> int | None:
    """A process's return code; killed by a signal, reported as a shell does (128 + N)."""
    if returncode is None:
        return None
    return 128 - returncode if returncode < 0 else returncode


def seconds(value: float) -> str:
    """``0.5s``, ``10s``."""
    return f"{value:g}s"


def make_result(
    check: Check,
    status: Status,
    started: float,
    *,
    exit_code: int | None = None,
    stdout: str = "",
    stderr: str = "",
    reason: str = "",
    details: Sequence[str] = (),
) -> Result:
    """A result stamped now, its duration measured from ``started`` (``time.monotonic``)."""
    return Result(
        check=check,
        status=status,
        exit_code=exit_code,
        duration_s=round(time.monotonic() - started, 4),
        finished_at=now_iso(),
        stdout=stdout,
        stderr=stderr,
        reason=reason,
        details=tuple(details),
    )


def skipped(check: Check, reason: str) -> Result:
    """A result for a block that was not run."""
    return Result(check=check, status=Status.SKIPPED, finished_at=now_iso(), reason=reason)
