"""Exit codes through the real CLI (DESIGN.md's table), where other tests do not pin them:
nothing ran (4) for list, exec and check alike, an interrupted ``check`` (130, also in its
reports), and a failure beating an empty run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

PROSE = "# Prose\n\nAnd a manual step:\n\n```text {#p--call .manual}\nCall the DBA\n```\n"


def runbook(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("list", "page.md"), "error: no executable blocks found"),
        (("exec", "page.md"), "nothing selected in 0.00s"),
        (
            ("exec", "page.md", "--dry-run"),
            "error: nothing selected in page.md: the page has no .check blocks (choose "
            "others with --step, --section or --walk)",
        ),
        (("check", "page.md"), "error: nothing ran: every check was skipped or none was found"),
    ],
)
def test_nothing_ran_is_exit_4_for_every_command_that_runs_or_lists_blocks(
    tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    (tmp_path / "page.md").write_text(PROSE if args[0] != "list" else "# Prose only\n")
    proc = runbook(*args, cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert line in proc.stderr.splitlines()


def test_a_check_that_only_skips_is_exit_4_and_its_report_says_so(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(
        "# Skips\n\n```bash {#s--needs .check requires=no-such-tool-here}\ntrue\n```\n"
    )
    proc = runbook("check", "page.md", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert (summary["skipped"], summary["exit_code"]) == (1, 4)


def test_a_failure_is_exit_1_even_when_every_other_block_was_skipped(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(
        "# Mixed\n\n```bash {#m--needs .check requires=no-such-tool-here}\ntrue\n```\n\n"
        "```bash {#m--fails .check}\nexit 3\n```\n"
    )
    proc = runbook("check", "page.md", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["exit_code"] == 1


def test_an_interrupted_check_is_exit_130_in_its_status_and_its_reports(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(
        "# Slow\n\n```bash {#s--slow .check}\necho started; sleep 60\n```\n\n"
        "```bash {#s--never .check}\necho never\n```\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("GITHUB_STEP_SUMMARY", None)
    args = ["check", "page.md", "--json", "r.json", "--transcript", "t.jsonl"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    transcript = tmp_path / "t.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if transcript.exists() and '"event": "start"' in transcript.read_text():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "never" not in out
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert (summary["interrupted"], summary["exit_code"]) == (True, 130)
    events = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert (events[-1]["event"], events[-1]["exit_code"]) == ("end", 130)
