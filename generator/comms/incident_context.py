"""The ``incident`` namespace of a template's context: a typed incident record -> the
values a template reads (names and meanings: ``generator.comms.context``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from generator.comms.sandbox import Namespace, format_minutes
from generator.incident.changes import update_every_seconds
from generator.incident.model import IncidentRecord, Item, format_time
from generator.load.tree import severity_scheme
from generator.model import Runbook, SeverityLevel


def describe_seconds(seconds: float) -> str:
    """``15 minutes``, ``1 hour``, ``90 minutes`` for a cadence."""
    minutes = round(seconds / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


def incident_context(runbook: Runbook | None, record: IncidentRecord, now: datetime) -> Namespace:
    """The ``incident`` namespace for one incident record."""
    started = record.started_at
    resolved = record.resolved_at
    severity = record.raw("severity")
    label = None
    scheme = severity_scheme(runbook) if runbook is not None else None
    level = scheme.level(str(severity)) if scheme is not None and severity else None
    if level is not None:
        label = level.label or None
    cadence = update_every_seconds(record, scheme)
    roles = record.roles
    commander = roles.get("commander") or roles.get("incident_commander")
    impact = record.impact
    if started is not None and "duration_minutes" not in impact and resolved is not None:
        impact["duration_minutes"] = round((resolved - started).total_seconds() / 60)
    values: dict[str, object] = {
        "id": record.raw("id"),
        "title": record.raw("title"),
        "severity": severity,
        "severity_label": label,
        "severity_level": _level_context(level) if level is not None else None,
        "status": record.raw("status"),
        "impact": Namespace.present("incident.impact", impact),
        "started_at": format_time(started) if started else None,
        "commander": commander,
        "roles": Namespace.present("incident.roles", roles),
        "resolution": record.raw("resolution"),
        "root_cause": record.raw("root_cause"),
        "eta": record.raw("eta"),
        "channel": record.raw("channel"),
        "detected_by": record.raw("detected_by"),
        "acknowledged_at": record.raw("acknowledged_at"),
        "resolved_at": format_time(resolved) if resolved else None,
        "action_items": [_item_text(i) for i in record.action_items],
        "actions": [
            Namespace.present(
                "incident.actions[]",
                {"time": e.time, "block": e.block, "status": e.status, "exit_code": e.exit_code},
            )
            for e in record.timeline
            if e.kind == "exec"
        ],
    }
    if started is not None:
        minutes = ((resolved or now) - started).total_seconds() / 60
        values["duration"] = format_minutes(max(minutes, 0))
        zone = record.raw("timezone")
        if isinstance(zone, str) and zone:
            values["started_at_local"] = _local_time(started, zone)
    if cadence is not None:
        values["update_every"] = describe_seconds(cadence)
        last = record.last_update_at() or started
        if last is not None and resolved is None:
            values["next_update"] = format_time(last + timedelta(seconds=cadence))
    return Namespace.present("incident", values)


def _level_context(level: SeverityLevel) -> Namespace:
    values = {
        "id": level.id,
        "label": level.label,
        "impact": level.impact,
        # An empty list is a missing value too: a template using it fails loudly.
        "criteria": list(level.criteria) or None,
        "examples": list(level.examples) or None,
        "response": level.response,
        "escalation": list(level.escalation) or None,
        "update_every": describe_seconds(level.update_every) if level.update_every else None,
    }
    return Namespace.present("incident.severity_level", values)


def _item_text(item: Item) -> str:
    return item.text if item.plain else item.text or item.title or ""


def _local_time(moment: datetime, zone: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return local.strftime("%Y-%m-%d %H:%M %Z")
