"""SIGTERM and SIGHUP to ``runbook exec``/``check`` act like Ctrl-C; ``kill -9`` leaves nothing.

Real CLI processes, real signals; leftovers are looked for in ``/proc``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import sleep_number, sleeping

number = pytest.fixture(sleep_number, name="number")

PAGE = """# S

```bash {{#s--long .check}}
setsid sleep {n}1 >/dev/null 2>&1 &
echo $$ > long.pid
sleep {n}2
```

```bash {{#s--next .check}}
touch next-ran
```
"""


def start(tmp_path: Path, command: str, *args: str) -> subprocess.Popen[str]:
    """``runbook COMMAND page.md ARGS`` as a terminal or a CI runner starts it: with no stop
    signal ignored (under ``nohup`` SIGHUP is, and the runner leaves it so, by design)."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", command, "page.md", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_stop_signals,
    )


def _default_stop_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def wait_for(path: Path, timeout: float = 30) -> int:
    end = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.05)
    return int(path.read_text())


def gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2] == "Z"


@pytest.mark.parametrize("command", ["exec", "check"])
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_term_and_hup_stop_the_block_write_partial_reports_and_exit_128_plus_n(
    tmp_path: Path, number: str, command: str, sig: signal.Signals, code: int
) -> None:
    (tmp_path / "page.md").write_text(PAGE.format(n=number))
    args = ["--json", "r.json", "--junit", "r.xml", "--transcript", "t.jsonl"]
    proc = start(tmp_path, command, *args)
    leader = wait_for(tmp_path / "long.pid")
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert gone(leader)
    assert sleeping(f"{number}1") == [] and sleeping(f"{number}2") == []
    assert not (tmp_path / "next-ran").exists()
    report = json.loads((tmp_path / "r.json").read_text())
    first = report["results"][0]
    assert (first["id"], first["status"]) == ("s--long", "error")
    assert first["reason"] == f"interrupted ({sig.name}): process group stopped"
    assert report["summary"]["exit_code"] == code
    assert report["summary"]["interrupted"] is True
    assert 'name="s--long"' in (tmp_path / "r.xml").read_text()
    events = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert events[-1]["event"] == "end"
    assert events[-1]["exit_code"] == code


def test_kill_9_of_the_runner_leaves_no_block_process_running(tmp_path: Path, number: str) -> None:
    (tmp_path / "page.md").write_text(PAGE.format(n=number))
    proc = start(tmp_path, "exec")
    leader = wait_for(tmp_path / "long.pid")
    time.sleep(0.3)
    proc.kill()
    proc.communicate(timeout=30)
    end = time.monotonic() + 10
    while time.monotonic() < end and not (
        gone(leader) and sleeping(f"{number}1") == [] and sleeping(f"{number}2") == []
    ):
        time.sleep(0.05)
    assert gone(leader)
    assert sleeping(f"{number}1") == []
    assert sleeping(f"{number}2") == []
