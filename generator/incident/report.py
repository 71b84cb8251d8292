"""What an incident record says is due now (``runbook incident status``).

Pure functions over the typed record (``generator.incident.store`` reads and writes it);
the postmortem is ``postmortem``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.comms.sandbox import format_minutes
from generator.incident.cadence import ChannelDue, channels_due
from generator.incident.changes import update_every_seconds
from generator.incident.model import IncidentRecord, Item, YamlValue, parse_time
from generator.model import CommsChannel, SeverityScheme


@dataclass(frozen=True, slots=True)
class Due:
    """When the next status update is due."""

    cadence_s: float | None
    last_update: datetime | None
    next_update: datetime | None
    overdue_s: float
    """Seconds past ``next_update`` (0 when not overdue)."""


def next_update(record: IncidentRecord, scheme: SeverityScheme | None, now: datetime) -> Due:
    """The cadence, the last update and when the next is due (none once resolved)."""
    cadence = update_every_seconds(record, scheme)
    last = record.last_update_at() or record.started_at
    if cadence is None or last is None or record.resolved_at is not None:
        return Due(cadence, last, None, 0.0)
    due = last + timedelta(seconds=cadence)
    return Due(cadence, last, due, max((now - due).total_seconds(), 0.0))


def severity_text(record: IncidentRecord, scheme: SeverityScheme | None) -> str:
    """``SEV1 (Critical)``, or the bare id when the scheme does not know it."""
    severity = record.severity or "unknown"
    level = scheme.level(severity) if scheme is not None else None
    return f"{severity} ({level.label})" if level is not None and level.label else severity


def open_checklist(record: IncidentRecord) -> list[tuple[int, str]]:
    """(1-based number, text) of checklist items not done."""
    return [
        (number, item.text)
        for number, item in enumerate(record.checklist, start=1)
        if not item.plain and not item.done
    ]


def _item_line(item: Item) -> str:
    owner = f" ({item.owner})" if item.owner else ""
    return f"{item.text}{owner}"


def open_action_items(record: IncidentRecord) -> list[str]:
    """Action items not marked done (plain strings count as open)."""
    return [_item_line(item) for item in record.action_items if not item.done]


def when_text(value: YamlValue | datetime) -> str:
    """``2024-01-15 14:15 UTC``, or the value as written when it is not a time."""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else str(value)


def span_text(start: YamlValue | datetime, end: YamlValue | datetime) -> str | None:
    """``1h 30m`` from ``start`` to ``end``; None unless both are times."""
    a, b = parse_time(start), parse_time(end)
    if a is None or b is None:
        return None
    return format_minutes((b - a).total_seconds() / 60)


def _channels(
    record: IncidentRecord,
    scheme: SeverityScheme | None,
    channels: Iterable[CommsChannel],
    now: datetime,
) -> list[ChannelDue]:
    levels = [level.id for level in scheme.levels] if scheme is not None else []
    return channels_due(record, channels, levels, now)


def _channel_line(due: ChannelDue, severity: str) -> str:
    name = due.channel.channel
    if not due.cadence.every:
        return f"  {name}: {due.cadence.text} (as written)"
    if due.every_s is None:
        return f"  {name}: none for {severity} ({due.cadence.text})"
    every = format_minutes(due.every_s / 60)
    if due.next_update is None:
        return f"  {name}: every {every}"
    line = f"  {name}: every {every}, next by {when_text(due.next_update.isoformat())}"
    if due.overdue_s > 0:
        line += f": OVERDUE by {format_minutes(due.overdue_s / 60)}"
    return line


def status_lines(
    record: IncidentRecord,
    scheme: SeverityScheme | None,
    now: datetime,
    channels: Iterable[CommsChannel] = (),
) -> list[str]:
    """``runbook incident status``: the state and what is due (per comms channel too)."""
    lines = [f"{record.shown('id', 'None')}: {record.shown('title', '')}"]
    lines.append(
        f"severity: {severity_text(record, scheme)}   status: {record.shown('status', 'unknown')}"
        + (f"   runbook: {record.text('runbook')}" if record.has("runbook") else "")
    )
    started = record.text("started_at")
    ago = span_text(started, now.isoformat())
    lines.append(f"started:      {when_text(started)}" + (f" ({ago} ago)" if ago else ""))
    for label, key in (("acknowledged: ", "acknowledged_at"), ("resolved:     ", "resolved_at")):
        if record.has(key):
            took = span_text(started, record.text(key))
            lines.append(
                f"{label}{when_text(record.text(key))}" + (f" ({took} after start)" if took else "")
            )
        else:
            lines.append(f"{label}not yet")
    due = next_update(record, scheme, now)
    if due.last_update is not None:
        lines.append(f"last update:  {when_text(due.last_update.isoformat())}")
    if record.has("resolved_at"):
        lines.append("next update:  none (resolved)")
    elif due.next_update is None:
        lines.append(f"next update:  no cadence for {record.shown('severity', 'this severity')}")
    else:
        every = format_minutes((due.cadence_s or 0) / 60)
        line = f"next update:  {when_text(due.next_update.isoformat())} (every {every})"
        if due.overdue_s > 0:
            line += f": OVERDUE by {format_minutes(due.overdue_s / 60)}"
        lines.append(line)
    per_channel = _channels(record, scheme, channels, now)
    if per_channel and not record.has("resolved_at"):
        lines.append("channel updates:")
        severity = record.text("severity") or "this severity"
        lines.extend(_channel_line(due, severity) for due in per_channel)
    fields = record.fields
    if fields:
        lines.append("fields:")
        lines.extend(f"  {name}: {value}" for name, value in fields.items())
    checklist = open_checklist(record)
    total = len(record.checklist)
    if checklist:
        lines.append(f"open checklist ({len(checklist)} of {total}):")
        lines.extend(f"  [{number}] {text}" for number, text in checklist)
    items = open_action_items(record)
    if items:
        lines.append("open action items:")
        lines.extend(f"  - {text}" for text in items)
    return lines


def status_json(
    record: IncidentRecord,
    scheme: SeverityScheme | None,
    now: datetime,
    channels: Iterable[CommsChannel] = (),
) -> dict[str, YamlValue]:
    """``status --format json``."""
    due = next_update(record, scheme, now)
    per_channel: list[YamlValue] = [
        {
            "channel": c.channel.channel,
            "audience": c.channel.audience,
            "template": c.channel.template,
            "cadence": c.cadence.text,
            "parsed": bool(c.cadence.every),
            "every_s": c.every_s,
            "last_update": c.last_update.isoformat() if c.last_update else None,
            "last_update_is_channel": c.last_is_channel,
            "next_update": c.next_update.isoformat() if c.next_update else None,
            "overdue_s": c.overdue_s,
        }
        for c in _channels(record, scheme, channels, now)
    ]
    fields = ("id", "title", "severity", "status", "started_at", "acknowledged_at")
    return {
        **{key: record.raw(key) for key in fields},
        "resolved_at": record.raw("resolved_at"),
        "update_every_s": due.cadence_s,
        "last_update": due.last_update.isoformat() if due.last_update else None,
        "next_update": due.next_update.isoformat() if due.next_update else None,
        "overdue_s": due.overdue_s,
        "channels": per_channel,
        "fields": dict[str, YamlValue](record.fields),
        "open_checklist": [{"number": n, "text": t} for n, t in open_checklist(record)],
        "open_action_items": list[YamlValue](open_action_items(record)),
    }
