"""Worker processes: work shared out whole and in order, results back in order, failures and
Ctrl-C handled."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator._workers import chunks_of
from tests.helpers import run_fresh


@given(st.lists(st.integers(min_value=1, max_value=10_000), max_size=300), st.integers(1, 6))
def test_chunks_keep_every_item_once_in_order(weights: list[int], workers: int) -> None:
    items = list(range(len(weights)))
    for chunks in (chunks_of(items, workers), chunks_of(items, workers, weights)):
        assert [x for chunk in chunks for x in chunk] == items
        assert all(chunks)


PRELUDE = """
import json, os, signal, sys, time
from generator._workers import Workers

def pid_and_sum(state, n):
    return os.getpid(), state + n

def fail(state, n):
    raise ValueError(f"bad task {n}")

def die(state, n):
    os._exit(3)  # killed, out of memory ...: no result

def wait_forever(path, n):
    with open(path, "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(60)

def run(function, tasks, state=0, **kw):
    workers = Workers.start(state, 2, **kw)
    if workers is None:
        return None
    with workers:
        return workers.map(function, tasks)
"""


def fresh(body: str) -> str:
    """``body`` after the prelude, in a new interpreter: its stdout."""
    return run_fresh(PRELUDE + textwrap.dedent(body))


def test_workers_run_each_task_with_the_state_in_other_processes() -> None:
    out = fresh("print(json.dumps([os.getpid(), run(pid_and_sum, [2, 3, 4], state=10)]))")
    parent, found = json.loads(out)
    assert [total for _, total in found] == [12, 13, 14]
    pids = {pid for pid, _ in found}
    assert pids and parent not in pids


def test_an_exception_in_a_worker_is_raised_with_its_traceback() -> None:
    out = fresh(
        """
        try:
            run(fail, [1])
        except ValueError as exc:
            print(json.dumps([str(exc), str(exc.__cause__)]))
        """
    )
    message, cause = json.loads(out)
    assert message == "bad task 1"
    assert "in fail" in cause


def test_a_worker_that_dies_without_a_result_makes_the_caller_work_alone() -> None:
    assert fresh("print(run(die, [1, 2]))").strip() == "None"


def test_a_process_that_runs_threads_is_not_forked() -> None:
    out = fresh(
        """
        import operator, threading
        stop = threading.Event()
        threading.Thread(target=stop.wait, daemon=True).start()
        forked = run(pid_and_sum, [2], fork_only=True)
        # Fresh processes: the state is pickled, the function found by its module.
        started = run(operator.add, [2, 3], state=5)
        print(json.dumps([forked, started]))
        stop.set()
        """
    )
    assert json.loads(out) == [None, [7, 8]]


def test_interrupting_the_parent_stops_the_workers(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    out = fresh(
        f"""
        def interrupt(signum, frame):  # Ctrl-C once both workers are at work
            if os.path.exists({str(pids)!r}) and len(open({str(pids)!r}).readlines()) == 2:
                signal.setitimer(signal.ITIMER_REAL, 0)
                raise KeyboardInterrupt

        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.2, 0.2)
        started = time.monotonic()
        try:
            run(wait_forever, [1, 2], state={str(pids)!r})
        except KeyboardInterrupt:
            print(round(time.monotonic() - started))
        """
    )
    assert int(out) < 30
    children = [int(line) for line in pids.read_text().split()]
    assert len(children) == 2
    for pid in children:  # stopped and reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_workers_stopped_under_the_clis_signal_handling_end_quietly(tmp_path: Path) -> None:
    """The CLI turns TERM and HUP into Ctrl-C (``stop_signals_raise``); a forked worker
    inherits that handler, and its parent stops it with TERM: a worker waiting for a task
    printed a traceback instead of ending."""
    pids, errors = tmp_path / "pids", tmp_path / "stderr"
    out = fresh(
        f"""
        from checks.run.group import stop_signals_raise

        os.dup2(os.open({str(errors)!r}, os.O_WRONLY | os.O_CREAT), 2)  # the workers' too

        def interrupt(signum, frame):  # Ctrl-C once one worker is at work, one waiting
            if os.path.exists({str(pids)!r}):
                signal.setitimer(signal.ITIMER_REAL, 0)
                raise KeyboardInterrupt

        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.2, 0.2)
        with stop_signals_raise(once=True):
            try:
                run(wait_forever, [1], state={str(pids)!r})
            except KeyboardInterrupt:
                print("stopped")
        """
    )
    assert out.strip() == "stopped"
    assert errors.read_text() == ""
