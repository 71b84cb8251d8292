"""The one clock of incident commands: ``RUNBOOK_NOW`` (ISO 8601) when set, so scripted
runs, tests and goldens are deterministic; else the system's time, UTC."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from generator.errors import UsageError
from generator.incident.model import parse_time


def now(environ: Mapping[str, str] = os.environ) -> datetime:
    """The time incident commands record and compute with."""
    value = environ.get("RUNBOOK_NOW")
    if not value:
        return datetime.now(UTC)
    moment = parse_time(value)
    if moment is None:
        raise UsageError(f"RUNBOOK_NOW={value!r}: expected an ISO 8601 time")
    return moment
