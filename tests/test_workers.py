"""Work for worker processes comes in chunks that keep every process busy to the end."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator._workers import chunks_of, shares
from tests.helpers import run_fresh


def test_chunks_keep_order_and_shrink_so_processes_finish_together() -> None:
    items = list(range(1000))
    chunks = chunks_of(items, 2)
    assert [x for chunk in chunks for x in chunk] == items
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[:4] == [250, 188, 141, 106]  # a quarter of what is left, then less
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
    assert min(sizes) >= 1000 // 64  # no chunk of a few files: each costs a bash -n call


def test_chunks_follow_the_weights() -> None:
    assert chunks_of(list("abcdef"), 2, [100, 1, 1, 1, 1, 100]) == [
        ["a"],
        ["b", "c", "d", "e", "f"],
    ]
    assert chunks_of([], 2) == []
    assert chunks_of(["only"], 4) == [["only"]]


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=300), st.integers(1, 6))
def test_shares_cover_every_item_once_and_balance_the_weight(
    weights: list[int], workers: int
) -> None:
    found = shares(weights, workers)
    assert sorted(i for share in found for i in share) == list(range(len(weights)))
    assert all(share == sorted(share) and share for share in found)
    assert len(found) <= workers
    loads = [sum(weights[i] for i in share) for share in found]
    if len(found) == workers:  # the heaviest item first: no share is ahead by more than one
        assert max(loads) - min(loads) <= max(weights)


def test_shares_interleave_equal_items() -> None:
    assert shares([1] * 6, 2) == [[0, 2, 4], [1, 3, 5]]
    assert shares([100, 1, 1, 1, 1, 100], 2) == [[0, 1, 3], [2, 4, 5]]
    assert shares([], 2) == []


PRELUDE = """
import json, os, signal, sys, time
from generator._workers import fork_each

def pid_and_square(n):
    return os.getpid(), n * n

def fail(n):
    raise ValueError(f"bad task {n}")

def die(n):
    os._exit(3)  # killed, out of memory ...: no result

def wait_forever(path):
    with open(path, "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(60)
"""


def fresh(body: str) -> str:
    """``body`` after the prelude, in a new interpreter: its stdout."""
    return run_fresh(PRELUDE + textwrap.dedent(body))


def test_fork_each_runs_each_task_in_a_process_of_its_own() -> None:
    out = fresh("print(json.dumps([os.getpid(), fork_each(pid_and_square, [2, 3, 4])]))")
    parent, found = json.loads(out)
    assert [square for _, square in found] == [4, 9, 16]
    pids = {pid for pid, _ in found}
    assert len(pids) == 3 and parent not in pids


def test_an_exception_in_a_worker_is_raised_with_its_traceback() -> None:
    out = fresh(
        """
        try:
            fork_each(fail, [1])
        except ValueError as exc:
            print(json.dumps([str(exc), "".join(exc.__notes__)]))
        """
    )
    message, notes = json.loads(out)
    assert message == "bad task 1"
    assert "in worker process" in notes and "in fail" in notes


def test_a_worker_that_dies_without_a_result_makes_the_caller_work_alone() -> None:
    assert fresh("print(fork_each(die, [1, 2]))").strip() == "None"


def test_fork_each_does_not_fork_a_process_that_runs_threads() -> None:
    out = fresh(
        """
        import threading
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(fork_each(pid_and_square, [2]))
        stop.set()
        """
    )
    assert out.strip() == "None"


def test_interrupting_the_parent_stops_the_workers(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    out = fresh(
        f"""
        def interrupt(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        started = time.monotonic()
        try:
            fork_each(wait_forever, [{str(pids)!r}, {str(pids)!r}])
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
