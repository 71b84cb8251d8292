"""``runbook incident start|update|ack|resolve|status|report``: the incident record.

INCIDENT is a path or an id looked up in ``--dir`` (default ``incidents/``). Every change is
a locked, atomic rewrite of the YAML record (``generator.incident``: the changes are its
functions; this module reads options). The time comes from ``generator.incident.clock``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli import _incident_args as args
from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome

_DIR = click.option(
    "--dir", "incident_dir", default="incidents", metavar="D", help="Where incident ids resolve."
)
_ROOT = root_option()


@click.group("incident")
def command() -> None:
    """Keep an incident record: start, update, ack, resolve, status, report.

    \b
      runbook incident start --runbook db-pool --title "DB down" --severity SEV1
      runbook incident update INC-20240115-1415 --status identified --note "pool leak"
      runbook incident update INC-20240115-1415 --set customer_impact="Card payments fail"
      runbook exec db-pool --incident incidents/INC-20240115-1415.yaml
      runbook incident resolve INC-20240115-1415 --resolution "..." --root-cause "..."
      runbook incident report INC-20240115-1415 > postmortem.md
    """


@command.command("start")
@click.option("--runbook", "runbook_target", required=True, metavar="ID", help="The runbook.")
@click.option("--title", required=True, metavar="T", help="What is broken, in a few words.")
@click.option("--severity", metavar="S", help="A level of the runbook's scheme (default: its own).")
@click.option("--commander", metavar="NAME", help="The incident commander.")
@click.option("--detected-by", metavar="TEXT", help="How it was detected (monitoring_alert ...).")
@click.option("--channel", metavar="NAME", help="The incident channel.")
@_DIR
@_ROOT
def start(
    runbook_target: str,
    title: str,
    severity: str | None,
    commander: str | None,
    detected_by: str | None,
    channel: str | None,
    incident_dir: str,
    root: str,
) -> Outcome:
    """Create an incident record and print its path."""
    from pathlib import Path

    from generator.errors import UsageError
    from generator.incident import clock, create_incident
    from generator.incident import start as start_record
    from generator.load.tree import load_runbook, severity_scheme

    runbook = load_runbook(runbook_target, root)
    scheme = severity_scheme(runbook)
    chosen = severity or runbook.severity
    if not chosen:
        ids = ", ".join(level.id for level in scheme.levels)
        raise UsageError(f"runbook '{runbook.id}' declares no severity: pass --severity ({ids})")
    args.check_severity(chosen, scheme)
    record = start_record(
        runbook,
        scheme,
        title=title,
        severity=chosen,
        now=clock.now(),
        detected_by=detected_by,
        commander=commander,
        channel=channel,
    )
    click.echo(str(create_incident(Path(incident_dir), record)))
    return _done()


@command.command("update")
@click.argument("incident")
@click.option("--status", metavar="S", help="investigating, identified, monitoring ... (free text)")
@click.option("--note", metavar="TEXT", help="What happened or was decided.")
@click.option("--severity", metavar="S", help="Change the severity (and with it the cadence).")
@click.option("--title", metavar="T", help="What is broken, in a few words.")
@click.option("--commander", metavar="NAME", help="The incident commander (--role commander=).")
@click.option("--role", "roles", multiple=True, metavar="ROLE=NAME", help="Assign a role.")
@click.option(
    "--impact", "impacts", multiple=True, metavar="K=V", help="summary=..., users_affected=1500"
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="NAME=VALUE",
    help="A custom field comms templates read as {{ NAME }} with --incident (empty: remove).",
)
@click.option("--channel", metavar="NAME", help="The incident channel (#incident-...).")
@click.option("--detected-by", metavar="TEXT", help="How it was detected.")
@click.option(
    "--timezone", metavar="ZONE", help="Local time zone for started_at_local (Europe/Berlin)."
)
@click.option("--update-every", metavar="DURATION", help="Status update cadence (15m, 1h).")
@click.option("--eta", metavar="TEXT", help="Estimated resolution.")
@click.option("--root-cause", metavar="TEXT", help="Why it happened (as known so far).")
@click.option("--resolution", metavar="TEXT", help="What fixed it (resolve records it too).")
@click.option("--action-item", "action_items", multiple=True, metavar="TEXT", help="A follow-up.")
@click.option(
    "--contributing-factor",
    "factors",
    multiple=True,
    metavar="TEXT",
    help="What made it likelier, larger or longer (for the postmortem; also once resolved).",
)
@click.option(
    "--lesson", "lessons", multiple=True, metavar="TEXT", help="A lesson learned (likewise)."
)
@click.option("--done", "done", multiple=True, type=int, metavar="N", help="Tick checklist item N.")
@click.option("--reopen", is_flag=True, help="Reopen a resolved incident (clears resolved_at).")
@_DIR
@_ROOT
def update(
    incident: str,
    status: str | None,
    note: str | None,
    severity: str | None,
    title: str | None,
    commander: str | None,
    roles: tuple[str, ...],
    impacts: tuple[str, ...],
    sets: tuple[str, ...],
    channel: str | None,
    detected_by: str | None,
    timezone: str | None,
    update_every: str | None,
    eta: str | None,
    root_cause: str | None,
    resolution: str | None,
    action_items: tuple[str, ...],
    factors: tuple[str, ...],
    lessons: tuple[str, ...],
    done: tuple[int, ...],
    reopen: bool,
    incident_dir: str,
    root: str,
) -> Outcome:
    """Record a status change, a note, any field a comms template reads (custom ones with
    --set), ticked checklist items, or the postmortem's contributing factors and lessons.
    A resolved incident is only changed with --reopen, except for factors, lessons and
    custom fields (--set)."""
    from generator.cli._options import name_value_pairs
    from generator.errors import UsageError
    from generator.incident import Update, clock, modify_incident, read_incident
    from generator.incident import update as update_record
    from generator.load.tree import severity_scheme

    texts = {
        "title": title, "channel": channel, "detected_by": detected_by, "timezone": timezone,
        "eta": eta, "root_cause": root_cause, "resolution": resolution,
    }  # fmt: skip
    asked = (status, note, severity, commander, roles, impacts, sets, update_every, action_items)
    if not any((*asked, factors, lessons, done, *texts.values(), reopen)):
        raise UsageError("incident update: nothing to record (see --help)")
    if timezone:
        args.check_timezone(timezone)
    every_minutes = args.cadence_minutes(update_every) if update_every else None
    path = args.path(incident, incident_dir)
    role_pairs, impact_pairs = (
        name_value_pairs(roles, "--role"),
        name_value_pairs(impacts, "--impact"),
    )
    if commander:
        role_pairs.insert(0, ("commander", commander))
    cadence_minutes: int | None = None
    # The runbook (loaded once) knows the statuses its templates use, the scheme, and its
    # secret variables (never a field).
    runbook = args.runbook_for(read_incident(path), root) if status or severity or sets else None
    fields = args.custom_fields(name_value_pairs(sets, "--set"), incident, runbook)
    if status:
        warning = args.status_warning(status, runbook)
        if warning:
            click.echo(warning, err=True)
    if severity and runbook is not None:
        scheme = severity_scheme(runbook)
        args.check_severity(severity, scheme)
        level = scheme.level(severity)
        if level is not None and level.update_every:
            cadence_minutes = round(level.update_every / 60)
    change = Update(
        status=status,
        note=note,
        severity=severity,
        severity_cadence_minutes=cadence_minutes,
        every_minutes=every_minutes,
        texts=tuple((key, value) for key, value in texts.items() if value),
        roles=tuple(role_pairs),
        impact=tuple(impact_pairs),
        fields=tuple(fields),
        action_items=action_items,
        contributing_factors=factors,
        lessons=lessons,
        done=done,
        reopen=reopen,
    )
    now = clock.now()
    modify_incident(path, lambda record: update_record(record, change, now))
    return _done()


@command.command("ack")
@click.argument("incident")
@click.option("--by", metavar="NAME", help="Who acknowledged.")
@_DIR
def ack(incident: str, by: str | None, incident_dir: str) -> Outcome:
    """Record that the incident was acknowledged (the first acknowledgement counts)."""
    from generator.incident import acknowledge, clock, modify_incident

    path = args.path(incident, incident_dir)
    now = clock.now()
    earlier = modify_incident(path, lambda record: acknowledge(record, by, now))
    if earlier:
        click.echo(f"note: already acknowledged at {earlier}", err=True)
    return _done()


@command.command("resolve")
@click.argument("incident")
@click.option("--resolution", required=True, metavar="TEXT", help="What fixed it.")
@click.option("--root-cause", metavar="TEXT", help="Why it happened.")
@click.option("--note", metavar="TEXT", help="Anything else for the timeline.")
@_DIR
def resolve(
    incident: str, resolution: str, root_cause: str | None, note: str | None, incident_dir: str
) -> Outcome:
    """Mark the incident resolved now, with its resolution and root cause."""
    from generator.incident import clock, modify_incident
    from generator.incident import resolve as resolve_record

    path = args.path(incident, incident_dir)
    now = clock.now()
    modify_incident(path, lambda record: resolve_record(record, resolution, root_cause, note, now))
    return _done()


@command.command("status")
@click.argument("incident")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@_DIR
@_ROOT
def status(incident: str, fmt: str, incident_dir: str, root: str) -> Outcome:
    """What is due: the next update by the severity's cadence and by each comms channel's
    cadence, open checklist and items."""
    from checks.terminal import visible
    from generator.incident import clock, read_incident
    from generator.incident.report import status_json, status_lines
    from generator.load.tree import severity_scheme

    record = read_incident(args.path(incident, incident_dir))
    runbook = args.runbook_for(record, root)
    scheme = severity_scheme(runbook) if runbook is not None else None
    channels = runbook.communications.channels if runbook is not None else ()
    if fmt == "json":
        import json

        click.echo(json.dumps(status_json(record, scheme, clock.now(), channels), indent=2))
    else:
        lines = status_lines(record, scheme, clock.now(), channels)
        click.echo(visible("\n".join(lines)))
    return _done()


@command.command("report")
@click.argument("incident")
@click.option("--out", metavar="FILE", help="Write the Markdown here instead of stdout.")
@_DIR
@_ROOT
def report(incident: str, out: str | None, incident_dir: str, root: str) -> Outcome:
    """Render a postmortem in Markdown from the record."""
    from checks.files import write_report
    from checks.terminal import visible
    from generator.incident import read_incident
    from generator.incident.postmortem import render_postmortem

    record = read_incident(args.path(incident, incident_dir))
    text = render_postmortem(record, args.scheme_for(record, root))
    if out:
        write_report(out, text)
        click.echo(out)
    else:
        click.echo(visible(text), nl=False)
    return _done()


def _done() -> Outcome:
    """A change written or a record shown: nothing more to say than success."""
    from checks.problems import Outcome

    return Outcome()
