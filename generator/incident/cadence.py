"""When each comms channel's next update is due: cadences as people write them.

``communications.channels[].cadence`` is free text: ``Every 30 minutes``, ``Hourly``,
``Every 15 minutes (SEV1), 30 minutes (SEV2)``, ``Every 15 minutes for SEV-0/SEV-1``. What
can be read is read, per severity where the text names severities; anything else
(``At the start of a SEV1/SEV2``, ``An update within 15 minutes of each post``) is kept as
written and shown that way, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.incident.model import UPDATE_KINDS, IncidentRecord, latest
from generator.model import CommsChannel

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
          "hr": 3600, "hour": 3600, "d": 86400, "day": 86400}  # fmt: skip
_AMOUNT = re.compile(
    r"\b(\d+(?:\.\d+)?|an?|one)\s*-?\s*"
    r"(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b",
    re.IGNORECASE,
)
_EVERY_WORD = {"half-hourly": 1800.0, "hourly": 3600.0, "daily": 86400.0}
_EVERY_UNIT = re.compile(r"\bevery\s+(second|minute|hour|day)\b", re.IGNORECASE)
_WORD = re.compile(r"(?<![\w-])(half-hourly|hourly|daily)\b", re.IGNORECASE)
_CLAUSES = re.compile(r"[,;]|\s+(?:or|and|otherwise)\s+", re.IGNORECASE)
_GENERIC_LEVEL = re.compile(r"(?<![\w-])(?:SEV-?\d+|P\d+)(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Cadence:
    """A channel's cadence as read: seconds per severity id, ``None`` for any severity."""

    text: str
    every: Mapping[str | None, float]
    """Empty when the text could not be read."""

    def for_severity(self, severity: str | None) -> float | None:
        """Seconds between updates for ``severity``, or None when the text has none for it."""
        if severity is not None:
            for level, seconds in self.every.items():
                if level is not None and level.lower() == severity.lower():
                    return seconds
        return self.every.get(None)


def parse_cadence(text: str, levels: Iterable[str] = ()) -> Cadence:
    """Read ``text``; ``levels`` are the scheme's severity ids (others like SEV2 and P1 are
    recognised too). Only text that says *every* (or hourly, daily) is a cadence."""
    lowered = text.lower()
    if "every" not in lowered and not _WORD.search(text):
        return Cadence(text, {})
    known = sorted(set(levels), key=len, reverse=True)
    every: dict[str | None, float] = {}
    last: float | None = None
    for clause in _CLAUSES.split(text):
        seconds = _clause_seconds(clause)
        named = _levels_in(clause, known)
        if seconds is None:
            if named and last is not None:  # "... 15 minutes for SEV1 and SEV2"
                every.update(dict.fromkeys(named, last))
            continue
        last = seconds
        if named:
            every.update(dict.fromkeys(named, last))
        else:
            every.setdefault(None, last)
    return Cadence(text, every)


def _clause_seconds(clause: str) -> float | None:
    amount = _AMOUNT.search(clause)
    if amount is not None:
        return _seconds(amount.group(1), amount.group(2))
    unit = _EVERY_UNIT.search(clause)
    if unit is not None:
        return _seconds("1", unit.group(1))
    word = _WORD.search(clause)
    return _EVERY_WORD[word.group(1).lower()] if word is not None else None


def _seconds(number: str, unit: str) -> float:
    count = 1.0 if number.lower() in {"a", "an", "one"} else float(number)
    unit = unit.lower()
    base = _UNITS.get(unit) or _UNITS.get(unit.rstrip("s")) or 60
    return count * base


def _levels_in(clause: str, known: Sequence[str]) -> list[str]:
    found: list[str] = []
    rest = clause
    for level in known:
        pattern = re.compile(rf"(?<![\w-]){re.escape(level)}(?![\w-])", re.IGNORECASE)
        if pattern.search(rest):
            found.append(level)
            rest = pattern.sub(" ", rest)
    found += [match.group(0).upper() for match in _GENERIC_LEVEL.finditer(rest)]
    return found


@dataclass(frozen=True, slots=True)
class ChannelDue:
    """One channel's state for the incident's severity."""

    channel: CommsChannel
    cadence: Cadence
    every_s: float | None
    """Seconds between updates for this severity; None: not read, or not for it."""
    last_update: datetime | None
    last_is_channel: bool
    """True when ``last_update`` is a message sent with this channel's template."""
    next_update: datetime | None
    overdue_s: float


def channels_due(
    record: IncidentRecord,
    channels: Iterable[CommsChannel],
    levels: Iterable[str],
    now: datetime,
) -> list[ChannelDue]:
    """Each channel that states a cadence, with when its next update is due.

    A channel's last update is the last message sent with its template (``runbook comms
    --send``); without one, the incident's last status update of any kind.
    """
    levels = list(levels)
    severity = record.severity or None
    resolved = record.resolved_at is not None
    entries = record.timeline
    any_update = latest(e for e in entries if e.kind in UPDATE_KINDS) or record.started_at
    out = []
    for channel in channels:
        if not channel.cadence:
            continue
        cadence = parse_cadence(str(channel.cadence), levels)
        every = cadence.for_severity(severity)
        sent = None
        if channel.template:
            sent = latest(
                e for e in entries if e.kind == "comms" and e.template == channel.template
            )
        last = sent or any_update
        due = None if every is None or last is None or resolved else last + timedelta(seconds=every)
        overdue = max((now - due).total_seconds(), 0.0) if due is not None else 0.0
        out.append(ChannelDue(channel, cadence, every, last, sent is not None, due, overdue))
    return out
