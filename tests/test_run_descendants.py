"""Nothing a block starts outlives it, whatever group or session it makes.

Real processes: GNU ``timeout`` (its own process group), ``set -m`` jobs (a group each) and
``setsid`` (a new session), with the block passing, failing and timing out. Each leftover
is a ``sleep`` with a number no other test uses, looked for in ``/proc`` when the block
has ended.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checks.model import BlockOptions, Check, Risk, SourceLocation, Status
from checks.run.process import run_check
from tests.helpers import Cli, page, sleep_number, sleeping

IDIOMS = {
    "timeout": "timeout 120 sleep {n} >/dev/null 2>&1 &",
    "set-m": "set -m; sleep {n} >/dev/null 2>&1 &",
    "setsid": "setsid sleep {n} >/dev/null 2>&1 &",
    "double-fork": "( ( setsid sleep {n} >/dev/null 2>&1 & ) & )",
}
ENDINGS = {
    "passes": ("true", Status.PASSED),
    "fails": ("exit 3", Status.FAILED),
    "times-out": ("sleep 30", Status.TIMEOUT),
}


number = pytest.fixture(sleep_number, name="number")


def block(command: str, timeout: float = 10) -> Check:
    return Check(
        "d--b",
        Risk.CHECK,
        "bash",
        command,
        BlockOptions(timeout=timeout),
        SourceLocation("d.md", 1),
    )


@pytest.mark.parametrize("ending", ENDINGS)
@pytest.mark.parametrize("idiom", IDIOMS)
def test_what_a_block_starts_in_another_group_or_session_ends_with_it(
    number: str, idiom: str, ending: str
) -> None:
    last, status = ENDINGS[ending]
    command = IDIOMS[idiom].format(n=number) + f"\nsleep 0.3\n{last}\n"
    result = run_check(block(command, timeout=2 if ending == "times-out" else 20), dict(os.environ))
    assert result.status is status, result.reason
    assert sleeping(number) == []


def test_gnu_timeout_in_the_foreground_ends_when_the_block_times_out(number: str) -> None:
    command = f"timeout 120 sleep {number}\necho not reached\n"
    result = run_check(block(command, timeout=2), dict(os.environ))
    assert result.status is Status.TIMEOUT
    assert sleeping(number) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_runner_process_ends_them_alone_or_with_worker_threads(
    work: Path, cli: Cli, number: str, jobs: str
) -> None:
    """The runner as its own process: alone in it (one block at a time) or with a worker
    thread per running block (``--jobs``), whose children the kernel lists apart."""
    fences = "".join(
        f"\n```bash {{#d--{name} .check}}\n{idiom.format(n=number)}\nsleep 0.3\n```\n"
        for name, idiom in IDIOMS.items()
    )
    page(work, "# D\n" + fences)
    ran = cli.process("exec", "page.md", "--jobs", jobs, "--json", "r.json")
    assert ran.returncode == 0, ran.stderr
    assert sleeping(number) == []
    for result in json.loads((work / "r.json").read_text())["results"]:
        assert any("was still running" in note for note in result["details"]), result
