"""The postmortem keeps the evidence: every block's (bounded, redacted) output, sections
for contributing factors and lessons, and no lock file left next to the record."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest
import yaml

from tests.helpers import Cli
from tests.pty_terminal import Terminal

SECRET = "s3cr3t-TOKEN-77aa"
TOKEN = "API_TOKEN=t0k3n-for-tests"
pytestmark = pytest.mark.work(
    runbooks=True, env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"}, unset=["API_TOKEN"]
)

RUNBOOK = """\
id: orders
title: Orders stuck
severity: SEV2
variables:
  API_TOKEN:
    description: The admin API's token, printed by a careless check
    secret: true
sections:
  - id: diagnose
    title: Diagnose
    steps:
      - id: queries
        title: Long-running queries
        kind: check
        run: |
          echo "pid  | runtime  | query   (token=$API_TOKEN)"
          echo "4242 | 00:41:07 | UPDATE orders SET state = 'paid'"
      - id: noisy
        title: Everything the pool says
        kind: check
        run: |
          for n in $(seq 1 200); do echo "line $n"; done
          head -c 10000 /dev/zero | tr '\\0' x; echo
          echo "pool exhausted"
      - id: slow
        title: Wait for the replica
        kind: check
        run: sleep 30
      - id: tell
        title: Tell the channel
        kind: manual
        lang: text
        run: Post in the incident channel that the pool is being drained.
"""


def _start(work: Path, cli: Cli) -> Path:
    (work / "runbooks" / "orders.yaml").write_text(RUNBOOK)
    started = cli.process("incident", "start", "--runbook", "orders", "--title", "Orders stuck")
    assert started.returncode == 0, started.stderr
    return work / started.stdout.strip()


def _fenced_after(report: str, heading: str) -> str:
    """The text of the first fence after the line ``heading``."""
    rest = report.split(heading, 1)[1]
    match = re.search(r"^(`{3,})text\n(.*?)^\1$", rest, re.S | re.M)
    assert match, rest
    return match.group(2)


def test_report_keeps_the_output_of_passing_blocks_bounded_and_redacted(
    work: Path, cli: Cli
) -> None:
    record = _start(work, cli)
    proc = cli.process(
        "exec", "orders", "--step", "queries", "--step", "noisy",
        "--var", f"API_TOKEN={SECRET}", "--incident", str(record),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr

    report = cli.process("incident", "report", str(record))
    assert report.returncode == 0, report.stderr
    # The culprit query was found by a check that passed: its output is evidence.
    queries = _fenced_after(report.stdout, "`orders--queries` (passed")
    assert queries.splitlines() == [
        "pid  | runtime  | query   (token=***)",
        "4242 | 00:41:07 | UPDATE orders SET state = 'paid'",
    ]
    noisy = _fenced_after(report.stdout, "`orders--noisy` (passed").splitlines()
    # Long output keeps its beginning and its end, and says how much is not shown.
    assert noisy[0] == "line 1"
    assert noisy[-1] == "pool exhausted"
    cut_lines = [int(m.group(1)) for line in noisy if (m := re.search(r"(\d+) lines cut", line))]
    assert len(cut_lines) == 1
    kept = [line for line in noisy if re.fullmatch(r"line \d+", line)]
    assert len(kept) + cut_lines[0] == 200
    assert "line 200" in kept
    # A line too long to read is cut too, saying by how much.
    long_line = next(line for line in noisy if line.startswith("xxx"))
    found = re.search(r"(\d+) characters cut", long_line)
    assert found, long_line
    assert long_line.count("x") + int(found.group(1)) == 10000
    assert len(report.stdout) < 20_000
    assert SECRET not in report.stdout
    assert SECRET not in record.read_text()


def test_report_has_contributing_factors_and_lessons_to_fill(work: Path, cli: Cli) -> None:
    record = _start(work, cli)
    draft = cli.process("incident", "report", str(record)).stdout
    for heading in ("## Contributing factors", "## Lessons learned"):
        section = draft.split(f"{heading}\n\n", 1)[1].split("\n## ", 1)[0]
        assert section.startswith("_"), section  # a placeholder for the author, in italics
        assert "runbook incident update" in section

    resolved = cli.process("incident", "resolve", str(record), "--resolution", "killed 4242")
    assert resolved.returncode == 0, resolved.stderr
    # Written after the resolution, as postmortems are: no --reopen needed for these.
    updated = cli.process(
        "incident", "update", str(record),
        "--contributing-factor", "No alert on long-running transactions",
        "--contributing-factor", "The batch job retried without backoff",
        "--lesson", "Look at pg_stat_activity first",
    )  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    fields = yaml.safe_load(record.read_text())["incident"]
    assert fields["contributing_factors"] == [
        "No alert on long-running transactions",
        "The batch job retried without backoff",
    ]
    assert fields["lessons_learned"] == ["Look at pg_stat_activity first"]
    assert fields["status"] == "resolved"
    report = cli.process("incident", "report", str(record)).stdout
    assert (
        "## Contributing factors\n\n- No alert on long-running transactions\n"
        "- The batch job retried without backoff\n\n" in report
    )
    assert "## Lessons learned\n\n- Look at pg_stat_activity first\n\n" in report

    # Other changes to a resolved incident still need --reopen.
    refused = cli.process("incident", "update", str(record), "--lesson", "x", "--note", "y")
    assert refused.returncode == 2
    assert "--reopen" in refused.stderr


def test_hand_written_factors_and_lessons_are_shown(work: Path, cli: Cli) -> None:
    path = work / "INC-7.yaml"
    path.write_text(
        "incident:\n"
        "  id: INC-7\n"
        "  title: Replica <b>lag</b>\n"
        "  contributing_factors: The replica shared a disk with backups\n"
        "  lessons_learned:\n"
        "  - Page the DBA on lag over 5 minutes\n"
        "  - text: Move backups off the replica\n"
    )
    report = cli.process("incident", "report", str(path))
    assert report.returncode == 0, report.stderr
    assert "## Contributing factors\n\nThe replica shared a disk with backups\n\n" in report.stdout
    assert (
        "## Lessons learned\n\n- Page the DBA on lag over 5 minutes\n"
        "- Move backups off the replica\n\n" in report.stdout
    )


def _left_beside(record: Path) -> list[str]:
    return sorted(p.name for p in record.parent.iterdir())


def test_no_lock_file_is_left_behind(work: Path, cli: Cli) -> None:
    record = _start(work, cli)
    assert _left_beside(record) == [record.name]
    commands = [
        ("incident", "ack", str(record), "--by", "alex"),
        ("incident", "update", str(record), "--status", "identified"),
        ("incident", "update", str(record), "--done", "99"),  # refused: exit 2
        ("incident", "status", str(record)),
        ("exec", "orders", "--step", "queries", "--var", TOKEN, "--incident", str(record)),
        ("incident", "resolve", str(record), "--resolution", "done"),
        ("incident", "resolve", str(record), "--resolution", "again"),  # refused: exit 2
        ("incident", "report", str(record)),
    ]
    codes = []
    for command in commands:
        codes.append(cli.process(*command).returncode)
        assert _left_beside(record) == [record.name], command
    assert codes == [0, 0, 2, 0, 0, 0, 2, 0]


def test_no_lock_file_after_ctrl_c_during_exec(work: Path, cli: Cli) -> None:
    record = _start(work, cli)
    log = work / "exec.log"
    proc = cli.start(
        "exec", "orders", "--step", "queries", "--step", "slow",
        "--var", TOKEN, "--incident", str(record),
        log=log, new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while "RUN  orders--slow" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(30) == 130
    assert _left_beside(record) == [record.name]
    blocks = [e.get("block") for e in yaml.safe_load(record.read_text())["incident"]["timeline"]]
    assert blocks[:2] == [None, "orders--queries"]


def test_a_manual_step_marked_done_is_done_not_skipped(work: Path, cli: Cli) -> None:
    record = _start(work, cli)
    env = {**Cli.environ(unset=["API_TOKEN", "CI"]), "TERM": "dumb"}
    term = Terminal(
        work, "exec", "orders", "--walk", "--step", "queries", "--step", "tell",
        "--var", TOKEN, "--incident", str(record), env=env,
    )  # fmt: skip
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("Manual step: press Enter when done ")
    term.send("")
    assert term.wait() == 0
    shown = re.sub(r"\x1b\[[0-9;]*m", "", term.seen.decode(errors="replace"))  # colours
    assert "[2/2] DONE orders--tell " in shown, shown
    assert "1 passed, 1 done in " in shown, shown
    assert "SKIP" not in shown and "skipped" not in shown, shown

    timeline = yaml.safe_load(record.read_text())["incident"]["timeline"]
    assert [(e.get("block"), e.get("status")) for e in timeline[1:]] == [
        ("orders--queries", "passed"),
        ("orders--tell", "done"),
    ]
    report = cli.process("incident", "report", str(record)).stdout
    rows = [
        ln.split(" | ")[1:3]
        for ln in report.splitlines()
        if ln.startswith("| ") and "`orders--" in ln
    ]
    assert rows == [["`orders--queries`", "passed"], ["`orders--tell`", "done"]]
