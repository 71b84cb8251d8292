"""``runbook comms RUNBOOK [TEMPLATE]``: render (and, if asked, send) an incident message."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from checks.terminal import visible
from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome
    from generator.model import CommsTemplate, Runbook


@click.command("comms")
@click.argument("target", metavar="RUNBOOK")
@click.argument("template_id", metavar="[TEMPLATE]", required=False)
@click.option("--list", "list_only", is_flag=True, help="List templates and the context names.")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="K=V",
    help="A value for the template (NAME=VALUE; incident.FIELD=VALUE overrides a field; "
    "a name the template does not read is warned about).",
)
@click.option(
    "--incident",
    "incident_spec",
    metavar="FILE",
    help="The incident record (a path, or an id in --dir). Without it: example values.",
)
@click.option(
    "--dir", "incident_dir", default="incidents", metavar="D", help="Where incident ids resolve."
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)
@click.option(
    "--send",
    type=(click.Choice(["slack-webhook"]), str),
    default=None,
    metavar="slack-webhook URL",
    help="POST the message to an incoming webhook (URL or env:VAR). Needs --incident.",
)
@root_option()
def command(
    target: str,
    template_id: str | None,
    list_only: bool,
    sets: tuple[str, ...],
    incident_spec: str | None,
    incident_dir: str,
    fmt: str,
    send: tuple[str, str] | None,
    root: str,
) -> Outcome:
    """Print TEMPLATE of RUNBOOK filled in for an incident (or with example values).

    \b
    Examples:
      runbook comms db-pool --list
      runbook comms db-pool slack-update --incident INC-20240115-1415
      runbook comms db-pool slack-update --incident INC-20240115-1415 \\
          --send slack-webhook env:SLACK_WEBHOOK_URL

    Exit codes: 0 printed (and sent), 1 sending failed, 2 unknown template,
    3 a value is missing or the template does not render.
    """
    from checks.problems import Outcome
    from generator.comms.templates import find_template
    from generator.errors import UsageError
    from generator.load.tree import load_runbook

    runbook = load_runbook(target, root)
    if list_only or template_id is None:
        if send:
            raise UsageError("--send needs a TEMPLATE")
        _print_list(runbook, fmt)
        return Outcome()
    template = find_template(runbook, template_id)
    if send and not incident_spec:
        raise UsageError(
            "--send: refusing to send a message filled with example values; pass --incident FILE"
        )
    # A message sent to Slack gets Slack's escaping whatever channel the template names,
    # and what is printed is what is sent.
    destination = "slack" if send else None
    message = _render(runbook, template, sets, incident_spec, incident_dir, destination)
    _print_message(template, message, fmt)
    if send:
        return _send(template, message, send[1], incident_spec, incident_dir)
    return Outcome()


def _render(
    runbook: Runbook,
    template: CommsTemplate,
    sets: tuple[str, ...],
    incident_spec: str | None,
    incident_dir: str,
    destination: str | None = None,
) -> tuple[str | None, str]:
    import os
    from pathlib import Path

    from generator.cli._options import name_value_pairs
    from generator.comms.context import SAMPLE_NOW, build_context, sample_record
    from generator.comms.hints import unread_values
    from generator.comms.templates import render_template, template_references
    from generator.incident import clock, find_incident, read_incident

    pairs = name_value_pairs(sets, "--set")
    incident_ref = None
    if incident_spec:
        path = find_incident(incident_spec, Path(incident_dir))
        incident_ref = str(path)  # what a suggested `runbook incident update` can find
        record = read_incident(path)
        if record.runbook and record.runbook != runbook.id:
            click.echo(
                f"note: incident {record.shown('id', 'None')} is for runbook "
                f"'{record.runbook}', not '{runbook.id}'",
                err=True,
            )
        context = build_context(runbook, record, clock.now(), pairs)
    else:
        sample = sample_record(runbook, template)
        context = build_context(runbook, sample, SAMPLE_NOW, [*template.examples, *pairs])
    # After the context took the values (a secret among them is an error, not a warning),
    # before rendering (a misspelt name explains the missing value that stops it).
    reads = [ref.name for ref in template_references(template)]
    for warning in unread_values((key for key, _ in pairs), reads, template.id):
        click.echo(warning, err=True)
    secrets = [os.environ.get(v.name, "") for v in runbook.variables if v.secret]
    message = render_template(
        runbook,
        template,
        context,
        secret_values=secrets,
        destination=destination,
        incident_ref=incident_ref,
    )
    if not incident_spec:
        click.echo(
            "note: filled with example values; pass --incident FILE for a real incident",
            err=True,
        )
    return message


def _print_message(template: CommsTemplate, message: tuple[str | None, str], fmt: str) -> None:
    subject, body = message
    if fmt == "json":
        import json

        payload = {
            "template": template.id,
            "channel": template.channel,
            "audience": template.audience,
            "status": template.status,
            "format": template.format,
            "subject": subject,
            "body": body,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if subject is not None:
        click.echo(visible(f"Subject: {subject}\n"))
    click.echo(visible(body))


def _send(
    template: CommsTemplate,
    message: tuple[str | None, str],
    url_spec: str,
    incident_spec: str | None,
    incident_dir: str,
) -> Outcome:
    import os
    from pathlib import Path

    from checks.problems import Outcome
    from generator.comms.send import post_slack_webhook, resolve_url
    from generator.incident import append_message_sent, clock, find_incident

    url = resolve_url(url_spec, os.environ)
    subject, body = message
    text = f"{subject}\n{body}" if subject else body
    sent = post_slack_webhook(url, text)
    code = "no answer" if sent.status is None else f"HTTP {sent.status}"
    if not sent.ok:
        click.echo(f"error: sending to {sent.target} failed: {code}: {sent.detail}", err=True)
        return Outcome(failed=True)
    click.echo(f"sent to {sent.target}: {code}", err=True)
    if incident_spec:
        path = find_incident(incident_spec, Path(incident_dir))
        event = f"Sent '{template.id}' ({template.channel}, {template.audience})"
        append_message_sent(path, template.id, event, clock.now())
    return Outcome()


def _print_list(runbook: Runbook, fmt: str) -> None:
    from generator.comms.context import CONTEXT_NAMES, SEVERITY_LEVEL_FIELDS
    from generator.comms.templates import required_values, template_references
    from generator.errors import RunbookError

    rows = []
    for template in runbook.communications.templates:
        try:
            names = list(dict.fromkeys(ref.name for ref in template_references(template)))
            needs = required_values(template)
        except RunbookError as exc:
            names, needs = [f"(does not parse: {exc.problems[0].message})"], []
        rows.append((template, names, needs))
    channels = runbook.communications.channels
    if fmt == "json":
        import json

        payload = {
            "runbook": runbook.id,
            "templates": [
                {
                    "id": t.id,
                    "channel": t.channel,
                    "audience": t.audience,
                    "status": t.status,
                    "format": t.format,
                    "variables": names,
                    "needs_set": needs,
                    "location": str(t.location),
                }
                for t, names, needs in rows
            ],
            "channels": [
                {"channel": c.channel, "audience": c.audience, "cadence": c.cadence}
                for c in channels
            ],
            "context": CONTEXT_NAMES,
            "severity_level_fields": SEVERITY_LEVEL_FIELDS,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"{runbook.id}: no comms templates")
    else:
        click.echo(f"{runbook.id}: comms templates")
        width = max(len(t.id) for t, _, _ in rows)
        for template, names, needs in rows:
            status = f" status={template.status}" if template.status else ""
            click.echo(
                visible(
                    f"  {template.id:<{width}}  {template.channel} -> {template.audience}{status}"
                )
            )
            click.echo(visible(f"  {'':<{width}}  reads: {', '.join(names) or '(nothing)'}"))
            if needs:
                sets = " ".join(f"--set {name}=..." for name in needs)
                click.echo(f"  {'':<{width}}  needs: {sets}")
    if channels:
        click.echo("channels:")
        for channel in channels:
            cadence = f", {channel.cadence}" if channel.cadence else ""
            click.echo(visible(f"  {channel.channel} -> {channel.audience}{cadence}"))
    click.echo("context:")
    for name, text in CONTEXT_NAMES.items():
        click.echo(f"  {name}: {text}")
        if name == "incident.severity_level":
            for field, what in SEVERITY_LEVEL_FIELDS.items():
                click.echo(f"    {name}.{field}: {what}")
    click.echo(
        "  NAME: any value given with --set NAME=VALUE, or with --incident a field the "
        "incident records (runbook incident update --set NAME=VALUE)"
    )
