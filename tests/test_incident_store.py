"""The record on disk: concurrent appends lose nothing, bad files are located errors."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
import yaml

from checks.model import BlockOptions, Check, Result, Risk, SourceLocation, Status
from generator.incident import (
    append_block_result,
    create_incident,
    new_record,
    parse_time,
    read_incident,
)
from tests.helpers import FIXTURES, Cli

APPENDS = 50


def _result(block: str, n: int) -> Result:
    check = Check(
        id=block,
        risk=Risk.CHECK,
        lang="bash",
        command="true",
        options=BlockOptions(),
        location=SourceLocation("x.md", 1, 1),
    )
    return Result(
        check=check,
        status=Status.PASSED,
        exit_code=0,
        finished_at=f"2024-01-15T14:{n // 60:02d}:{n % 60:02d}Z",
        stdout=f"{block} run {n}\n",
    )


def _append_many(path: str, block: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    for n in range(APPENDS):
        append_block_result(Path(path), _result(block, n))


def _fresh(tmp_path: Path) -> Path:
    now = parse_time("2024-01-15T14:00:00Z")
    assert now is not None
    record = new_record(
        incident_id="INC-1",
        title="t",
        severity="SEV1",
        runbook_id="rb",
        now=now,
        update_every=900.0,
    )
    return create_incident(tmp_path, record)


def test_two_processes_appending_at_once_lose_nothing(tmp_path: Path) -> None:
    path = _fresh(tmp_path)
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [
        context.Process(target=_append_many, args=(str(path), block, start))
        for block in ("rb--a", "rb--b")
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    timeline = read_incident(path).to_yaml()["timeline"]
    assert len(timeline) == 1 + 2 * APPENDS
    for block in ("rb--a", "rb--b"):
        outputs = [e["output"] for e in timeline if e.get("block") == block]
        # Every append is there, each process's in its own order.
        assert outputs == [f"{block} run {n}" for n in range(APPENDS)]
    # No temp file and no lock file is left behind: only the record.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["INC-1.yaml"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "incident:\n  id: INC-1\n  title: [unclosed\n",
            "{path}:4:1: error: invalid incident record: did not find expected ',' or ']'",
        ),
        (
            "- just\n- a list\n",
            "{path}:1:1: error: invalid incident record: expected a mapping 'incident:'",
        ),
        (
            "incident:\n  id: INC-1\n  timeline: {time: now}\n",
            "{path}:3:13: error: invalid incident record: 'timeline' must be a list",
        ),
        (
            "incident:\n  id: INC-1\n  timeline:\n  - time: 14:15\n  - just text\n",
            "{path}:5:5: error: invalid incident record: "
            "a timeline entry must be a mapping {{time, event}}",
        ),
        (
            "incident: INC-1\n",
            "{path}:1:11: error: invalid incident record: 'incident' must be a mapping",
        ),
    ],
)
def test_corrupt_record_is_a_located_error_and_is_not_rewritten(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    expected: str,
    cli: Cli,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_NOW", "2024-01-15T15:00:00Z")
    path = tmp_path / "incidents" / "INC-1.yaml"
    path.parent.mkdir()
    path.write_text(text)
    for args in (["status", "INC-1"], ["update", "INC-1", "--note", "x"], ["report", "INC-1"]):
        code, out, err = cli("incident", *args)
        assert (code, out) == (3, "")
        assert err == expected.format(path="incidents/INC-1.yaml") + "\n"
    assert path.read_text() == text


def test_comms_with_a_corrupt_incident_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    fixtures = FIXTURES / "comms" / "runbooks"
    bad = tmp_path / "bad.yaml"
    bad.write_text("incident:\n  title: ok\n  impact: [1, 2]\n")
    code, out, err = cli(
        "comms", "payments-down", "slack-update", "--root", str(fixtures), "--incident", str(bad)
    )
    assert (code, out) == (3, "")
    assert err == f"{bad}:3:11: error: invalid incident record: 'impact' must be a mapping\n"


def test_writes_are_atomic_replacements(tmp_path: Path) -> None:
    path = _fresh(tmp_path)
    inode = os.stat(path).st_ino
    append_block_result(path, _result("rb--a", 1))
    # A new file was renamed over the old one: readers see the old or the new, never half.
    assert os.stat(path).st_ino != inode
    document = yaml.safe_load(path.read_text())
    assert document["incident"]["timeline"][-1]["event"] == "ran rb--a: passed (exit 0)"


def test_output_is_bounded_and_says_what_was_cut(tmp_path: Path) -> None:
    path = _fresh(tmp_path)
    big = "x" * 5000 + "\n" + "\n".join(f"l{n}" for n in range(100)) + "\n"
    append_block_result(
        path,
        _result("rb--a", 1).__class__(
            check=_result("rb--a", 1).check,
            status=Status.FAILED,
            exit_code=2,
            stdout=big,
            stderr="boom\n",
            finished_at="2024-01-15T14:05:00Z",
        ),
    )
    entry = read_incident(path).to_yaml()["timeline"][-1]
    # The first and the last lines are kept (102 in all), and each cut says how much.
    assert entry["output"].splitlines() == [
        "x" * 300 + " [... 4700 characters cut ...]",
        *(f"l{n}" for n in range(19)),
        "[... 62 lines cut ...]",
        *(f"l{n}" for n in range(81, 100)),
        "boom",
    ]
    assert entry["exit_code"] == 2
    assert entry["time"] == "2024-01-15T14:05:00Z"
