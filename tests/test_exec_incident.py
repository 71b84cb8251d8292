"""``runbook exec --incident``: every block that ran lands in the incident's timeline."""

from __future__ import annotations

import getpass
import json
import socket
from pathlib import Path

import pytest
import yaml

from tests.helpers import Cli

SECRET = "s3cr3t-TOKEN-9d1e"
# The clock of every command, and no token from the developer's environment.
pytestmark = pytest.mark.work(env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"}, unset=["API_TOKEN"])

RUNBOOK = """\
id: pay
title: Payments down
severity: SEV2
variables:
  API_TOKEN: {description: Token for the API, secret: true, required: true}
sections:
  - id: diagnose
    title: Diagnose
    steps:
      - id: ok
        title: Health
        kind: check
        run: echo "healthy with token=$API_TOKEN"
      - id: broken
        title: Broken check
        kind: check
        run: |
          echo checking
          echo "token $API_TOKEN rejected" >&2
          exit 3
      - id: restart
        title: Restart the workers
        kind: action
        run: touch restarted
"""


def entry_time(finished_at: str) -> str:
    return finished_at[:19] + "Z"  # the record keeps seconds


def test_exec_appends_each_block_that_ran_to_the_timeline_without_secrets(
    work: Path,
    cli: Cli,
) -> None:
    (work / "runbooks").mkdir()
    (work / "runbooks" / "pay.yaml").write_text(RUNBOOK)
    started = cli.process("incident", "start", "--runbook", "pay", "--title", "Pay down")
    assert started.returncode == 0, started.stderr
    record = work / started.stdout.strip()
    assert record == work / "incidents" / "INC-20240115-1415.yaml"

    steps = ("--step", "ok", "--step", "broken", "--step", "restart", "--keep-going")
    proc = cli.process(
        "exec",
        "pay",
        *steps,
        "--var",
        f"API_TOKEN={SECRET}",
        "--incident",
        str(record),
        "--json",
        "r.json",
    )
    assert proc.returncode == 1, proc.stderr
    results = {r["id"]: r for r in json.loads((work / "r.json").read_text())["results"]}
    assert results["pay--restart"]["status"] == "skipped"
    assert not (work / "restarted").exists()

    timeline = yaml.safe_load(record.read_text())["incident"]["timeline"]
    ok, broken = results["pay--ok"], results["pay--broken"]
    ran_by = {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "variables": {"API_TOKEN": {"value": "***", "source": "--var"}},
    }
    assert timeline == [
        {"time": "2024-01-15T14:15:00Z", "kind": "start", "event": "Incident started: Pay down"},
        {
            "time": entry_time(ok["finished_at"]),
            "kind": "exec",
            "event": "ran pay--ok: passed (exit 0)",
            "block": "pay--ok",
            "status": "passed",
            "exit_code": 0,
            "duration_s": round(ok["duration_s"], 3),
            "output": "healthy with token=***",
            **ran_by,
        },
        {
            "time": entry_time(broken["finished_at"]),
            "kind": "exec",
            "event": "ran pay--broken: failed (exit 3)",
            "block": "pay--broken",
            "status": "failed",
            "exit_code": 3,
            "duration_s": round(broken["duration_s"], 3),
            "reason": "exit code 3, expected 0",
            "output": "checking\ntoken *** rejected",
            **ran_by,
        },
    ]  # the skipped action did not run, so it is not an action taken
    assert SECRET not in record.read_text()

    # INCIDENT may also be an id, looked up in --dir like `runbook incident` does.
    again = cli.process(
        "exec",
        "pay",
        "--step",
        "ok",
        "--var",
        f"API_TOKEN={SECRET}",
        "--incident",
        "INC-20240115-1415",
    )
    assert again.returncode == 0, again.stderr
    timeline = yaml.safe_load(record.read_text())["incident"]["timeline"]
    assert [e.get("block") for e in timeline] == [None, "pay--ok", "pay--broken", "pay--ok"]

    report = cli.process("incident", "report", "INC-20240115-1415")
    assert report.returncode == 0, report.stderr
    actions = report.stdout.split("## Actions run\n", 1)[1]
    rows = [line for line in actions.splitlines() if "| `pay--" in line]
    assert [row.split(" | ")[1:] for row in rows] == [
        ["`pay--ok`", "passed", "0 |"],
        ["`pay--broken`", "failed", "3 |"],
        ["`pay--ok`", "passed", "0 |"],
    ]
    assert "token *** rejected" in actions
    assert SECRET not in report.stdout


def test_unknown_incident_is_a_usage_error_before_anything_runs(work: Path, cli: Cli) -> None:
    (work / "runbooks").mkdir()
    (work / "runbooks" / "pay.yaml").write_text(RUNBOOK)
    (work / "incidents").mkdir()
    (work / "incidents" / "INC-20240115-1415.yaml").write_text(
        "incident: {id: INC-20240115-1415, title: x, timeline: []}\n"
    )
    proc = cli.process(
        "exec", "pay", "--step", "ok", "--var", "API_TOKEN=x", "--incident", "INC-2024"
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "error: no incident 'INC-2024' in incidents/ (did you mean 'INC-20240115-1415'?)\n"
    )
    assert proc.stdout == ""  # nothing ran


def test_a_resolved_incident_still_takes_the_results_with_a_note(work: Path, cli: Cli) -> None:
    (work / "runbooks").mkdir()
    (work / "runbooks" / "pay.yaml").write_text(RUNBOOK)
    record = cli.process("incident", "start", "--runbook", "pay", "--title", "Pay down").stdout
    run = ["exec", "pay", "--step", "ok", "--var", "API_TOKEN=x", "--incident", record.strip()]
    assert "note:" not in cli.process(*run).stderr  # open: nothing to say
    resolved = cli.process("incident", "resolve", record.strip(), "--resolution", "rolled back")
    assert resolved.returncode == 0, resolved.stderr
    proc = cli.process(*run)
    assert proc.returncode == 0
    assert proc.stderr.splitlines()[0] == (
        "note: incident INC-20240115-1415 was resolved at 2024-01-15T14:15:00Z; the blocks' "
        "results still go into its timeline"
    )
    timeline = yaml.safe_load((work / record.strip()).read_text())["incident"]["timeline"]
    assert [e.get("block") for e in timeline].count("pay--ok") == 2
