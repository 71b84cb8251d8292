"""Work for worker processes comes in chunks that keep every process busy to the end."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.workers import chunks_of, fork_each, shares


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


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def _fail(n: int) -> int:
    raise ValueError(f"bad task {n}")


def _die(n: int) -> int:
    os._exit(3)  # killed, out of memory ...: no result


def _wait_forever(path: str) -> None:
    with open(path, "a") as handle:
        handle.write(f"{os.getpid()}\n")
    time.sleep(60)


def test_fork_each_runs_each_task_in_a_process_of_its_own() -> None:
    found = fork_each(_pid_and_square, [2, 3, 4])
    assert found is not None
    assert [square for _, square in found] == [4, 9, 16]
    pids = {pid for pid, _ in found}
    assert len(pids) == 3 and os.getpid() not in pids


def test_an_exception_in_a_worker_is_raised_with_its_traceback() -> None:
    with pytest.raises(ValueError, match="bad task 1") as caught:
        fork_each(_fail, [1])
    assert "in worker process" in "".join(caught.value.__notes__)
    assert "_fail" in "".join(caught.value.__notes__)


def test_a_worker_that_dies_without_a_result_makes_the_caller_work_alone() -> None:
    assert fork_each(_die, [1, 2]) is None


def test_interrupting_the_parent_stops_the_workers(tmp_path: Path) -> None:
    pids = tmp_path / "pids"

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            fork_each(_wait_forever, [str(pids), str(pids)])
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 30
    children = [int(line) for line in pids.read_text().split()]
    assert len(children) == 2
    for pid in children:  # stopped and reaped: no such process any more
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
