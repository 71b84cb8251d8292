"""The context a communication template renders over: names, values, and how to record them.

Context names a template may use (values are strings unless noted; times are ISO 8601 UTC,
format them with the ``time``, ``datetime`` and ``date`` filters, minutes with ``minutes``):

``incident``
    ``id``, ``title``, ``severity`` (``SEV1``), ``severity_label`` (``Critical``),
    ``severity_level`` (the level's entry in the runbook's scheme: ``id``, ``label``,
    ``impact``, ``criteria`` and ``examples`` (lists), ``response``, ``escalation`` (list),
    ``update_every`` (``15 minutes``)), ``status``,
    ``impact`` {``users_affected``, ``revenue_lost``, ``duration_minutes``, ``summary``},
    ``started_at``, ``started_at_local`` (only when the record names a ``timezone``),
    ``duration`` (``1h 30m``, to resolution or now), ``commander``, ``roles`` (role -> person),
    ``next_update`` (when the severity's cadence says the next update is due),
    ``update_every`` (``15 minutes``), ``resolution``, ``root_cause``, ``eta``, ``channel``,
    ``actions`` (blocks run: ``time``, ``block``, ``status``, ``exit_code``), ``detected_by``,
    ``acknowledged_at``, ``resolved_at``, ``action_items`` (list of text).
``runbook``
    ``id``, ``title``, ``summary``, ``service``, ``owner``, ``severity``,
    ``links`` (list of {``title``, ``url``}).
``now``
    The time of rendering.
Anything else
    A top-level name given with ``--set NAME=VALUE`` (or, on the site, the template's
    ``examples``). ``--set incident.eta=20m`` overrides a field of the incident.

A value the context lacks is an error naming it (``generator.comms.templates``);
``missing_hint`` says which ``runbook incident`` command records it. Secret variables of
the runbook are never part of the context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from checks.problems import ExitCode
from generator.comms.sandbox import Namespace, format_minutes
from generator.errors import RunbookError
from generator.incident.record import format_time, parse_time
from generator.load.tree import severity_scheme
from generator.model import CommsTemplate, Runbook, SeverityLevel

SEVERITY_LEVEL_FIELDS: dict[str, str] = {
    "id": "SEV1, P0 ...",
    "label": "Critical, High ...",
    "impact": "what this level means",
    "criteria": "conditions that make an incident this level (list)",
    "examples": "example incidents (list)",
    "response": "response time, as written",
    "escalation": "who is involved, in order (list)",
    "update_every": "the level's update cadence (15 minutes)",
}
INCIDENT_FIELDS: dict[str, str] = {
    "id": "incident id (INC-20240115-1415)",
    "title": "what is broken, in a few words",
    "severity": "severity level id (SEV1, P0 ...)",
    "severity_label": "the level's label in the scheme (Critical ...)",
    "severity_level": "the severity's entry in the scheme: " + ", ".join(SEVERITY_LEVEL_FIELDS),
    "status": "investigating, identified, monitoring, resolved (free text)",
    "impact": "users_affected, revenue_lost, duration_minutes, summary",
    "started_at": "ISO time the incident started",
    "started_at_local": "started_at in the record's timezone (only when it names one)",
    "duration": "1h 30m: start to resolution, or to now",
    "commander": "the incident commander (roles.commander)",
    "roles": "role -> person",
    "next_update": "ISO time the next update is due by the severity's cadence",
    "update_every": "the severity's update cadence (15 minutes)",
    "resolution": "what fixed it",
    "root_cause": "why it happened",
    "eta": "estimated resolution (free text)",
    "channel": "the incident channel (#incident-...)",
    "actions": "blocks run: time, block, status, exit_code",
    "detected_by": "how it was detected",
    "acknowledged_at": "ISO time it was acknowledged",
    "resolved_at": "ISO time it was resolved",
    "action_items": "follow-ups (list of text)",
}
IMPACT_FIELDS = ("users_affected", "revenue_lost", "duration_minutes", "summary")
RUNBOOK_FIELDS = ("id", "title", "summary", "service", "owner", "severity", "links")
CONTEXT_NAMES: dict[str, str] = {
    "incident": "the incident (fields: " + ", ".join(INCIDENT_FIELDS) + ")",
    "incident.impact": "the incident's impact (fields: " + ", ".join(IMPACT_FIELDS) + ")",
    "incident.severity_level": "the severity's entry in the runbook's scheme (fields: "
    + ", ".join(SEVERITY_LEVEL_FIELDS)
    + ")",
    "runbook": "the runbook (fields: " + ", ".join(RUNBOOK_FIELDS) + ")",
    "now": "the time of rendering (ISO; filters: time, datetime, date)",
}
CONTEXT_SCHEMA: dict[str, Any] = {
    "incident": {
        **dict.fromkeys(INCIDENT_FIELDS),
        "impact": dict.fromkeys(IMPACT_FIELDS),
        "severity_level": dict.fromkeys(SEVERITY_LEVEL_FIELDS),
    },
    "runbook": dict.fromkeys(RUNBOOK_FIELDS),
    "now": None,
}
_SET_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

SAMPLE_NOW = datetime(2024, 1, 15, 14, 30, tzinfo=UTC)
"""The built-in sample incident's "now" (the site and goldens are deterministic)."""


# -- severity ------------------------------------------------------------------------------


def describe_seconds(seconds: float) -> str:
    """``15 minutes``, ``1 hour``, ``90 minutes`` for a cadence."""
    minutes = round(seconds / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


# -- context -------------------------------------------------------------------------------


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    # Absent and empty values stay undefined so a template using them fails loudly.
    return {k: v for k, v in values.items() if v is not None and v != ""}


def incident_context(
    runbook: Runbook | None, record: Mapping[str, Any], now: datetime
) -> Namespace:
    """The ``incident`` namespace for one incident record (the mapping under ``incident:``)."""
    from generator.incident.record import last_update_at, update_every_seconds

    started = parse_time(record.get("started_at"))
    resolved = parse_time(record.get("resolved_at"))
    severity = record.get("severity")
    label = None
    scheme = severity_scheme(runbook) if runbook is not None else None
    level = scheme.level(str(severity)) if scheme is not None and severity else None
    if level is not None:
        label = level.label or None
    cadence = update_every_seconds(record, scheme)
    roles = record.get("roles") if isinstance(record.get("roles"), Mapping) else {}
    assert isinstance(roles, Mapping)
    commander = roles.get("commander") or roles.get("incident_commander")
    impact_raw = record.get("impact") if isinstance(record.get("impact"), Mapping) else {}
    assert isinstance(impact_raw, Mapping)
    impact = dict(impact_raw)
    if started is not None and "duration_minutes" not in impact and resolved is not None:
        impact["duration_minutes"] = round((resolved - started).total_seconds() / 60)
    values: dict[str, Any] = {
        "id": record.get("id"),
        "title": record.get("title"),
        "severity": severity,
        "severity_label": label,
        "severity_level": _level_context(level) if level is not None else None,
        "status": record.get("status"),
        "impact": Namespace("incident.impact", _present(impact)),
        "started_at": format_time(started) if started else None,
        "commander": commander,
        "roles": Namespace("incident.roles", _present(dict(roles))),
        "resolution": record.get("resolution"),
        "root_cause": record.get("root_cause"),
        "eta": record.get("eta"),
        "channel": record.get("channel"),
        "detected_by": record.get("detected_by"),
        "acknowledged_at": record.get("acknowledged_at"),
        "resolved_at": format_time(resolved) if resolved else None,
        "action_items": [_item_text(i) for i in record.get("action_items") or ()],
        "actions": [
            Namespace(
                "incident.actions[]",
                _present(
                    {
                        "time": e.get("time"),
                        "block": e.get("block"),
                        "status": e.get("status"),
                        "exit_code": e.get("exit_code"),
                    }
                ),
            )
            for e in record.get("timeline") or ()
            if isinstance(e, Mapping) and e.get("kind") == "exec"
        ],
    }
    if started is not None:
        minutes = ((resolved or now) - started).total_seconds() / 60
        values["duration"] = format_minutes(max(minutes, 0))
        zone = record.get("timezone")
        if isinstance(zone, str) and zone:
            values["started_at_local"] = _local_time(started, zone)
    if cadence is not None:
        values["update_every"] = describe_seconds(cadence)
        last = last_update_at(record) or started
        if last is not None and resolved is None:
            values["next_update"] = format_time(last + timedelta(seconds=cadence))
    return Namespace("incident", _present(values))


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
    return Namespace("incident.severity_level", _present(values))


def _item_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("text") or item.get("title") or "")
    return str(item)


def _local_time(moment: datetime, zone: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        local = moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return local.strftime("%Y-%m-%d %H:%M %Z")


def runbook_context(runbook: Runbook) -> Namespace:
    """The ``runbook`` namespace."""
    links = [
        Namespace("runbook.links[]", _present({"title": link.title, "url": link.url or link.path}))
        for link in runbook.links
    ]
    values = {
        "id": runbook.id,
        "title": runbook.title,
        "summary": runbook.summary,
        "service": runbook.service,
        "owner": runbook.owner,
        "severity": runbook.severity,
        "links": links,
    }
    return Namespace("runbook", _present(values))


def build_context(
    runbook: Runbook,
    record: Mapping[str, Any] | None,
    now: datetime,
    values: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The whole context: incident (when a record is given), runbook, now, and ``values``.

    ``values`` are ``--set`` pairs (or a template's examples); a dotted key overrides a
    field (``incident.eta``). Setting a secret variable is an error (exit 2).
    """
    return with_values(_base_context(runbook, record, now), runbook, values)


def _base_context(
    runbook: Runbook, record: Mapping[str, Any] | None, now: datetime
) -> dict[str, Any]:
    context: dict[str, Any] = {"runbook": runbook_context(runbook), "now": format_time(now)}
    if record is not None:
        context["incident"] = incident_context(runbook, record, now)
    return context


def with_values(
    base: Mapping[str, Any], runbook: Runbook, values: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """A copy of the context ``base`` with ``values`` set (see ``build_context``); the
    namespaces of ``base`` are copied where a value goes into them, never changed, so one
    base serves many templates."""
    context = dict(base)
    secrets = {v.name for v in runbook.variables if v.secret}
    for key, value in values:
        if not _SET_KEY.match(key):
            raise RunbookError(f"--set {key!r}: expected NAME=VALUE", exit_code=ExitCode.USAGE)
        head, _, rest = key.partition(".")
        if head in secrets:
            raise RunbookError(
                f"--set {key}: '{head}' is a secret variable; secrets are never rendered",
                exit_code=ExitCode.USAGE,
            )
        if not rest:
            if head in CONTEXT_SCHEMA:
                raise RunbookError(
                    f"--set {key}: '{head}' is provided by the context; set one of its fields "
                    f"({head}.NAME=VALUE)",
                    exit_code=ExitCode.USAGE,
                )
            context[head] = value
            continue
        target = context.get(head, Namespace(head, {}))
        if not isinstance(target, Namespace):
            raise RunbookError(
                f"--set {key}: '{head}' is not a namespace", exit_code=ExitCode.USAGE
            )
        target = context[head] = Namespace(target.path, dict(target))  # ours to change
        *parents, leaf = rest.split(".")
        for part in parents:
            child = target.get(part)
            if isinstance(child, Namespace):
                child = Namespace(child.path, dict(child))
            else:
                child = Namespace(f"{target.path}.{part}", {})
            dict.__setitem__(target, part, child)
            target = child
        dict.__setitem__(target, leaf, value)
    return context


def sample_record(runbook: Runbook, template: CommsTemplate) -> dict[str, Any]:
    """The built-in sample incident, shaped by the runbook and the template's status."""
    scheme = severity_scheme(runbook)
    severity = runbook.severity
    if scheme is not None and scheme.levels and (severity is None or not scheme.level(severity)):
        severity = scheme.levels[0].id
    status = template.status or "investigating"
    resolved = status.lower() in {"resolved", "postmortem", "closed", "all-clear"}
    first_check = next((s for s in runbook.all_steps() if s.run), None)
    timeline: list[dict[str, Any]] = [
        {"time": "2024-01-15T14:15:00Z", "kind": "start", "event": "Alert triggered"},
        {"time": "2024-01-15T14:18:00Z", "kind": "ack", "event": "Acknowledged"},
    ]
    if first_check is not None:
        timeline.append(
            {
                "time": "2024-01-15T14:22:00Z",
                "kind": "exec",
                "block": runbook.block_id(first_check),
                "status": "passed",
                "exit_code": 0,
            }
        )
    record: dict[str, Any] = {
        "id": "INC-20240115-1415",
        "title": runbook.title,
        "severity": severity,
        "status": status,
        "started_at": "2024-01-15T14:15:00Z",
        "detected_by": "monitoring_alert",
        "acknowledged_at": "2024-01-15T14:18:00Z",
        "impact": {
            "users_affected": 15000,
            "revenue_lost": "$45,000",
            "duration_minutes": 90,
            "summary": f"errors and timeouts in {runbook.service or runbook.title}",
        },
        "roles": {"commander": "Alex Kim", "comms": "Sam Lee", "scribe": "Jo Park"},
        "channel": "#incident-2024-01-15",
        "eta": "45 minutes",
        "resolution": "Rolled back the 14:02 deploy and confirmed recovery",
        "root_cause": "A configuration change in the 14:02 deploy",
        "timeline": timeline,
        "action_items": ["Add an alert on the leading signal", "Update this runbook"],
    }
    if resolved:
        record["resolved_at"] = "2024-01-15T15:45:00Z"
    else:
        timeline.append({"time": "2024-01-15T14:30:00Z", "kind": "update", "event": "Update"})
    return record


def example_context(runbook: Runbook, template: CommsTemplate) -> dict[str, Any]:
    """Sample incident, runbook, a fixed now, and the template's ``examples``."""
    return ExampleContexts(runbook).context(template)


class ExampleContexts:
    """The example contexts of one runbook's templates. All but a template's ``examples``
    depends only on the runbook and the template's status, so it is made once per status
    (a runbook's templates share it: lint checks thousands)."""

    def __init__(self, runbook: Runbook) -> None:
        self.runbook = runbook
        self._bases: dict[str | None, dict[str, Any]] = {}

    def context(self, template: CommsTemplate) -> dict[str, Any]:
        """Sample incident, runbook, a fixed now, and the template's ``examples``."""
        base = self._bases.get(template.status)
        if base is None:
            record = sample_record(self.runbook, template)
            resolved = "resolved_at" in record
            now = datetime(2024, 1, 15, 15, 45, tzinfo=UTC) if resolved else SAMPLE_NOW
            base = self._bases[template.status] = _base_context(self.runbook, record, now)
        return with_values(base, self.runbook, template.examples)


# -- missing values ------------------------------------------------------------------------

RECORDED_BY: dict[str, str] = {
    "title": "update {ref} --title TEXT",
    "severity": "update {ref} --severity LEVEL",
    "status": "update {ref} --status STATUS",
    "impact": "update {ref} --impact {field}=VALUE",
    "started_at_local": "update {ref} --timezone ZONE",
    "commander": "update {ref} --commander NAME",
    "roles": "update {ref} --role {field}=NAME",
    "update_every": "update {ref} --update-every 15m",
    "next_update": "update {ref} --update-every 15m",
    "resolution": "update {ref} --resolution TEXT",
    "root_cause": "update {ref} --root-cause TEXT",
    "eta": "update {ref} --eta TEXT",
    "channel": "update {ref} --channel NAME",
    "detected_by": "update {ref} --detected-by TEXT",
    "acknowledged_at": "ack {ref}",
    "resolved_at": "resolve {ref} --resolution TEXT",
    "action_items": "update {ref} --action-item TEXT",
}
"""Incident field -> the ``runbook incident`` command that records it (``{ref}``: the
incident; ``{field}``: the sub-field asked for, as in ``--impact summary=VALUE``)."""


def missing_hint(name: str, incident: Mapping[str, Any] | None, ref: str | None) -> str:
    """Why the incident field ``name`` (``incident.root_cause``) has no value, and how to
    give it one; ``ref`` is how the user named the incident (a path or an id)."""
    parts = name.split(".")
    field = parts[1]
    sub = parts[2] if len(parts) > 2 else None
    ref = ref or str((incident or {}).get("id") or "INCIDENT")
    by_set = f"pass --set {name}=VALUE"
    if field in {"severity_level", "severity_label"}:
        severity = (incident or {}).get("severity")
        if incident is None or "severity_level" not in incident:
            why = (
                f"the incident's severity '{severity}' is not a level of the runbook's scheme"
                if severity
                else "the incident has no severity"
            )
            record = f"record one with `runbook incident update {ref} --severity LEVEL`"
            if name == "incident.severity_level":
                return f"{why} ({record})"  # --set cannot give a whole level
            return f"{why} ({record}, or {by_set})"
        what = sub or "label"
        return (
            f"level {severity} of the runbook's severity scheme has no {what} "
            f"(add it to the scheme, or {by_set})"
        )
    if field == "next_update" and incident is not None and "resolved_at" in incident:
        return f"the incident is resolved, so no update is due ({by_set})"
    command = RECORDED_BY.get(field)
    if command is None:
        return f"the incident has no value for it ({by_set})"
    command = command.format(ref=ref, field=sub or "NAME")
    why = "the incident has no value for it"
    if field in {"next_update", "update_every"}:
        why = "neither the incident nor its severity has an update cadence"
    return f"{why} (record it with `runbook incident {command}`, or {by_set})"
