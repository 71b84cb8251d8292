"""What each ``runbook incident`` command (and ``exec --incident``, ``comms --send``) does
to a record: start, update, acknowledge, resolve, a block that ran, a message sent.

Each change is a function of the record and the time, run under the record's lock by
``store.modify_incident``; a change that is refused raises ``UsageError`` before anything
is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from checks.model import Status
from generator.errors import UsageError
from generator.incident.clock import now as clock_now
from generator.incident.evidence import bounded_output
from generator.incident.model import (
    IncidentRecord,
    TimelineEntry,
    YamlMapping,
    YamlValue,
    format_time,
    parse_time,
)
from generator.incident.store import modify_incident

if TYPE_CHECKING:
    from checks.model import Result
    from generator.model import Runbook, SeverityScheme

TEXT_FIELDS = (
    # (record key, timeline label): fields ``update`` records as given.
    ("title", "Title"),
    ("channel", "Channel"),
    ("detected_by", "Detected by"),
    ("timezone", "Time zone"),
    ("eta", "ETA"),
    ("root_cause", "Root cause"),
    ("resolution", "Resolution"),
)


def new_incident_id(now: datetime) -> str:
    """``INC-20240115-1415`` (``create_incident`` adds ``-2`` when taken)."""
    return now.astimezone(UTC).strftime("INC-%Y%m%d-%H%M")


def new_record(
    *,
    incident_id: str,
    title: str,
    severity: str,
    runbook_id: str,
    now: datetime,
    update_every: float | None,
    detected_by: str | None = None,
    commander: str | None = None,
    channel: str | None = None,
    checklist: tuple[str, ...] = (),
) -> IncidentRecord:
    """A fresh record with its ``start`` timeline entry (``runbook incident start``)."""
    fields: YamlMapping = {
        "id": incident_id,
        "title": title,
        "severity": severity,
        "status": "investigating",
        "runbook": runbook_id,
        "started_at": format_time(now),
    }
    if detected_by:
        fields["detected_by"] = detected_by
    if update_every is not None:
        fields["update_every_minutes"] = round(update_every / 60)
    if channel:
        fields["channel"] = channel
    fields["impact"] = {}
    fields["roles"] = {"commander": commander} if commander else {}
    fields["timeline"] = [
        TimelineEntry(format_time(now), "start", f"Incident started: {title}").to_yaml()
    ]
    if checklist:
        fields["checklist"] = [{"text": text, "done": False} for text in checklist]
    fields["action_items"] = []
    return IncidentRecord(fields)


def start(
    runbook: Runbook,
    scheme: SeverityScheme,
    *,
    title: str,
    severity: str,
    now: datetime,
    detected_by: str | None = None,
    commander: str | None = None,
    channel: str | None = None,
) -> IncidentRecord:
    """``runbook incident start``: a record for ``runbook`` at a level of its ``scheme``,
    with the level's cadence and the runbook's open checklist items."""
    level = scheme.level(severity)
    return new_record(
        incident_id=new_incident_id(now),
        title=title,
        severity=severity,
        runbook_id=runbook.id,
        now=now,
        update_every=level.update_every if level else None,
        detected_by=detected_by,
        commander=commander,
        channel=channel,
        checklist=runbook_checklist(runbook),
    )


def runbook_checklist(runbook: Runbook) -> tuple[str, ...]:
    """The checklist items of every section, nested ones included, not done already."""
    return tuple(item.text for s in runbook.all_sections() for item in s.checklist if not item.done)


@dataclass(frozen=True, slots=True)
class Update:
    """What ``runbook incident update`` was asked to record (checked values)."""

    status: str | None = None
    note: str | None = None
    severity: str | None = None
    severity_cadence_minutes: int | None = None
    """The new severity's cadence in the runbook's scheme (None: it has none)."""
    every_minutes: int | None = None
    """``--update-every``."""
    texts: tuple[tuple[str, str], ...] = ()
    """(record key, value) for ``TEXT_FIELDS``."""
    roles: tuple[tuple[str, str], ...] = ()
    impact: tuple[tuple[str, str], ...] = ()
    """(key, value as given): a whole number is recorded as a number."""
    fields: tuple[tuple[str, str], ...] = ()
    """Custom fields (checked names, values as given, always text); empty: remove it."""
    action_items: tuple[str, ...] = ()
    contributing_factors: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()
    """Contributing factors and lessons learned: the postmortem's, so recorded after the
    resolution too, as custom fields are (a resolution message may need one); nothing
    else changes a resolved incident without ``reopen``."""
    done: tuple[int, ...] = ()
    """Checklist items to tick (1-based)."""
    reopen: bool = False


def update(record: IncidentRecord, change: Update, now: datetime) -> None:
    """Apply ``change`` and record it as one timeline entry; a resolved incident is only
    changed when it is reopened."""
    resolved = record.text("resolved_at")
    if record.has("resolved_at") and not change.reopen and not _after_resolution(change):
        raise UsageError(
            f"{record.shown('id', 'None')}: resolved at {resolved}; "
            f"pass --reopen to reopen it and record this"
        )
    parts: list[str] = []
    if change.reopen:
        if not record.has("resolved_at"):
            raise UsageError(f"--reopen: {record.shown('id', 'None')} is not resolved")
        parts.append(f"Reopened (was resolved at {resolved})")
        reopen(record)
        if not change.status:
            parts.append(f"Status: {record.shown('status', '?')} → investigating")
            record.set("status", "investigating")
    if change.status and change.status != record.status:
        parts.append(f"Status: {record.shown('status', '?')} → {change.status}")
        record.set("status", change.status)
    if change.severity and change.severity != record.severity:
        parts.append(f"Severity: {record.shown('severity', '?')} → {change.severity}")
        record.set("severity", change.severity)
        if change.severity_cadence_minutes is not None:
            record.set("update_every_minutes", change.severity_cadence_minutes)
        else:
            record.drop("update_every_minutes")
    if change.every_minutes is not None:
        record.set("update_every_minutes", change.every_minutes)
        parts.append(f"Updates every {change.every_minutes}m")
    if change.note:
        parts.append(change.note)
    given = dict(change.texts)
    for key, label in TEXT_FIELDS:
        value = given.get(key)
        if value:
            record.set(key, value)
            parts.append(f"{label}: {value}")
    if change.roles:
        roles = record.live_mapping("roles")
        for role, person in change.roles:
            roles[role] = person
            parts.append(f"{role}: {person}")
    if change.impact:
        impact = record.live_mapping("impact")
        for key, value in change.impact:
            impact[key] = _number(value)
            parts.append(f"impact {key}: {value}")
    for name, value in change.fields:
        if value:
            record.live_mapping("fields")[name] = value
            parts.append(f"{name}: {value}")
        else:
            record.drop_in("fields", name)
            parts.append(f"{name} cleared")
    for text in change.action_items:
        record.live_list("action_items").append(text)
        parts.append(f"Action item: {text}")
    for key, label, texts in (
        ("contributing_factors", "Contributing factor", change.contributing_factors),
        ("lessons_learned", "Lesson", change.lessons),
    ):
        for text in texts:
            _append_text(record, key, text)
            parts.append(f"{label}: {text}")
    for number in change.done:
        ticked = record.tick(number)
        if ticked is None:
            total = len(record.checklist)
            raise UsageError(f"--done {number}: the checklist has {total} items")
        parts.append(f"Done: {ticked}")
    kind = "reopen" if change.reopen else "update" if (change.status or change.note) else "change"
    record.add_entry(TimelineEntry(format_time(now), kind, ". ".join(parts) or "Update"))


def _after_resolution(change: Update) -> bool:
    """The change records only what may follow the resolution: what the postmortem adds
    (factors, lessons) and custom fields."""
    rest = replace(change, contributing_factors=(), lessons=(), fields=())
    return rest == Update() and rest != change


def _append_text(record: IncidentRecord, key: str, text: str) -> None:
    """Append to a list of texts; one written by hand as a single text is kept first."""
    value = record.raw(key)
    if isinstance(value, list):
        value.append(text)
    elif value in (None, "") or isinstance(value, dict):
        record.set(key, [text])
    else:
        record.set(key, [value, text])


def _number(text: str) -> YamlValue:
    try:
        return int(text)
    except ValueError:
        return text


def reopen(record: IncidentRecord) -> None:
    """Clear the resolution time, and the duration that resolve derived from it."""
    started, resolved = record.started_at, record.resolved_at
    if started is not None and resolved is not None:
        derived = round((resolved - started).total_seconds() / 60)
        if record.impact.get("duration_minutes") == derived:
            record.drop_in("impact", "duration_minutes")
    record.drop("resolved_at")


def acknowledge(record: IncidentRecord, by: str | None, now: datetime) -> str | None:
    """Record the acknowledgement; the earlier time when it was acknowledged already."""
    if record.has("acknowledged_at"):
        return record.shown("acknowledged_at", "")
    record.set("acknowledged_at", format_time(now))
    event = f"Acknowledged by {by}" if by else "Acknowledged"
    record.add_entry(TimelineEntry(format_time(now), "ack", event))
    return None


def resolve(
    record: IncidentRecord,
    resolution: str,
    root_cause: str | None,
    note: str | None,
    now: datetime,
) -> None:
    """Mark it resolved now; the impact's duration is derived unless one was recorded."""
    if record.has("resolved_at"):
        raise UsageError(
            f"{record.shown('id', 'None')}: already resolved at {record.text('resolved_at')}"
        )
    record.set("status", "resolved")
    record.set("resolved_at", format_time(now))
    record.set("resolution", resolution)
    if root_cause:
        record.set("root_cause", root_cause)
    impact = record.live_mapping("impact")
    started = record.started_at
    if started is not None and "duration_minutes" not in impact:
        impact["duration_minutes"] = round((now - started).total_seconds() / 60)
    event = f"Resolved: {resolution}" + (f". {note}" if note else "")
    record.add_entry(TimelineEntry(format_time(now), "resolve", event))


def block_entry(result: Result, now: datetime | None = None) -> TimelineEntry:
    """``{time, kind: exec, event, block, status, exit_code, duration_s, reason, output,
    user, host, variables}``.

    ``result`` comes from the executor, so its output is already redacted. The time is the
    result's ``finished_at`` (else ``now``, else the clock).
    """
    from checks.report import variables_json

    when = parse_time(result.finished_at) or now or clock_now()
    status = result.status.value
    event = f"ran {result.check.id}: {status}"
    if result.status is Status.DONE:
        event = f"{result.check.id}: done (a manual step, marked done by hand)"
    elif result.exit_code is not None:
        event += f" (exit {result.exit_code})"
    return TimelineEntry(
        time=format_time(when),
        kind="exec",
        event=event,
        block=result.check.id,
        status=status,
        exit_code=result.exit_code,
        duration_s=round(result.duration_s, 3),
        reason=result.reason or None,
        output=bounded_output(result.stdout, result.stderr) or None,
        user=result.user or None,
        host=result.host or None,
        variables={name: dict(shown) for name, shown in variables_json(result).items()} or None,
    )


def append_block_result(path: Path, result: Result, *, now: datetime | None = None) -> None:
    """Append a block that ran to the record's timeline (``exec --incident``)."""
    entry = block_entry(result, now)
    modify_incident(path, lambda record: record.add_entry(entry))


def append_message_sent(path: Path, template_id: str, event: str, now: datetime) -> None:
    """Append a message sent with a comms template (``comms --send``)."""
    entry = TimelineEntry(format_time(now), "comms", event, template=template_id)
    modify_incident(path, lambda record: record.add_entry(entry))


def update_every_seconds(record: IncidentRecord, scheme: SeverityScheme | None) -> float | None:
    """The update cadence: the record's ``update_every_minutes``, else the severity's."""
    minutes = record.update_every_minutes
    if minutes is not None:
        return minutes * 60
    severity = record.severity
    if scheme is not None and severity:
        level = scheme.level(severity)
        if level is not None and level.update_every:
            return level.update_every
    return None
