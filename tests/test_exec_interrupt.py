"""Ctrl-C during ``runbook exec``: a real CLI process, real signals, real process groups."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.helpers import Cli

# Ignores TERM and INT (sleep inherits the ignored TERM): only KILL ends it.
STUBBORN = """
```bash {{#i--{name} .check}}
echo $$ > {name}.pid
trap '' TERM INT; while :; do sleep 0.2; done
```
"""


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rfind(")") + 2 :].split()
        if int(rest[2]) == pgid and rest[0] != "Z":
            members.append(int(entry))
    return members


def wait_for(paths: list[Path], timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not all(p.exists() and p.read_text().strip() for p in paths):
        assert time.monotonic() < end, f"{paths} never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_second_ctrl_c_during_the_grace_period_kills_the_group_and_records_it(
    tmp_path: Path, jobs: str, cli: Cli
) -> None:
    names = ["stubborn"] if jobs == "1" else ["stubborn", "mule"]
    (tmp_path / "page.md").write_text("# I\n" + "".join(STUBBORN.format(name=n) for n in names))
    proc = cli.start(
        "exec", "page.md", "--json", "r.json", "--grace", "30", "--jobs", jobs, cwd=tmp_path
    )
    pidfiles = [tmp_path / f"{n}.pid" for n in names]
    wait_for(pidfiles)
    pgids = [int(p.read_text()) for p in pidfiles]
    time.sleep(0.3)  # the blocks are in their loops, TERM and INT ignored
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    assert proc.poll() is None  # first Ctrl-C: TERM sent, the 30 s grace period runs
    assert all(group_members(pgid) for pgid in pgids)
    pressed = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - pressed < 10  # KILLed now, not after the grace period
    assert proc.returncode == 130, err
    assert "Interrupted: partial report written.\n" in err
    for pgid in pgids:
        assert group_members(pgid) == []
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(r["id"], r["status"], r["reason"]) for r in report["results"]] == [
        (
            f"i--{name}",
            "error",
            "interrupted (Ctrl-C twice): process group killed without the grace period",
        )
        for name in names
    ]
    assert all(r["exit_code"] == 137 for r in report["results"])  # 128 + KILL
    assert report["summary"]["interrupted"] is True


def test_one_ctrl_c_stops_a_block_that_ignores_term_after_the_grace_period(
    tmp_path: Path,
    cli: Cli,
) -> None:
    (tmp_path / "page.md").write_text("# I\n" + STUBBORN.format(name="stubborn"))
    proc = cli.start("exec", "page.md", "--json", "r.json", "--grace", "0.5", cwd=tmp_path)
    wait_for([tmp_path / "stubborn.pid"])
    pgid = int((tmp_path / "stubborn.pid").read_text())
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert group_members(pgid) == []
    (result,) = json.loads((tmp_path / "r.json").read_text())["results"]
    assert (result["status"], result["reason"]) == (
        "error",
        "interrupted (Ctrl-C): process group stopped",
    )
