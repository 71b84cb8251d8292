"""Communication templates: the context they see, rendering in the sandbox, located problems.

The site (``render_example``), lint (``check_template``) and ``runbook comms`` all render
through ``render_template``, so what the site shows is what the CLI prints.

Context names a template may use (values are strings unless noted; times are ISO 8601 UTC,
format them with the ``time``, ``datetime`` and ``date`` filters, minutes with ``minutes``):

``incident``
    ``id``, ``title``, ``severity`` (``SEV1``), ``severity_label`` (``Critical``), ``status``,
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

A value the context lacks is an error naming it and the template's ``file:line``, never an
empty string. Secret variables of the runbook are never part of the context, and their
values (when the caller knows them) are redacted from the output.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError

from generator.comms_sandbox import (
    MAX_TEMPLATE_CHARS,
    Escape,
    Namespace,
    environment,
    escape_for,
    format_minutes,
    missing_name,
    render_source,
)
from generator.errors import ExitCode, Problem, RunbookError, Severity, did_you_mean
from generator.loader import severity_scheme
from generator.model import CommsTemplate, Runbook, SourceLocation

RULE = "comms-template"
REDACTED = "********"

INCIDENT_FIELDS: dict[str, str] = {
    "id": "incident id (INC-20240115-1415)",
    "title": "what is broken, in a few words",
    "severity": "severity level id (SEV1, P0 ...)",
    "severity_label": "the level's label in the scheme (Critical ...)",
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
    "runbook": "the runbook (fields: " + ", ".join(RUNBOOK_FIELDS) + ")",
    "now": "the time of rendering (ISO; filters: time, datetime, date)",
}
_SCHEMA: dict[str, Any] = {
    "incident": {**dict.fromkeys(INCIDENT_FIELDS), "impact": dict.fromkeys(IMPACT_FIELDS)},
    "runbook": dict.fromkeys(RUNBOOK_FIELDS),
    "now": None,
}
_SET_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

SAMPLE_NOW = datetime(2024, 1, 15, 14, 30, tzinfo=UTC)
"""The built-in sample incident's "now" (the site and goldens are deterministic)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A name a template reads, with where."""

    name: str
    """Dotted: ``incident.title``, ``postmortem_url``."""
    part: str
    """``subject`` or ``body``."""
    line: int
    """1-based line within that part."""


# -- severity ------------------------------------------------------------------------------


def describe_seconds(seconds: float) -> str:
    """``15 minutes``, ``1 hour``, ``90 minutes`` for a cadence."""
    minutes = round(seconds / 60)
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour" + ("s" if hours != 1 else "")
    return f"{minutes} minute" + ("s" if minutes != 1 else "")


# -- context -------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    # Absent and empty values stay undefined so a template using them fails loudly.
    return {k: v for k, v in values.items() if v is not None and v != ""}


def incident_context(
    runbook: Runbook | None, record: Mapping[str, Any], now: datetime
) -> Namespace:
    """The ``incident`` namespace for one incident record (the mapping under ``incident:``)."""
    from generator.incident import last_update_at, update_every_seconds

    started = _parse_iso(record.get("started_at"))
    resolved = _parse_iso(record.get("resolved_at"))
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
        "status": record.get("status"),
        "impact": Namespace("incident.impact", _present(impact)),
        "started_at": _iso(started) if started else None,
        "commander": commander,
        "roles": Namespace("incident.roles", _present(dict(roles))),
        "resolution": record.get("resolution"),
        "root_cause": record.get("root_cause"),
        "eta": record.get("eta"),
        "channel": record.get("channel"),
        "detected_by": record.get("detected_by"),
        "acknowledged_at": record.get("acknowledged_at"),
        "resolved_at": _iso(resolved) if resolved else None,
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
            values["next_update"] = _iso(last + timedelta(seconds=cadence))
    return Namespace("incident", _present(values))


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
    context: dict[str, Any] = {"runbook": runbook_context(runbook), "now": _iso(now)}
    if record is not None:
        context["incident"] = incident_context(runbook, record, now)
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
            if head in _SCHEMA:
                raise RunbookError(
                    f"--set {key}: '{head}' is provided by the context; set one of its fields "
                    f"({head}.NAME=VALUE)",
                    exit_code=ExitCode.USAGE,
                )
            context[head] = value
            continue
        target = context.setdefault(head, Namespace(head, {}))
        if not isinstance(target, Namespace):
            raise RunbookError(
                f"--set {key}: '{head}' is not a namespace", exit_code=ExitCode.USAGE
            )
        *parents, leaf = rest.split(".")
        for part in parents:
            child = target.get(part)
            if not isinstance(child, Namespace):
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
    record = sample_record(runbook, template)
    now = SAMPLE_NOW if "resolved_at" not in record else datetime(2024, 1, 15, 15, 45, tzinfo=UTC)
    return build_context(runbook, record, now, template.examples)


# -- rendering -----------------------------------------------------------------------------


def render_template(
    runbook: Runbook,
    template: CommsTemplate,
    context: Mapping[str, Any],
    *,
    secret_values: Iterable[str] = (),
    destination: str | None = None,
) -> tuple[str | None, str]:
    """(subject, body) of ``template`` over ``context``; the one rendering path.

    ``destination`` is where the message is sent when that is not the template's own
    channel (``slack`` for ``--send slack-webhook``): it decides the escaping of values.
    Raises ``RunbookError`` (exit 3) with the template's location for anything that does
    not render: syntax, a missing value, a sandbox refusal, a limit.
    """
    mode = escape_for(template.channel, template.format, destination=destination)
    secrets = {v.name for v in runbook.variables if v.secret}
    subject = None
    if template.subject is not None:
        subject = _render_part(template, "subject", template.subject, mode, context, secrets)
    body = _render_part(template, "body", template.body, mode, context, secrets)
    for value in sorted({v for v in secret_values if v}, key=len, reverse=True):
        body = body.replace(value, REDACTED)
        subject = subject.replace(value, REDACTED) if subject is not None else None
    return subject, body


def render_example(runbook: Runbook, template: CommsTemplate) -> tuple[str | None, str]:
    """(subject, body) with the template's ``examples`` over the built-in sample incident."""
    return render_template(runbook, template, example_context(runbook, template))


def _render_part(
    template: CommsTemplate,
    part: str,
    source: str,
    mode: Escape,
    context: Mapping[str, Any],
    secrets: set[str],
) -> str:
    try:
        return render_source(environment(mode), source, dict(context))
    except TemplateSyntaxError as exc:
        raise _error(template, part, exc.lineno, f"syntax error: {exc.message}") from None
    except UndefinedError as exc:
        line = _template_line(exc)
        name = missing_name(exc)
        if isinstance(exc, SecurityError) or name is None:
            raise _error(template, part, line, f"sandbox: {exc.message}") from None
        raise _error(template, part, line, _missing_message(name, secrets)) from None
    except SecurityError as exc:
        raise _error(template, part, _template_line(exc), f"sandbox: {exc}") from None
    except RecursionError as exc:
        raise _error(template, part, _template_line(exc), "recursion too deep") from None
    except Exception as exc:  # the user's template failed (1/0, 'a' + 1 ...): report it
        raise _error(template, part, _template_line(exc), f"{type(exc).__name__}: {exc}") from None


def _missing_message(name: str, secrets: set[str]) -> str:
    head = name.split(".", 1)[0]
    if head in secrets:
        return f"'{head}' is a secret variable; secrets are never rendered"
    if head == "incident" and name != "incident":
        return (
            f"undefined variable '{name}': the incident has no value for it "
            f"(record it, or pass --set {name}=VALUE)"
        )
    if head in _SCHEMA:
        return f"undefined variable '{name}'"
    return (
        f"undefined variable '{name}' (pass --set {head}=VALUE, "
        f"or name it in the template's examples)"
    )


def _template_line(exc: BaseException) -> int:
    # Jinja rewrites tracebacks so template frames carry template line numbers.
    line = 1
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = lineno
    return line


def locate(template: CommsTemplate, part: str, line: int) -> tuple[SourceLocation, str]:
    """Where line ``line`` of a template part is, and a suffix when it cannot be exact."""
    if part == "body" and template.body_location is not None:
        base = template.body_location
        return SourceLocation(base.path, base.line + line - 1, base.col), ""
    return template.location, f" ({part} line {line})"


def _error(template: CommsTemplate, part: str, line: int | None, what: str) -> RunbookError:
    return RunbookError(problems=[_problem(template, part, line or 1, what)])


def _problem(template: CommsTemplate, part: str, line: int, what: str) -> Problem:
    location, suffix = locate(template, part, line)
    return Problem(
        location, Severity.ERROR, f"comms template '{template.id}': {what}{suffix}", RULE
    )


# -- static checks -------------------------------------------------------------------------


def template_references(template: CommsTemplate) -> list[Reference]:
    """Every context name the template reads, dotted where statically known, in order.

    Raises ``RunbookError`` on a syntax error.
    """
    refs: list[Reference] = []
    for part, source in (("subject", template.subject), ("body", template.body)):
        if source is None:
            continue
        try:
            names = _source_names(source)
        except TemplateSyntaxError as exc:
            raise _error(template, part, exc.lineno, f"syntax error: {exc.message}") from None
        refs.extend(Reference(name, part, line) for name, line in names)
    return refs


@functools.lru_cache(maxsize=1024)
def _source_names(source: str) -> tuple[tuple[str, int], ...]:
    """(dotted name, line) of every context name ``source`` reads (cached: inherited
    templates are checked once per runbook)."""
    tree = environment(Escape.NONE).parse(source)
    return tuple(_walk_names(tree, meta.find_undeclared_variables(tree)))


def _walk_names(node: nodes.Node, undeclared: set[str]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(node, nodes.Getattr | nodes.Getitem):
        path = _dotted(node)
        if path is not None and path[0] in undeclared:
            return [(".".join(path), node.lineno)]
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in undeclared:
        return [(node.name, node.lineno)]
    for child in node.iter_child_nodes():
        found.extend(_walk_names(child, undeclared))
    return found


def _dotted(node: nodes.Node) -> list[str] | None:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        inner = _dotted(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        inner = _dotted(node.node)
        if inner is not None and isinstance(node.arg.value, str):
            return [*inner, node.arg.value]
    return None


def required_values(template: CommsTemplate) -> list[str]:
    """Top-level names the template needs from ``--set`` (not provided by the context)."""
    seen: list[str] = []
    for ref in template_references(template):
        head = ref.name.split(".", 1)[0]
        if head not in _SCHEMA and head not in seen:
            seen.append(head)
    return seen


def check_template(runbook: Runbook, template: CommsTemplate) -> list[Problem]:
    """Problems of one template: size, syntax, unknown names, then a trial render.

    Names must be context names, fields the context knows, or names the template's
    ``examples`` give (rule ``comms-template``).
    """
    problems: list[Problem] = []
    for part, source in (("subject", template.subject), ("body", template.body)):
        if source is not None and len(source) > MAX_TEMPLATE_CHARS:
            problems.append(
                _problem(
                    template,
                    part,
                    1,
                    f"{part} has {len(source)} characters, over the limit of {MAX_TEMPLATE_CHARS}",
                )
            )
    if problems:
        return problems
    try:
        refs = template_references(template)
    except RunbookError as exc:
        return list(exc.problems)
    examples = {key.split(".", 1)[0] for key, _ in template.examples}
    secrets = {v.name for v in runbook.variables if v.secret}
    reported: set[str] = set()
    for ref in refs:
        message = _unknown_name(ref.name, examples, secrets)
        if message and ref.name not in reported:
            reported.add(ref.name)
            problems.append(_problem(template, ref.part, ref.line, message))
    if problems:
        return problems
    try:
        render_example(runbook, template)
    except RunbookError as exc:
        problems.extend(exc.problems)
    return problems


def _unknown_name(name: str, examples: set[str], secrets: set[str]) -> str | None:
    parts = name.split(".")
    head = parts[0]
    if head in secrets:
        return f"'{head}' is a secret variable; secrets are never rendered"
    if head not in _SCHEMA:
        if head in examples:
            return None
        return (
            f"'{head}' is not provided by the context"
            f"{did_you_mean(head, list(_SCHEMA) + sorted(examples))}: "
            f"name it in the template's examples (and pass --set {head}=VALUE)"
        )
    schema: Any = _SCHEMA[head]
    path = head
    for part in parts[1:]:
        if not isinstance(schema, dict):
            return None  # a leaf's own attributes (title.upper) are the sandbox's business
        if part not in schema:
            return f"'{path}' has no field '{part}'{did_you_mean(part, schema)}"
        schema = schema[part]
        path = f"{path}.{part}"
    return None


# -- lookup --------------------------------------------------------------------------------


def load_runbook(target: str, root: str) -> Runbook:
    """The runbook for a CLI TARGET (id or YAML file); located errors exit 3."""
    from generator.errors import has_errors
    from generator.loader import load_file, resolve_target

    path = resolve_target(target, root)
    result = load_file(path, root)
    if has_errors(result.problems) or not result.runbooks:
        raise RunbookError(
            problems=result.problems or (),
            message="" if result.problems else (f"{path}: not a runbook"),
        )
    return result.runbooks[0]


def find_template(runbook: Runbook, template_id: str) -> CommsTemplate:
    """The template named ``template_id``; exit 2 with did-you-mean otherwise."""
    templates = runbook.communications.templates
    for template in templates:
        if template.id == template_id:
            return template
    ids = [t.id for t in templates]
    known = f"; templates: {', '.join(ids)}" if ids else "; it has no templates"
    raise RunbookError(
        f"runbook '{runbook.id}' has no comms template '{template_id}'"
        f"{did_you_mean(template_id, ids)}{known}",
        exit_code=ExitCode.USAGE,
    )
