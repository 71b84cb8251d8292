"""What the environment decides for several commands: today's date and the cache folder."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from generator.errors import UsageError

DEFAULT_CACHE_DIR = ".runbook-cache"


def today(environ: Mapping[str, str] = os.environ) -> dt.date:
    """``RUNBOOK_TODAY`` (ISO date) when set, so pages and lint are reproducible; else today."""
    text = environ.get("RUNBOOK_TODAY")
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"RUNBOOK_TODAY={text!r} is not an ISO date (2026-10-01)") from None


def cache_dir(no_cache: bool, environ: Mapping[str, str] = os.environ) -> str | None:
    """Where parse, syntax and page caches live: ``$RUNBOOK_CACHE_DIR`` or
    ``./.runbook-cache``."""
    if no_cache:
        return None
    return environ.get("RUNBOOK_CACHE_DIR") or DEFAULT_CACHE_DIR
