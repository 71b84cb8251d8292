"""Front matter -> runbook fields; every key not mapped stays, verbatim, as a YAML comment.

Nothing is invented: a severity only through ``--severity-map``, a review period only when
it reads as one ("6 months" is 180 days, never minutes), a date only when it is ISO.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.importer.source import FrontMatter

__all__ = ["FrontFields", "Note", "map_front_matter", "review_period"]

_PERIOD = re.compile(
    r"^\s*(?:every\s+)?(\d+(?:\.\d+)?)?\s*(d|days?|w|wks?|weeks?|mo|mos|months?|q|quarters?|y|yrs?|years?)\s*$",
    re.I,
)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "q": 91, "y": 365}
_WORD_PERIODS = {
    "daily": 1,
    "weekly": 7,
    "fortnightly": 14,
    "biweekly": 14,
    "monthly": 30,
    "quarterly": 91,
    "semiannually": 182,
    "semi-annually": 182,
    "biannually": 182,
    "half-yearly": 182,
    "yearly": 365,
    "annually": 365,
    "annual": 365,
}
_KEYS = {
    "title": "title",
    "description": "summary",
    "summary": "summary",
    "owner": "owner",
    "owners": "owner",
    "team": "owner",
    "owning_team": "owner",
    "owner_team": "owner",
    "service": "service",
    "tags": "tags",
    "keywords": "tags",
    "alert": "alerts",
    "alerts": "alerts",
    "alertname": "alerts",
    "alert_name": "alerts",
    "alert_names": "alerts",
    "version": "version",
    "status": "status",
    "severity": "severity",
    "last_reviewed": "last_reviewed",
    "lastreviewed": "last_reviewed",
    "last_review": "last_reviewed",
    "reviewed": "last_reviewed",
    "reviewed_on": "last_reviewed",
    "reviewed_at": "last_reviewed",
    "review_date": "last_reviewed",
    "last_reviewed_date": "last_reviewed",
    "last_reviewed_on": "last_reviewed",
}
_TOP_KEY = re.compile(r"^([^\s#\-][^:]*?)\s*[:=]")


@dataclass(frozen=True, slots=True)
class Note:
    """A report line about the front matter: 1-based file line, code, message."""

    line: int
    code: str
    message: str


@dataclass(slots=True)
class FrontFields:
    values: dict[str, Any] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    """Front matter lines kept as YAML comments (keys with no runbook field)."""
    notes: list[Note] = field(default_factory=list)


def _norm(key: str) -> str:
    return re.sub(r"[\s-]+", "_", key.strip().lower())


def review_period(value: object) -> str | None:
    """``6 months`` -> ``180d``; ``quarterly`` -> ``91d``; None when it is not a period."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return f"{value}d"
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in _WORD_PERIODS:
        return f"{_WORD_PERIODS[text]}d"
    match = _PERIOD.match(text)
    if match is None:
        return None
    number = float(match.group(1) or 1)
    unit = match.group(2)[0].lower()
    days = round(number * _UNIT_DAYS[unit])
    return f"{days}d" if days > 0 else None


def map_front_matter(front: FrontMatter, severity_map: Mapping[str, str]) -> FrontFields:
    """The runbook fields ``front`` gives, its leftover lines and what to report."""
    out = FrontFields()
    if front.data is None:
        out.comments.extend(front.lines)
        out.notes.append(
            Note(
                front.first_line,
                "front-matter",
                f"front matter not read ({front.error}); kept as comments",
            )
        )
        return out
    mapped_keys: set[str] = set()
    for key, value in front.data.items():
        norm = _norm(key)
        target = _KEYS.get(norm)
        if (
            target is None
            and "review" in norm
            and any(
                w in norm for w in ("every", "period", "cycle", "frequency", "interval", "cadence")
            )
        ):
            target = "review_every"
        if target is None or target in out.values:
            continue
        line = _key_line(front, key)
        converted = _convert(target, value, severity_map, line, out.notes)
        if converted is not None:
            out.values[target] = converted
            mapped_keys.add(key)
    out.comments.extend(_unmapped_lines(front, mapped_keys))
    return out


def _convert(
    target: str, value: Any, severity_map: Mapping[str, str], line: int, notes: list[Note]
) -> Any:
    if value is None:
        return None
    if target in ("tags", "alerts"):
        items = value if isinstance(value, list) else re.split(r"\s*,\s*", str(value))
        texts = [
            str(v).strip() for v in items if not isinstance(v, (dict, list)) and str(v).strip()
        ]
        return texts or None
    if target == "owner" and isinstance(value, list):
        texts = [str(v) for v in value if not isinstance(v, (dict, list))]
        return ", ".join(texts) or None
    if isinstance(value, (dict, list)):
        return None
    if target == "last_reviewed":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text[:10]).isoformat() if len(text) >= 10 else None
        except ValueError:
            notes.append(
                Note(line, "review-date", f"'{text}' is not an ISO date; kept as a comment")
            )
            return None
    if target == "review_every":
        period = review_period(value)
        if period is None:
            notes.append(
                Note(line, "review-period", f"'{value}' is not a review period; kept as a comment")
            )
        return period
    if target == "severity":
        mapped = severity_map.get(str(value).strip().lower())
        if mapped is None:
            notes.append(
                Note(
                    line,
                    "severity",
                    f"severity '{value}' left out: map it with "
                    f"--severity-map {str(value).lower()}=SEV...",
                )
            )
        return mapped
    if isinstance(value, bool):
        return None
    text = str(value).strip() if not isinstance(value, str) else value.strip()
    return text or None


def _key_line(front: FrontMatter, key: str) -> int:
    for i, line in enumerate(front.lines):
        match = _TOP_KEY.match(line)
        if match is not None and match.group(1).strip().strip("'\"") == key:
            return front.first_line + i
    return front.first_line


def _unmapped_lines(front: FrontMatter, mapped: set[str]) -> list[str]:
    out: list[str] = []
    keep = True
    for line in front.lines:
        match = _TOP_KEY.match(line)
        if match is not None:
            keep = match.group(1).strip().strip("'\"") not in mapped
        if keep and line.strip():
            out.append(line)
    return out
