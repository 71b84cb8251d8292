"""The incident record end to end: start, ack, update, exec, comms, resolve, status, report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checks.model import BlockOptions, Check, Result, Risk, SourceLocation, Status
from generator.incident import append_block_result, read_incident
from tests.helpers import FIXTURES, Cli

pytestmark = pytest.mark.work(runbooks=FIXTURES / "comms" / "runbooks")


def block_result(status: Status, exit_code: int, stdout: str, finished_at: str) -> Result:
    check = Check(
        id="payments-down--health",
        risk=Risk.CHECK,
        lang="bash",
        command="echo ok",
        options=BlockOptions(),
        location=SourceLocation("runbooks/acme/payments.yaml", 15, 9),
        title="Check health",
    )
    return Result(
        check=check,
        status=status,
        exit_code=exit_code,
        duration_s=0.0123,
        finished_at=finished_at,
        stdout=stdout,
    )


EXPECTED_RECORD = """\
incident:
  id: INC-20240115-1415
  title: Payments <!channel> down
  severity: SEV1
  status: resolved
  runbook: payments-down
  started_at: '2024-01-15T14:15:00Z'
  detected_by: monitoring_alert
  acknowledged_at: '2024-01-15T14:18:00Z'
  resolved_at: '2024-01-15T15:45:00Z'
  update_every_minutes: 15
  impact:
    users_affected: 15000
    revenue_lost: $45000
    duration_minutes: 90
  roles:
    commander: Alex Kim
    comms: Sam Lee
  resolution: Rolled back the 14:02 deploy
  root_cause: Connection leak in 14:02 release
  timeline:
  - time: '2024-01-15T14:15:00Z'
    kind: start
    event: 'Incident started: Payments <!channel> down'
  - time: '2024-01-15T14:18:00Z'
    kind: ack
    event: Acknowledged by alex
  - time: '2024-01-15T14:22:05Z'
    kind: exec
    event: 'ran payments-down--health: failed (exit 1)'
    block: payments-down--health
    status: failed
    exit_code: 1
    duration_s: 0.012
    output: |-
      line 1
      line 2
      line 3
      line 4
      line 5
      line 6
      line 7
      line 8
      line 9
      line 10
      line 11
      line 12
      line 13
      line 14
      line 15
      line 16
      line 17
      line 18
      line 19
      line 20
      pool exhausted | 100/100
  - time: '2024-01-15T14:30:00Z'
    kind: update
    event: 'Status: investigating → identified. Connection leak found. comms: Sam Lee. impact \
users_affected: 15000. impact revenue_lost: $45000. Action item: Alert on pool saturation. Done: \
Take command, announce in channel'
  - time: '2024-01-15T14:31:00Z'
    kind: exec
    event: 'ran payments-down--health: passed (exit 0)'
    block: payments-down--health
    status: passed
    exit_code: 0
    duration_s: 0.012
    output: ok
  - time: '2024-01-15T15:45:00Z'
    kind: resolve
    event: 'Resolved: Rolled back the 14:02 deploy'
  checklist:
  - text: Take command, announce in channel
    done: true
  - text: Assign roles (Tech Lead, Comms, Scribe)
    done: false
  action_items:
  - Alert on pool saturation
"""

EXPECTED_STATUS = """\
INC-20240115-1415: Payments <!channel> down
severity: SEV1 (Critical)   status: identified   runbook: payments-down
started:      2024-01-15 14:15 UTC (1h ago)
acknowledged: 2024-01-15 14:18 UTC (3m after start)
resolved:     not yet
last update:  2024-01-15 14:30 UTC
next update:  2024-01-15 14:45 UTC (every 15m): OVERDUE by 30m
channel updates:
  slack: every 15m, next by 2024-01-15 14:45 UTC: OVERDUE by 30m
  email: At start and resolution (as written)
open checklist (1 of 2):
  [2] Assign roles (Tech Lead, Comms, Scribe)
open action items:
  - Alert on pool saturation
"""

EXPECTED_REPORT = """\
# Postmortem: Payments &lt;!channel&gt; down

**Incident:** INC-20240115-1415 · **Severity:** SEV1 (Critical) · **Status:** resolved · \
**Runbook:** payments-down

## Summary

Payments &lt;!channel&gt; down started 2024-01-15 14:15 UTC, detected by monitoring_alert, \
and was resolved 2024-01-15 15:45 UTC after 1h 30m.

## Impact

| Measure | Value |
|---|---|
| Users affected | 15000 |
| Revenue lost | $45000 |
| Duration (minutes) | 90 |

## Key times

| Measure | Value |
|---|---|
| Started | 2024-01-15 14:15 UTC |
| Acknowledged | 2024-01-15 14:18 UTC |
| Resolved | 2024-01-15 15:45 UTC |
| Time to acknowledge | 3m |
| Time to resolve | 1h 30m |

## Root cause

Connection leak in 14:02 release

## Contributing factors

_What made this incident more likely, larger or longer (a missing alert, a risky change, \
unclear ownership). Record them with `runbook incident update INC-20240115-1415 \
--contributing-factor TEXT`, or write them here._

## Resolution

Rolled back the 14:02 deploy

## Timeline

| Time (UTC) | Event |
|---|---|
| 2024-01-15 14:15 | Incident started: Payments &lt;!channel&gt; down |
| 2024-01-15 14:18 | Acknowledged by alex |
| 2024-01-15 14:22 | ran payments-down--health: failed (exit 1) |
| 2024-01-15 14:30 | Status: investigating → identified. Connection leak found. comms: Sam Lee. \
impact users_affected: 15000. impact revenue_lost: $45000. Action item: Alert on pool saturation. \
Done: Take command, announce in channel |
| 2024-01-15 14:31 | ran payments-down--health: passed (exit 0) |
| 2024-01-15 15:45 | Resolved: Rolled back the 14:02 deploy |

## Actions run

| Time (UTC) | Block | Status | Exit code |
|---|---|---|---|
| 14:22:05 | `payments-down--health` | failed | 1 |
| 14:31:00 | `payments-down--health` | passed | 0 |

Output of `payments-down--health` (failed, 14:22:05):

```text
line 1
line 2
line 3
line 4
line 5
line 6
line 7
line 8
line 9
line 10
line 11
line 12
line 13
line 14
line 15
line 16
line 17
line 18
line 19
line 20
pool exhausted | 100/100
```

Output of `payments-down--health` (passed, 14:31:00):

```text
ok
```

## Lessons learned

_What went well, what went badly, where we were lucky. Record them with `runbook incident \
update INC-20240115-1415 --lesson TEXT`, or write them here._

## Action items

- [ ] Alert on pool saturation

## Checklist items left open

- [ ] Assign roles (Tech Lead, Comms, Scribe)
"""


def test_start_ack_update_exec_resolve_report(work: Path, cli: Cli) -> None:
    code, out, err = cli(
        "incident",
        "start",
        "--runbook",
        "payments-down",
        "--title",
        "Payments <!channel> down",
        "--commander",
        "Alex Kim",
        "--detected-by",
        "monitoring_alert",
        env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"},
    )
    assert (code, out, err) == (0, "incidents/INC-20240115-1415.yaml\n", "")
    path = work / "incidents" / "INC-20240115-1415.yaml"

    assert cli(
        "incident",
        "ack",
        "INC-20240115-1415",
        "--by",
        "alex",
        env={"RUNBOOK_NOW": "2024-01-15T14:18:00Z"},
    ) == (0, "", "")
    # A second acknowledgement keeps the first time.
    assert cli("incident", "ack", str(path), env={"RUNBOOK_NOW": "2024-01-15T14:19:00Z"}) == (
        0,
        "",
        "note: already acknowledged at 2024-01-15T14:18:00Z\n",
    )
    noisy = "".join(f"line {n}\n" for n in range(1, 21)) + "pool exhausted | 100/100\n"
    append_block_result(path, block_result(Status.FAILED, 1, noisy, "2024-01-15T14:22:05Z"))
    code, out, err = cli(
        "incident",
        "update",
        "INC-20240115-1415",
        "--status",
        "identified",
        "--note",
        "Connection leak found",
        "--role",
        "comms=Sam Lee",
        "--impact",
        "users_affected=15000",
        "--impact",
        "revenue_lost=$45000",
        "--action-item",
        "Alert on pool saturation",
        "--done",
        "1",
        env={"RUNBOOK_NOW": "2024-01-15T14:30:00Z"},
    )
    assert (code, out, err) == (0, "", "")
    append_block_result(path, block_result(Status.PASSED, 0, "ok\n", "2024-01-15T14:31:00Z"))

    code, out, err = cli(
        "incident", "status", "INC-20240115-1415", env={"RUNBOOK_NOW": "2024-01-15T15:15:00Z"}
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == EXPECTED_STATUS.splitlines()

    code, out, err = cli(
        "incident",
        "resolve",
        "INC-20240115-1415",
        "--resolution",
        "Rolled back the 14:02 deploy",
        "--root-cause",
        "Connection leak in 14:02 release",
        env={"RUNBOOK_NOW": "2024-01-15T15:45:00Z"},
    )
    assert (code, out, err) == (0, "", "")
    assert path.read_text().splitlines() == EXPECTED_RECORD.splitlines()

    code, out, err = cli(
        "incident", "report", "INC-20240115-1415", env={"RUNBOOK_NOW": "2024-01-16T09:00:00Z"}
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == EXPECTED_REPORT.splitlines()

    code, out, err = cli(
        "incident",
        "resolve",
        "INC-20240115-1415",
        "--resolution",
        "again",
        env={"RUNBOOK_NOW": "2024-01-16T09:00:00Z"},
    )
    assert (code, out) == (2, "")
    assert err == "error: INC-20240115-1415: already resolved at 2024-01-15T15:45:00Z\n"
    # The refused change left the record as it was.
    assert path.read_text().splitlines() == EXPECTED_RECORD.splitlines()


def test_status_after_resolution_and_without_cadence(work: Path, cli: Cli) -> None:
    start = ["incident", "start", "--runbook", "payments-down", "--title", "Slow checkout"]
    assert cli(*start, "--severity", "SEV3", env={"RUNBOOK_NOW": "2024-01-15T10:00:00Z"})[0] == 0
    code, out, _ = cli(
        "incident", "status", "INC-20240115-1000", env={"RUNBOOK_NOW": "2024-01-15T10:40:00Z"}
    )
    assert out.splitlines()[5:7] == [
        "last update:  2024-01-15 10:00 UTC",
        "next update:  no cadence for SEV3",
    ]
    cli(
        "incident",
        "update",
        "INC-20240115-1000",
        "--severity",
        "SEV1",
        env={"RUNBOOK_NOW": "2024-01-15T10:50:00Z"},
    )
    code, out, _ = cli(
        "incident", "status", "INC-20240115-1000", env={"RUNBOOK_NOW": "2024-01-15T10:55:00Z"}
    )
    assert code == 0
    # A severity change is not a status update: the cadence counts from the start.
    assert (
        out.splitlines()[1] == "severity: SEV1 (Critical)   status: investigating   "
        "runbook: payments-down"
    )
    assert out.splitlines()[6] == "next update:  2024-01-15 10:15 UTC (every 15m): OVERDUE by 40m"
    cli(
        "incident",
        "resolve",
        "INC-20240115-1000",
        "--resolution",
        "Scaled up",
        env={"RUNBOOK_NOW": "2024-01-15T11:00:00Z"},
    )
    _, out, _ = cli(
        "incident", "status", "INC-20240115-1000", env={"RUNBOOK_NOW": "2024-01-15T11:00:00Z"}
    )
    assert out.splitlines()[4:7] == [
        "resolved:     2024-01-15 11:00 UTC (1h after start)",
        "last update:  2024-01-15 10:00 UTC",
        "next update:  none (resolved)",
    ]


def test_start_refuses_unknown_severity_and_runbook(work: Path, cli: Cli) -> None:
    code, out, err = cli(
        "incident",
        "start",
        "--runbook",
        "payments-down",
        "--title",
        "x",
        "--severity",
        "SEV5",
        env={"RUNBOOK_NOW": "2024-01-15T10:00:00Z"},
    )
    assert (code, out) == (2, "")
    assert err == (
        "error: --severity SEV5: not in the scheme (SEV1, SEV2, SEV3) (did you mean 'SEV3'?)\n"
    )
    code, out, err = cli(
        "incident", "start", "--runbook", "payments-down", "--title", "x", "--severity", "sev1",
        env={"RUNBOOK_NOW": "2024-01-15T10:00:00Z"},
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "error: --severity sev1: not in the scheme (SEV1, SEV2, SEV3) (did you mean 'SEV1'?)\n"
    )
    code, out, err = cli(
        "incident",
        "start",
        "--runbook",
        "payment-down",
        "--title",
        "x",
        env={"RUNBOOK_NOW": "2024-01-15T10:00:00Z"},
    )
    assert (code, out) == (2, "")
    assert err == (
        "error: unknown runbook 'payment-down' under runbooks (did you mean 'payments-down'?)\n"
    )
    assert not (work / "incidents").exists()


def test_two_incidents_in_the_same_minute_get_distinct_ids(work: Path, cli: Cli) -> None:
    start = ["incident", "start", "--runbook", "payments-down", "--title", "t", "--dir", "inc"]
    assert cli(*start, env={"RUNBOOK_NOW": "2024-01-15T10:00:10Z"})[1] == (
        "inc/INC-20240115-1000.yaml\n"
    )
    assert cli(*start, env={"RUNBOOK_NOW": "2024-01-15T10:00:50Z"})[1] == (
        "inc/INC-20240115-1000-2.yaml\n"
    )
    code, _, err = cli(
        "incident",
        "status",
        "INC-20240115-100",
        "--dir",
        "inc",
        env={"RUNBOOK_NOW": "2024-01-15T10:01:00Z"},
    )
    assert code == 2
    assert err == (
        "error: no incident 'INC-20240115-100' in inc/ (did you mean 'INC-20240115-1000'?)\n"
    )


def test_seed_incident_template_loads_and_reports(work: Path, cli: Cli) -> None:
    # Seed 001's own incident template, verbatim: bare `14:15` times stay text (not 855).
    seed = work / "seed.yaml"
    shutil.copy(FIXTURES / "comms" / "seed001-incident.yaml", seed)
    code, out, err = cli(
        "incident", "report", str(seed), env={"RUNBOOK_NOW": "2024-01-16T09:00:00Z"}
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "# Postmortem: Payment processing outage"
    assert "| 14:15 | Alert triggered |" in lines
    assert "| 14:25 | Root cause identified |" in lines
    assert "| Revenue lost | $45000 |" in lines
    assert "| Time to resolve | 1h 30m |" in lines
    assert lines[-3:] == [
        "- [ ] Add monitoring for connection pool",
        "- [ ] Implement auto-scaling",
        "- [ ] Update runbook",
    ]


def test_a_resolved_incident_changes_only_when_reopened(work: Path, cli: Cli) -> None:
    start = ["incident", "start", "--runbook", "payments-down", "--title", "Checkout down"]
    assert cli(*start, "--severity", "SEV1", env={"RUNBOOK_NOW": "2024-01-15T10:00:00Z"})[0] == 0
    path = work / "incidents" / "INC-20240115-1000.yaml"
    resolve = ["incident", "resolve", str(path), "--resolution", "Rolled back"]
    assert cli(*resolve, env={"RUNBOOK_NOW": "2024-01-15T10:45:00Z"})[0] == 0
    resolved = path.read_text()

    code, out, err = cli(
        "incident", "update", str(path), "--status", "monitoring",
        env={"RUNBOOK_NOW": "2024-01-15T11:00:00Z"},
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "error: INC-20240115-1000: resolved at 2024-01-15T10:45:00Z; "
        "pass --reopen to reopen it and record this\n"
    )
    assert path.read_text() == resolved

    code, out, err = cli(
        "incident", "update", str(path), "--reopen", "--note", "Errors are back",
        env={"RUNBOOK_NOW": "2024-01-15T11:00:00Z"},
    )  # fmt: skip
    assert (code, out, err) == (0, "", "")
    record = read_incident(path).to_yaml()
    assert "resolved_at" not in record
    assert record["status"] == "investigating"
    assert record["impact"] == {}  # the duration resolve derived went with the resolution
    assert record["resolution"] == "Rolled back"  # history stays
    assert record["timeline"][-1] == {
        "time": "2024-01-15T11:00:00Z",
        "kind": "reopen",
        "event": "Reopened (was resolved at 2024-01-15T10:45:00Z). "
        "Status: resolved → investigating. Errors are back",
    }
    _, out, _ = cli("incident", "status", str(path), env={"RUNBOOK_NOW": "2024-01-15T11:05:00Z"})
    assert "resolved:     not yet" in out.splitlines()
    assert "next update:  2024-01-15 10:15 UTC (every 15m): OVERDUE by 50m" in out.splitlines()
    # Resolving again works; reopening an open incident is refused.
    assert cli(*resolve, env={"RUNBOOK_NOW": "2024-01-15T11:30:00Z"})[0] == 0
    assert read_incident(path).impact == {"duration_minutes": 90}
    cli("incident", "update", str(path), "--reopen", env={"RUNBOOK_NOW": "2024-01-15T11:40:00Z"})
    code, _, err = cli(
        "incident", "update", str(path), "--reopen", env={"RUNBOOK_NOW": "2024-01-15T11:50:00Z"}
    )
    assert (code, err) == (2, "error: --reopen: INC-20240115-1000 is not resolved\n")


def test_an_unusual_status_is_recorded_with_a_warning(work: Path, cli: Cli) -> None:
    at = "2024-01-15T10:00:00Z"
    code, out, _ = cli(
        "incident", "start", "--runbook", "payments-down", "--title", "x", "--severity", "SEV1",
        env={"RUNBOOK_NOW": at},
    )  # fmt: skip
    path = out.strip()
    code, _, err = cli("incident", "update", path, "--status", "identfied", env={"RUNBOOK_NOW": at})
    assert code == 0
    assert err == (
        "warning: status 'identfied' is none of investigating, identified, monitoring, "
        "resolved (did you mean 'identified'?); recorded as given\n"
    )
    assert read_incident(Path(path)).status == "identfied"
    for usual in ("Monitoring", "identified"):
        code, _, err = cli("incident", "update", path, "--status", usual, env={"RUNBOOK_NOW": at})
        assert (code, err) == (0, "")
