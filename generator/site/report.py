"""Read a ``runbook check --json`` report for the site: when each block last ran.

Only ``results[].id``, ``status`` and ``finished_at`` are used; everything else in the
report (stdout, stderr ...) stays out of the site.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

_STATUSES = frozenset({"passed", "failed", "timeout", "error", "skipped", "done"})


@dataclass(frozen=True, slots=True)
class LastResult:
    """The outcome of a block's latest run, as the report says."""

    status: str
    """passed, failed, timeout, error, skipped or done (a manual step)."""
    finished_at: str
    """ISO 8601 timestamp as written in the report."""


def read_report(path: Path) -> dict[str, LastResult]:
    """Block id -> its latest result; ValueError with ``path: error: ...`` when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: error: report file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: error: cannot read report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}:{exc.colno}: error: not JSON: {exc.msg}") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise ValueError(f"{path}: error: expected a 'results' list (runbook check --json)")
    out: dict[str, LastResult] = {}
    for index, item in enumerate(results):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: error: results[{index}] is not an object")
        block_id, status = item.get("id"), item.get("status")
        finished = item.get("finished_at") or ""
        if not isinstance(block_id, str) or status not in _STATUSES:
            raise ValueError(
                f"{path}: error: results[{index}] needs an 'id' and a 'status' "
                f"(one of {', '.join(sorted(_STATUSES))})"
            )
        if not isinstance(finished, str):
            raise ValueError(f"{path}: error: results[{index}].finished_at is not a string")
        previous = out.get(block_id)
        # Several runs of one block: the latest wins (ISO timestamps sort as text).
        if previous is None or finished >= previous.finished_at:
            out[block_id] = LastResult(str(status), finished)
    return out
