"""``runbook incident update --set NAME=VALUE``: custom fields a comms template fills in
from the incident, where a template's examples never stand in for a missing value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import Cli

pytestmark = pytest.mark.work(runbooks=True, env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"})

RUNBOOK = """\
id: checkout
title: Checkout failing
severity: SEV2
variables:
  API_TOKEN: {secret: true, description: The payment provider's token}
sections:
  - id: look
    title: Look
    steps:
      - id: health
        title: Health
        kind: check
        run: echo ok
communications:
  templates:
    - id: customers
      channel: slack
      audience: Customers
      status: investigating
      body: |
        {{ incident.title }}: {{ customer_impact }}
        Workaround: {{ workaround }}
      examples:
        customer_impact: EXAMPLE-IMPACT some customers see slow checkouts
        workaround: EXAMPLE-WORKAROUND retry in a few minutes
"""


@pytest.fixture
def incident(work: Path, cli: Cli) -> Path:
    (work / "runbooks" / "checkout.yaml").write_text(RUNBOOK)
    started = cli.process("incident", "start", "--runbook", "checkout", "--title", "Checkout down")
    assert started.returncode == 0, started.stderr
    return work / started.stdout.strip()


def _fields(record: Path) -> object:
    return yaml.safe_load(record.read_text())["incident"].get("fields")


def test_examples_never_fill_in_a_real_incident(incident: Path, cli: Cli) -> None:
    proc = cli.process("comms", "checkout", "customers", "--incident", str(incident))
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert "EXAMPLE" not in proc.stderr
    assert "undefined variable 'customer_impact'" in proc.stderr
    assert f"runbook incident update {incident} --set customer_impact=VALUE" in proc.stderr
    # Without an incident the examples are what they are for, and say so.
    example = cli.process("comms", "checkout", "customers")
    assert example.returncode == 0, example.stderr
    assert "EXAMPLE-IMPACT" in example.stdout
    assert "example values" in example.stderr


def test_set_stores_fields_the_templates_fill_in(incident: Path, cli: Cli, work: Path) -> None:
    hostile = "EU cards fail $(touch pwned) {{ 7*7 }} <!channel>"
    updated = cli.process(
        "incident", "update", str(incident),
        "--set", f"customer_impact={hostile}", "--set", "workaround=Pay by bank transfer",
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    assert _fields(incident) == {
        "customer_impact": hostile,
        "workaround": "Pay by bank transfer",
    }
    timeline = yaml.safe_load(incident.read_text())["incident"]["timeline"]
    assert timeline[-1]["event"] == (
        f"customer_impact: {hostile}. workaround: Pay by bank transfer"
    )

    message = cli.process("comms", "checkout", "customers", "--incident", str(incident))
    assert message.returncode == 0, message.stderr
    # The value is data: shown as typed (escaped for Slack), never run nor rendered.
    assert message.stdout == (
        "Checkout down: EU cards fail $(touch pwned) {{ 7*7 }} &lt;!channel&gt;\n"
        "Workaround: Pay by bank transfer\n"
    )
    assert not (work / "pwned").exists()

    # --set on comms still wins for one message; an empty value clears a field.
    once = cli.process(
        "comms", "checkout", "customers", "--incident", str(incident),
        "--set", "workaround=Use the app",
    )  # fmt: skip
    assert once.stdout.endswith("Workaround: Use the app\n")
    cleared = cli.process("incident", "update", str(incident), "--set", "workaround=")
    assert cleared.returncode == 0, cleared.stderr
    assert _fields(incident) == {"customer_impact": hostile}
    missing = cli.process("comms", "checkout", "customers", "--incident", str(incident))
    assert missing.returncode == 3
    assert "undefined variable 'workaround'" in missing.stderr
    assert "EXAMPLE" not in missing.stdout + missing.stderr

    status = cli.process("incident", "status", str(incident))
    assert f"  customer_impact: {hostile}" in status.stdout.splitlines()
    as_json = cli.process("incident", "status", str(incident), "--format", "json")
    assert json.loads(as_json.stdout)["fields"] == {"customer_impact": hostile}

    # A message after the resolution may need a field: recorded without --reopen.
    resolved = cli.process("incident", "resolve", str(incident), "--resolution", "rolled back")
    assert resolved.returncode == 0, resolved.stderr
    late = cli.process("incident", "update", str(incident), "--set", "workaround=none needed")
    assert late.returncode == 0, late.stderr
    assert _fields(incident) == {"customer_impact": hostile, "workaround": "none needed"}
    report = cli.process("incident", "report", str(incident))
    assert "| customer_impact | EU cards fail $(touch pwned) {{ 7*7 }} &lt;!channel&gt; |" in (
        report.stdout
    )


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ("customer impact=x", "--set 'customer impact': a field name is letters, digits and _"),
        ("9lives=x", "--set '9lives': a field name is letters, digits and _"),
        ("incident.eta=x", "--set 'incident.eta': a field name is letters, digits and _"),
        ("status=x", "--set status: 'status' is a field of the incident; record it with "),
        ("runbook=x", "--set runbook: 'runbook' is provided by the context"),
        ("API_TOKEN=x", "--set API_TOKEN: 'API_TOKEN' is a secret variable"),
        ("novalue", "--set 'novalue': expected NAME=VALUE"),
    ],
)
def test_field_names_are_checked(incident: Path, cli: Cli, pair: str, message: str) -> None:
    before = incident.read_text()
    proc = cli.process("incident", "update", str(incident), "--set", pair)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {message}"), proc.stderr
    assert incident.read_text() == before
