"""Reports of ``runbook exec``/``check``: paths checked up front, live transcript, summary."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.helpers import FAILING, Cli, page

# Waits (bounded) until the test creates the file `release`: the run is "still going".
HOLD = "for i in $(seq 400); do test -e release && break; sleep 0.05; done; echo released"


def events(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def wait_until(predicate: object, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.05)


def test_transcript_has_each_result_while_the_run_is_still_going(tmp_path: Path, cli: Cli) -> None:
    page(
        tmp_path,
        "# T\n\n```bash {#t--one .check}\necho one\n```\n\n"
        f"```bash {{#t--hold .check}}\n{HOLD}\n```\n",
    )
    proc = cli.start("exec", "page.md", "--transcript", "t.jsonl", cwd=tmp_path)
    log = tmp_path / "t.jsonl"
    wait_until(lambda: any(e.get("id") == "t--hold" for e in events(log)))
    # t--hold is running (it waits for `release`): what came before is on disk already.
    assert proc.poll() is None
    seen = events(log)
    assert [(e["event"], e.get("id")) for e in seen] == [
        ("run", None),
        ("start", "t--one"),
        ("result", "t--one"),
        ("start", "t--hold"),
    ]
    assert (seen[2]["status"], seen[2]["stdout"]) == ("passed", "one\n")
    (tmp_path / "release").touch()
    proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert [e["event"] for e in events(log)][-2:] == ["result", "end"]


def test_parallel_results_are_reported_as_each_block_finishes(tmp_path: Path, cli: Cli) -> None:
    page(
        tmp_path,
        "# P\n\n"
        f"```bash {{#p--hold .check}}\n{HOLD}\n```\n\n"
        "```bash {#p--quick .check}\necho quick\n```\n",
    )
    proc = cli.start(
        "exec",
        "page.md",
        "--jobs",
        "2",
        "--transcript",
        "t.jsonl",
        "--json",
        "r.json",
        cwd=tmp_path,
    )
    log = tmp_path / "t.jsonl"
    wait_until(lambda: any(e["event"] == "result" for e in events(log)))
    assert proc.poll() is None  # p--hold still runs
    results = [e for e in events(log) if e["event"] == "result"]
    assert [(e["id"], e["status"]) for e in results] == [("p--quick", "passed")]
    (tmp_path / "release").touch()
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    # Progress lines come in finishing order; the JSON report keeps page order.
    assert err.index("PASS p--quick") < err.index("PASS p--hold")
    report = json.loads((tmp_path / "r.json").read_text())
    assert [r["id"] for r in report["results"]] == ["p--hold", "p--quick"]


def test_parallel_fail_fast_skips_blocks_not_started_yet(tmp_path: Path, cli: Cli) -> None:
    # A failed action stops the run (a failed check would not).
    # f--bad fails only once f--slow runs: otherwise, on a busy machine, f--bad's thread can
    # finish before the second thread starts and take f--slow itself (then rightly skipped).
    wait = "for _ in $(seq 500); do [ -e slow-started ] && break; sleep 0.01; done"
    blocks = f"```bash {{#f--bad .action}}\n{wait}\nexit 1\n```\n\n"
    blocks += "```bash {#f--slow .check}\ntouch slow-started; sleep 0.5; echo slow\n```\n\n"
    blocks += "".join(f"```bash {{#f--m{i} .check}}\ntouch m{i}\n```\n\n" for i in range(4))
    page(tmp_path, "# F\n\n" + blocks)
    steps = [a for s in ("bad", "slow", "m0", "m1", "m2", "m3") for a in ("--step", s)]
    run = ("exec", "page.md", *steps, "--allow", "action", "--jobs", "2")
    proc = cli.process(*run, "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("f--bad", "failed"),
        ("f--slow", "passed"),  # already running when f--bad failed: it finishes
        *((f"f--m{i}", "skipped") for i in range(4)),
    ]
    assert {r["reason"] for r in results[2:]} == {
        "not run: an earlier action or destructive block failed (use --keep-going to run the rest)"
    }
    assert list(tmp_path.glob("m*")) == []
    kept = cli.process(*run, "--keep-going", cwd=tmp_path)
    assert kept.returncode == 1
    assert sorted(p.name for p in tmp_path.glob("m*")) == ["m0", "m1", "m2", "m3"]


def test_summary_table_lists_every_block_with_status_time_location_and_note(
    tmp_path: Path,
    cli: Cli,
) -> None:
    page(tmp_path, FAILING + "\n```bash {#f--act .action}\ntrue\n```\n")
    steps = [a for s in ("one", "two", "three", "act") for a in ("--step", s)]
    proc = cli.process("exec", "page.md", *steps, "--keep-going", cwd=tmp_path)
    assert proc.returncode == 1
    tail = [re.sub(r"\b\d\.\d\ds", "N.NNs", line) for line in proc.stderr.splitlines()[-7:]]
    assert [line.rstrip() for line in tail] == [
        "status  ┃ time  ┃ block    ┃ location     ┃ note",
        "━━━━━━━━╇━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━╇" + "━" * 55,
        "passed  │ N.NNs │ f--one   │ page.md:3:1  │",
        "failed  │ N.NNs │ f--two   │ page.md:7:1  │ exit code 7, expected 0",
        "passed  │ N.NNs │ f--three │ page.md:11:1 │",
        "skipped │ N.NNs │ f--act   │ page.md:15:1 │ action: needs consent and there is no TTY "
        "(pass --yes)",
        "2 passed, 1 failed, 1 skipped in N.NNs",
    ]


HELLO = "# H\n\n```bash {#h--hello .check}\ntouch ran\n```\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--json", "/nonexistent/r.json"],
            {},
            "error: --json /nonexistent/r.json: cannot write it: the directory '/nonexistent' "
            "does not exist\n",
        ),
        (
            ["--junit", "."],
            {},
            "error: --junit .: is a directory (expected a file name)\n",
        ),
        (
            ["--transcript", "page.md/t.jsonl"],
            {},
            "error: --transcript page.md/t.jsonl: cannot write it: the directory 'page.md' "
            "is not a directory\n",
        ),
        (
            [],
            {"GITHUB_STEP_SUMMARY": "/nonexistent/summary.md"},
            "error: $GITHUB_STEP_SUMMARY /nonexistent/summary.md: cannot write it: the "
            "directory '/nonexistent' does not exist\n",
        ),
    ],
)
def test_report_path_that_cannot_be_written_is_a_usage_error_before_anything_runs(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str, cli: Cli
) -> None:
    page(tmp_path, HELLO)
    proc = cli.process("exec", "page.md", *args, cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, message, "")
    assert not (tmp_path / "ran").exists()
    check = cli.process("check", "page.md", *args, cwd=tmp_path, env=env)
    assert (check.returncode, check.stderr) == (2, message)
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("command", ["exec", "check"])
def test_a_report_that_cannot_be_written_after_the_run_is_an_error_line_and_exit_1(
    tmp_path: Path, cli: Cli, command: str
) -> None:
    (tmp_path / "out").mkdir()
    page(tmp_path, "# H\n\n```bash {#h--rm .check}\nrm -r out\n```\n")
    proc = cli.process(command, "page.md", "--json", "out/r.json", "--junit", "r.xml", cwd=tmp_path)
    # The block passed, but the record CI asked for is missing: not a success.
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.endswith(
        "error: --json out/r.json: cannot write it: No such file or directory\n"
    )
    assert (tmp_path / "r.xml").exists()  # the other report is still written
    # A full disk, found only when the report is written (the block passes again).
    (tmp_path / "out").mkdir()
    proc = cli.process(command, "page.md", "--junit", "/dev/full", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.endswith(
        "error: --junit /dev/full: cannot write it: No space left on device\n"
    )
