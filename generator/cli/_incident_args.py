"""What ``runbook incident`` needs besides its commands: paths, the record's runbook and
scheme, and checked option values (each a UsageError when wrong)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from generator.incident.model import IncidentRecord
    from generator.model import Runbook, SeverityScheme


def path(spec: str, incident_dir: str) -> Path:
    from pathlib import Path

    from generator.incident.store import find_incident

    return find_incident(spec, Path(incident_dir))


def runbook_for(record: IncidentRecord, root: str) -> Runbook | None:
    """The record's runbook, when it still loads (status and report work without it)."""
    from generator.errors import RunbookError
    from generator.load.tree import load_runbook

    runbook_id = record.runbook
    if not runbook_id:
        return None
    try:
        return load_runbook(runbook_id, root)
    except RunbookError:
        return None


def scheme_for(record: IncidentRecord, root: str) -> SeverityScheme | None:
    """The scheme of the record's runbook, when it still loads."""
    from generator.load.tree import severity_scheme

    runbook = runbook_for(record, root)
    return severity_scheme(runbook) if runbook is not None else None


USUAL_STATUSES = ("investigating", "identified", "monitoring", "resolved")
"""The statuses incident tools and status pages share."""


def status_warning(status: str, runbook: Runbook | None) -> str | None:
    """A warning for a status that neither the usual ones nor the runbook's comms templates
    use: it is recorded as given (statuses are free text), but a template chosen by status
    would never match it."""
    known = list(USUAL_STATUSES)
    if runbook is not None:
        known += [t.status for t in runbook.communications.templates if t.status]
    if status.lower() in {k.lower() for k in known}:
        return None
    from checks.problems import did_you_mean

    listed = ", ".join(dict.fromkeys(known))
    return (
        f"warning: status '{status}' is none of {listed}{did_you_mean(status, known)}; "
        "recorded as given"
    )


def check_severity(severity: str, scheme: SeverityScheme) -> None:
    from checks.problems import did_you_mean
    from generator.errors import UsageError

    ids = [level.id for level in scheme.levels]
    if severity not in ids:
        by_case = [i for i in ids if i.lower() == severity.lower()]
        hint = f" (did you mean '{by_case[0]}'?)" if by_case else did_you_mean(severity, ids)
        raise UsageError(f"--severity {severity}: not in the scheme ({', '.join(ids)}){hint}")


def check_timezone(zone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from generator.errors import UsageError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {zone}: not a time zone (expected an IANA name: Europe/Berlin, UTC)"
        ) from None


def cadence_minutes(text: str) -> int:
    from checks.header import parse_duration
    from generator.errors import UsageError

    try:
        if text.strip().replace(".", "", 1).isdigit():
            raise ValueError("a unit is needed")
        seconds = parse_duration(text)
    except ValueError:
        raise UsageError(f"--update-every {text}: expected a duration (15m, 1h, 1h30m)") from None
    if seconds < 60:
        raise UsageError(f"--update-every {text}: the shortest cadence is 1m")
    return round(seconds / 60)


def custom_fields(
    pairs: list[tuple[str, str]], ref: str, runbook: Runbook | None
) -> list[tuple[str, str]]:
    """``update --set NAME=VALUE`` pairs, checked: a name a template can read as
    ``{{ NAME }}`` that nothing else provides (the context, the incident's own fields,
    a secret variable of the runbook)."""
    import re

    from generator.comms.context import CONTEXT_SCHEMA, INCIDENT_FIELDS
    from generator.comms.hints import RECORDED_BY
    from generator.errors import UsageError

    secrets = {v.name for v in runbook.variables if v.secret} if runbook is not None else set()
    for name, _ in pairs:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UsageError(
                f"--set {name!r}: a field name is letters, digits and _, not starting with a "
                "digit (customer_impact)"
            )
        if name in CONTEXT_SCHEMA:
            raise UsageError(f"--set {name}: '{name}' is provided by the context")
        if name in INCIDENT_FIELDS:
            command = RECORDED_BY.get(name)
            how = (
                f"; record it with `runbook incident {command.format(ref=ref, field='NAME')}`"
                if command
                else f" (incident.{name}), made from the record"
            )
            raise UsageError(f"--set {name}: '{name}' is a field of the incident{how}")
        if name in secrets:
            raise UsageError(
                f"--set {name}: '{name}' is a secret variable of the runbook; secrets are "
                "never recorded"
            )
    return pairs
