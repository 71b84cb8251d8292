"""What an incident record says: what is due now (``status``) and the postmortem (``report``).

Pure functions over the typed record (``generator.incident.store`` reads and writes it).
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


def _when(value: YamlValue | datetime) -> str:
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else str(value)


def _span(start: YamlValue | datetime, end: YamlValue | datetime) -> str | None:
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
    line = f"  {name}: every {every}, next by {_when(due.next_update.isoformat())}"
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
    ago = _span(started, now.isoformat())
    lines.append(f"started:      {_when(started)}" + (f" ({ago} ago)" if ago else ""))
    for label, key in (("acknowledged: ", "acknowledged_at"), ("resolved:     ", "resolved_at")):
        if record.has(key):
            took = _span(started, record.text(key))
            lines.append(
                f"{label}{_when(record.text(key))}" + (f" ({took} after start)" if took else "")
            )
        else:
            lines.append(f"{label}not yet")
    due = next_update(record, scheme, now)
    if due.last_update is not None:
        lines.append(f"last update:  {_when(due.last_update.isoformat())}")
    if record.has("resolved_at"):
        lines.append("next update:  none (resolved)")
    elif due.next_update is None:
        lines.append(f"next update:  no cadence for {record.shown('severity', 'this severity')}")
    else:
        every = format_minutes((due.cadence_s or 0) / 60)
        line = f"next update:  {_when(due.next_update.isoformat())} (every {every})"
        if due.overdue_s > 0:
            line += f": OVERDUE by {format_minutes(due.overdue_s / 60)}"
        lines.append(line)
    per_channel = _channels(record, scheme, channels, now)
    if per_channel and not record.has("resolved_at"):
        lines.append("channel updates:")
        severity = record.text("severity") or "this severity"
        lines.extend(_channel_line(due, severity) for due in per_channel)
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
        "open_checklist": [{"number": n, "text": t} for n, t in open_checklist(record)],
        "open_action_items": list[YamlValue](open_action_items(record)),
    }


# -- postmortem ----------------------------------------------------------------------------


def _inline(value: YamlValue) -> str:
    # Incident text is data: never raw HTML, never a broken table.
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def _fence(text: str) -> list[str]:
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        if run >= len(ticks):
            ticks = "`" * (run + 1)
    return [f"{ticks}text", text, ticks]


def render_postmortem(record: IncidentRecord, scheme: SeverityScheme | None) -> str:
    """The postmortem in Markdown: summary, impact, key times, timeline, actions, items."""
    title = record.raw("title") or record.raw("id") or "incident"
    out = [f"# Postmortem: {_inline(title)}", ""]
    facts = [
        f"**Incident:** {_inline(record.shown('id', ''))}",
        f"**Severity:** {_inline(severity_text(record, scheme))}",
        f"**Status:** {_inline(record.shown('status', 'unknown'))}",
    ]
    if record.has("runbook"):
        facts.append(f"**Runbook:** {_inline(record.raw('runbook'))}")
    out += [" · ".join(facts), "", "## Summary", ""]
    started = record.raw("started_at")
    summary = f"{_inline(title)} started {_when(started)}"
    if record.has("detected_by"):
        summary += f", detected by {_inline(record.raw('detected_by'))}"
    took = _span(started, record.raw("resolved_at"))
    if record.has("resolved_at"):
        summary += f", and was resolved {_when(record.raw('resolved_at'))}"
        summary += f" after {took}." if took else "."
    else:
        summary += "; it is not resolved yet."
    out += [summary, ""]
    impact = record.impact
    out += ["## Impact", ""]
    rows = [
        ("Users affected", impact.get("users_affected")),
        ("Revenue lost", impact.get("revenue_lost")),
        ("Duration (minutes)", impact.get("duration_minutes")),
        ("Summary", impact.get("summary")),
    ]
    rows += [(str(k), v) for k, v in impact.items() if k not in {
        "users_affected", "revenue_lost", "duration_minutes", "summary"}]  # fmt: skip
    known = [(name, value) for name, value in rows if value not in (None, "")]
    if known:
        out += ["| Measure | Value |", "|---|---|"]
        out += [f"| {_inline(name)} | {_inline(value)} |" for name, value in known]
    else:
        out.append("Not recorded.")
    out += ["", "## Key times", "", "| Measure | Value |", "|---|---|"]
    out.append(f"| Started | {_when(started)} |")
    for label, key in (("Acknowledged", "acknowledged_at"), ("Resolved", "resolved_at")):
        out.append(f"| {label} | {_when(record.raw(key)) if record.has(key) else 'not yet'} |")
    tta = _span(started, record.raw("acknowledged_at"))
    out.append(f"| Time to acknowledge | {tta or 'n/a'} |")
    out.append(f"| Time to resolve | {took or 'n/a'} |")
    out.append("")
    for heading, key in (("Root cause", "root_cause"), ("Resolution", "resolution")):
        out += [f"## {heading}", "", _inline(record.raw(key) or "Not recorded."), ""]
    out += _timeline(record)
    out += _actions(record)
    out += ["## Action items", ""]
    items = record.action_items
    for item in items:
        if item.plain:
            out.append(f"- [ ] {_inline(item.text)}")
        else:
            mark = "x" if item.done else " "
            owner = f" ({_inline(item.owner)})" if item.owner else ""
            out.append(f"- [{mark}] {_inline(item.text)}{owner}")
    if not items:
        out.append("None recorded.")
    open_items = open_checklist(record)
    if open_items:
        out += ["", "## Checklist items left open", ""]
        out += [f"- [ ] {_inline(text)}" for _, text in open_items]
    return "\n".join(out) + "\n"


def _timeline(record: IncidentRecord) -> list[str]:
    out = ["## Timeline", ""]
    entries = record.timeline
    if not entries:
        return [*out, "No entries.", ""]
    out += ["| Time (UTC) | Event |", "|---|---|"]
    for entry in entries:
        moment = entry.moment
        when = moment.strftime("%Y-%m-%d %H:%M") if moment else _inline(entry.time or "")
        out.append(f"| {when} | {_inline(entry.event or entry.kind or '')} |")
    return [*out, ""]


def _actions(record: IncidentRecord) -> list[str]:
    runs = [e for e in record.timeline if e.kind == "exec"]
    out = ["## Actions run", ""]
    if not runs:
        return [*out, "No blocks were run with `--incident`.", ""]
    out += ["| Time (UTC) | Block | Status | Exit code |", "|---|---|---|---|"]
    for run in runs:
        moment = run.moment
        when = moment.strftime("%H:%M:%S") if moment else _inline(run.time or "")
        code = "" if run.exit_code is None else str(run.exit_code)
        out.append(
            f"| {when} | `{_inline(run.block or '')}` | {_inline(run.status or '')} | {code} |"
        )
    out.append("")
    for run in runs:
        if run.status != "passed" and run.output:
            out += [f"Output of `{_inline(run.block or '')}` ({_inline(run.status)}):", ""]
            out += [*_fence(run.output), ""]
    return out
