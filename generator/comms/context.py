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
    A top-level name: a custom field of the incident (``runbook incident update --set
    NAME=VALUE``), or given with ``runbook comms --set NAME=VALUE`` (which wins), or, on
    the site and without an incident, the template's ``examples``: examples never fill
    in a real incident's missing value. ``--set incident.eta=20m`` overrides a field of
    the incident.

A value the context lacks is an error naming it (``generator.comms.templates``);
``generator.comms.hints`` says which ``runbook incident`` command records it. Secret
variables of the runbook are never part of the context. The ``incident`` namespace is made
by ``generator.comms.incident_context``; the sample incident of examples is made here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TypeAlias

from checks.problems import ExitCode
from generator.comms.incident_context import incident_context
from generator.comms.sandbox import Namespace
from generator.errors import RunbookError
from generator.incident.model import IncidentRecord, YamlMapping, YamlValue, format_time
from generator.load.tree import severity_scheme
from generator.model import CommsTemplate, Runbook

Context: TypeAlias = dict[str, object]
"""Top-level name -> value (a ``Namespace`` for ``incident`` and ``runbook``)."""

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
Schema: TypeAlias = "dict[str, Schema | None]"
CONTEXT_SCHEMA: Schema = {
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


def runbook_context(runbook: Runbook) -> Namespace:
    """The ``runbook`` namespace."""
    links = [
        Namespace.present("runbook.links[]", {"title": link.title, "url": link.url or link.path})
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
    return Namespace.present("runbook", values)


def build_context(
    runbook: Runbook,
    record: IncidentRecord | None,
    now: datetime,
    values: Iterable[tuple[str, str]] = (),
) -> Context:
    """The whole context: incident (when a record is given), runbook, now, and ``values``.

    ``values`` are ``--set`` pairs (or a template's examples); a dotted key overrides a
    field (``incident.eta``). Setting a secret variable is an error (exit 2). The
    record's custom fields come first, so ``values`` override them; one named like a
    secret variable is left out (a template reading it fails: secrets are never rendered).
    """
    secrets = {v.name for v in runbook.variables if v.secret}
    recorded = [
        (name, value)
        for name, value in (record.fields.items() if record is not None else ())
        if name not in secrets and name not in CONTEXT_SCHEMA
    ]
    return with_values(_base_context(runbook, record, now), runbook, [*recorded, *values])


def _base_context(runbook: Runbook, record: IncidentRecord | None, now: datetime) -> Context:
    context: Context = {"runbook": runbook_context(runbook), "now": format_time(now)}
    if record is not None:
        context["incident"] = incident_context(runbook, record, now)
    return context


def with_values(
    base: Mapping[str, object], runbook: Runbook, values: Iterable[tuple[str, str]]
) -> Context:
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


def sample_record(runbook: Runbook, template: CommsTemplate) -> IncidentRecord:
    """The built-in sample incident, shaped by the runbook and the template's status."""
    scheme = severity_scheme(runbook)
    severity = runbook.severity
    if scheme is not None and scheme.levels and (severity is None or not scheme.level(severity)):
        severity = scheme.levels[0].id
    status = template.status or "investigating"
    resolved = status.lower() in {"resolved", "postmortem", "closed", "all-clear"}
    first_check = next((s for s in runbook.all_steps() if s.run), None)
    timeline: list[YamlValue] = [
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
    record: YamlMapping = {
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
    return IncidentRecord(record)


def example_context(runbook: Runbook, template: CommsTemplate) -> Context:
    """Sample incident, runbook, a fixed now, and the template's ``examples``."""
    return ExampleContexts(runbook).context(template)


class ExampleContexts:
    """The example contexts of one runbook's templates. All but a template's ``examples``
    depends only on the runbook and the template's status, so it is made once per status
    (a runbook's templates share it: lint checks thousands)."""

    def __init__(self, runbook: Runbook) -> None:
        self.runbook = runbook
        self._bases: dict[str | None, Context] = {}

    def context(self, template: CommsTemplate) -> Context:
        """Sample incident, runbook, a fixed now, and the template's ``examples``."""
        base = self._bases.get(template.status)
        if base is None:
            record = sample_record(self.runbook, template)
            resolved = record.has("resolved_at")
            now = datetime(2024, 1, 15, 15, 45, tzinfo=UTC) if resolved else SAMPLE_NOW
            base = self._bases[template.status] = _base_context(self.runbook, record, now)
        return with_values(base, self.runbook, template.examples)
