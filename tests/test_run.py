"""checks.run.process with real processes: exit codes, timeouts, orphans, bytes, size, secrets."""

from __future__ import annotations

import io
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from checks.model import BlockOptions, Check, Risk, SourceLocation, Status
from checks.run.capture import BoundedCapture, Redactor, secret_forms
from checks.run.process import Canceller, Interrupted, RunOptions, run_check
from tests.helpers import gone

ENV = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}


def make(command: str, lang: str = "bash", expected: str | None = None, **opts: object) -> Check:
    return Check(
        id="rb--step",
        risk=Risk.CHECK,
        lang=lang,
        command=command,
        options=BlockOptions(**opts),  # type: ignore[arg-type]
        location=SourceLocation("page.md", 7),
        expected_output=expected,
    )


def test_passing_block_tees_and_captures_both_streams() -> None:
    out, err = io.BytesIO(), io.BytesIO()
    result = run_check(make("echo out; echo err >&2"), ENV, out=out, err=err)
    assert result.status is Status.PASSED
    assert (result.exit_code, result.stdout, result.stderr) == (0, "out\n", "err\n")
    assert (out.getvalue(), err.getvalue()) == (b"out\n", b"err\n")
    assert result.finished_at.endswith("Z")


def test_strict_bash_fails_on_the_first_failing_command_and_in_pipes() -> None:
    result = run_check(make("false | cat\necho not reached"), ENV)
    assert result.status is Status.FAILED
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.reason == "exit code 1, expected 0"


def test_strict_false_runs_past_a_failing_command() -> None:
    result = run_check(make("false | cat\necho reached $?", strict=False), ENV)
    assert (result.status, result.stdout) == (Status.PASSED, "reached 0\n")


def test_expect_exit_accepts_listed_codes() -> None:
    assert run_check(make("exit 3", expect_exit=(0, 3)), ENV).status is Status.PASSED


def test_expect_stdout_and_contains() -> None:
    ok = run_check(make("echo 42", expect_stdout=r"^\d+$", expect_contains="4"), ENV)
    assert ok.status is Status.PASSED
    bad = run_check(make("echo forty", expect_stdout=r"^\d+$"), ENV)
    assert (bad.status, bad.reason) == (Status.FAILED, r"stdout does not match /^\d+$/")
    miss = run_check(make("echo forty", expect_contains="two"), ENV)
    assert miss.reason == "stdout does not contain 'two'"


def test_expected_output_ignores_ansi_and_trailing_whitespace_and_diffs() -> None:
    ok = run_check(make(r"printf '\033[32mok\033[0m  \n\n\n'", expected="ok\n"), ENV)
    assert ok.status is Status.PASSED
    bad = run_check(make("printf 'a\\nB\\n'", expected="a\nb\n"), ENV)
    assert bad.status is Status.FAILED
    assert bad.reason == "stdout differs from the expected output"
    assert bad.details == ("--- expected", "+++ got", "@@ -1,2 +1,2 @@", " a", "-b", "+B")


def test_non_utf8_byte_keeps_the_output_after_it() -> None:
    result = run_check(make(r"printf 'before\xc0after\n'; printf 'e\xffrr\n' >&2"), ENV)
    assert result.stdout == "before\ufffdafter\n"
    assert result.stderr == "e\ufffdrr\n"


def test_whitespace_and_missing_final_newline_are_kept_byte_exact() -> None:
    out = io.BytesIO()
    result = run_check(make(r"printf 'a  \r\nb'"), ENV, out=out)
    assert out.getvalue() == b"a  \r\nb"
    assert result.stdout == "a  \r\nb"


def test_timeout_stops_the_group_including_a_grandchild_that_ignores_term(
    tmp_path: Path,
) -> None:
    pidfile = tmp_path / "pid"
    command = (
        f"bash -c 'trap \"\" TERM; echo $$ > {pidfile}; while :; do sleep 0.1; done' &\n"
        "echo started; sleep 60"
    )
    result = run_check(make(command, timeout=0.5), ENV, RunOptions(grace=0.3))
    assert result.status is Status.TIMEOUT
    assert result.reason == "timed out after 0.5s: process group stopped"
    assert result.stdout == "started\n"
    grandchild = int(pidfile.read_text())
    assert gone(grandchild)


def test_follow_block_reaching_its_timeout_passes() -> None:
    result = run_check(
        make("while :; do echo tick; sleep 0.05; done", timeout=0.3, follow=True), ENV
    )
    assert result.status is Status.PASSED
    assert result.reason == "followed for 0.3s (its timeout), then stopped"
    assert result.stdout.startswith("tick\n")


def test_background_child_holding_the_output_does_not_hang_the_run(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    result = run_check(make(f"sleep 60 & echo $! > {pidfile}; echo done"), ENV)
    assert (result.status, result.stdout) == (Status.PASSED, "done\n")
    assert result.details == (
        "a background process kept the output open after the block ended; "
        "its process group was stopped",
    )
    assert gone(int(pidfile.read_text()))


def test_fifty_megabytes_of_output_stay_bounded_and_the_middle_is_counted() -> None:
    limit = 1024 * 1024
    sink = io.BytesIO()

    class Counting(io.RawIOBase):
        total = 0

        def write(self, data):  # type: ignore[no-untyped-def, override]
            self.total += len(data)
            return len(data)

    counter = Counting()
    tracemalloc.start()
    result = run_check(
        make("head -c 50000000 /dev/zero | tr '\\0' x; echo; echo END"),
        ENV,
        RunOptions(capture_limit=limit),
        out=counter,  # type: ignore[arg-type]
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.status is Status.PASSED
    assert counter.total == 50_000_005  # the tee saw every byte
    elided = 50_000_005 - 2 * limit
    assert f"\n[... {elided} bytes not kept ...]\n" in result.stdout
    assert result.stdout.endswith("x\nEND\n")
    assert len(result.stdout) < 2 * limit + 100
    assert peak < 12 * limit  # bounded: nowhere near 50 MB
    del sink


def test_secret_echoed_by_the_command_is_redacted_in_capture_and_tee() -> None:
    out = io.BytesIO()
    secret = "hunter2-Secret"
    options = RunOptions(secrets=secret_forms([secret]))
    result = run_check(
        make('echo "pw=$DB_PASSWORD"; echo "$DB_PASSWORD" >&2; printf %s "$DB_PASSWORD" | base64'),
        {**ENV, "DB_PASSWORD": secret},
        options,
        out=out,
    )
    assert result.stdout == "pw=***\n***\n"
    assert result.stderr == "***\n"
    assert out.getvalue() == b"pw=***\n***\n"


def test_redactor_masks_a_secret_split_across_chunks() -> None:
    redactor = Redactor([b"topsecret"])
    pieces = [
        redactor.feed(b"a top"),
        redactor.feed(b"sec"),
        redactor.feed(b"ret b"),
        redactor.flush(),
    ]
    assert b"".join(pieces) == b"a *** b"


def test_bounded_capture_counts_what_it_drops() -> None:
    capture = BoundedCapture(limit=4)
    for chunk in (b"abcdef", b"ghij", b"klmnop"):
        capture.write(chunk)
    assert capture.elided == 8
    assert capture.text() == "abcd\n[... 8 bytes not kept ...]\nmnop"


def test_interpreter_gets_the_block_on_stdin_and_expands_variables() -> None:
    result = run_check(
        make(
            "import os\nprint(os.environ['GREETING'], 6 * 7)\n",
            lang="python",
            interpreter='python3 -u -W "$PYWARN"',
        ),
        {**ENV, "GREETING": "hello", "PYWARN": "ignore"},
    )
    assert (result.status, result.stdout) == (Status.PASSED, "hello 42\n")


def test_stdin_is_closed_for_ordinary_blocks() -> None:
    result = run_check(make("cat; echo eof"), ENV)
    assert result.stdout == "eof\n"


def test_shell_replaces_bash() -> None:
    result = run_check(make("echo ${BASH_VERSION:-none}", shell="sh"), ENV)
    assert result.stdout == "none\n"


def test_sql_block_without_interpreter_is_an_error() -> None:
    result = run_check(make("select 1;", lang="sql"), ENV)
    assert result.status is Status.ERROR
    assert result.reason == "a 'sql' block needs interpreter=... (e.g. interpreter=python3) to run"


def test_missing_cwd_is_an_error(tmp_path: Path) -> None:
    result = run_check(make("pwd", cwd="nope"), ENV, RunOptions(cwd=str(tmp_path)))
    assert result.status is Status.ERROR
    assert result.reason == f"cwd '{tmp_path}/nope' does not exist"


def test_cancel_stops_a_running_block_and_carries_the_partial_result() -> None:
    canceller = Canceller()
    timer = threading.Timer(0.3, canceller.cancel)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Interrupted) as info:
        run_check(make("echo partial; sleep 30"), ENV, canceller=canceller)
    canceller.close()
    assert time.monotonic() - started < 10
    assert info.value.result.status is Status.ERROR
    assert info.value.result.stdout == "partial\n"
    assert info.value.result.reason == "interrupted (Ctrl-C): process group stopped"


def test_background_process_with_redirected_output_is_stopped_when_the_block_ends(
    tmp_path: Path,
) -> None:
    pidfile = tmp_path / "pid"
    result = run_check(
        make(f"sleep 77 >/dev/null 2>&1 & echo $! > {pidfile}; echo started"),
        ENV,
        RunOptions(grace=0.5),
    )
    assert (result.status, result.stdout) == (Status.PASSED, "started\n")
    assert gone(int(pidfile.read_text()))
    assert result.details == (
        "a background process was still running after the block ended; its process group "
        "was stopped",
    )


def test_a_block_that_leaves_nothing_running_has_no_note() -> None:
    result = run_check(make("sleep 0.1 & wait; echo done"), ENV)
    assert (result.status, result.stdout, result.details) == (Status.PASSED, "done\n", ())


def test_dash_fence_runs_with_dash_and_its_strict_flag() -> None:
    result = run_check(make("echo ${BASH_VERSION:-none}; false; echo after", lang="dash"), ENV)
    assert (result.status, result.stdout, result.exit_code) == (Status.FAILED, "none\n", 1)
    relaxed = run_check(make("false; echo after $0", lang="dash", strict=False), ENV)
    assert (relaxed.status, relaxed.stdout) == (Status.PASSED, "after dash\n")


def test_zsh_and_ksh_fences_run_with_their_own_shell_and_strict_flags() -> None:
    from checks.run.process import build_argv

    for lang in ("zsh", "ksh"):
        argv, stdin = build_argv(make("print -r -- ok", lang=lang))
        assert (argv, stdin) == ([lang, "-e", "-o", "pipefail", "-c", "print -r -- ok"], None)
    argv, _ = build_argv(make("print -r -- ok", lang="zsh", strict=False))
    assert argv == ["zsh", "-c", "print -r -- ok"]
