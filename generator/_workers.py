"""Worker processes for CPU-bound batches of files (parsing, linting).

Python runs one thread at a time, so a thousand runbooks use every core only in
processes. Starting them costs tens of milliseconds, so small batches stay in the
calling process; where processes cannot start (a sandbox, limits) the caller does the
work itself.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import os
import pickle
import selectors
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TypeVar

__all__ = [
    "PARALLEL_MIN_FILES",
    "can_fork",
    "chunks_of",
    "fork_each",
    "gc_paused",
    "ignore_interrupts",
    "map_in_processes",
    "shares",
    "worker_count",
]

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_FILES = 200
"""Below this many files, starting worker processes costs more than it saves."""


def worker_count(count: int, jobs: int | None) -> int:
    """Processes for ``count`` files: ``jobs``, or (None) every core from
    ``PARALLEL_MIN_FILES`` files on; never more than there are files."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if count >= PARALLEL_MIN_FILES else 1
    return max(1, min(jobs, count))


def chunks_of(
    items: Sequence[T], workers: int, weights: Sequence[int] | None = None
) -> list[Sequence[T]]:
    """Consecutive chunks for ``workers`` processes: big ones first, each about a
    ``2 * workers``-th of the weight (e.g. bytes) still left, down to a 32nd of a worker's
    share, so that the processes finish together without a chunk per file."""
    if not items:
        return []
    if weights is None:
        weights = [1] * len(items)
    left = sum(weights)
    smallest = left / (workers * 32)
    starts: list[int] = []
    start = weight = 0
    for index, item_weight in enumerate(weights):
        weight += item_weight
        if weight >= max(left / (2 * workers), smallest):
            starts.append(start)
            start, left, weight = index + 1, left - weight, 0
    if start < len(items) and (not starts or left >= smallest):
        starts.append(start)  # else the few items left join the last chunk
    ends = [*starts[1:], len(items)]
    return [items[a:b] for a, b in zip(starts, ends, strict=True)]


def shares(weights: Sequence[int], workers: int) -> list[list[int]]:
    """Item indices for ``workers`` processes, one share each, balanced by weight (e.g.
    bytes): the heaviest item first, each to the lightest share so far; each share in item
    order, none empty.

    For work whose results are small (lint): one task per process costs less than
    chunks taken in turn (measured on 1,000 runbooks: 2.01 s against 2.07 s). Each
    share is a mix of the whole tree, so the processes finish close together."""
    loads = [(0, k) for k in range(max(1, workers))]
    out: list[list[int]] = [[] for _ in loads]
    for index in sorted(range(len(weights)), key=lambda i: -weights[i]):
        load, k = heapq.heappop(loads)
        out[k].append(index)
        heapq.heappush(loads, (load + weights[index], k))
    for share in out:
        share.sort()
    return [share for share in out if share]


def map_in_processes(
    function: Callable[[T], R],
    chunks: Sequence[T],
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[R] | None:
    """``function`` over ``chunks`` in ``workers`` processes, results in order; None when
    processes cannot be started (the caller then works in this one)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if can_fork() else "forkserver"  # fork is fastest
    if method not in multiprocessing.get_all_start_methods():
        method = "spawn"
    try:
        context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        ) as pool:
            return list(pool.map(function, chunks))
    except (OSError, RuntimeError, pickle.PicklingError):
        return None  # no processes here (sandbox, limits)


def fork_each(
    function: Callable[[T], R],
    tasks: Sequence[T],
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[R] | None:
    """``function`` over ``tasks``, each in a forked process of its own, results in order;
    None when processes cannot be forked or one ends without a result (killed, out of
    memory): the caller then works in this one, as after ``map_in_processes``. An
    exception ``function`` raises in a child is raised here, with the child's traceback
    as a note.

    For one large task per process (lint's shares) this is a pool's work without the
    pool's cost: no manager thread, queues or shutdown handshake (30 ms of a two-second
    lint). A child pickles its result into a pipe and leaves with ``os._exit``: no exit
    handlers run and nothing is freed one object at a time.
    """
    if not can_fork():
        return None
    children: list[tuple[int, int]] = []
    try:
        for task in tasks:
            read, write = os.pipe()
            # Ctrl-C must not reach a child before it ignores it: it would run this
            # function's cleanup as if it were the parent.
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                pid = os.fork()
                if pid == 0:  # the child: never returns
                    _run_child(write, (read, children, mask), function, task, initializer, initargs)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(write)
            children.append((pid, read))
        outcomes = _read_all([read for _, read in children])
    except OSError:
        _stop(children)
        return None
    except BaseException:  # Ctrl-C: the children stop too
        _stop(children)
        raise
    for pid, _ in children:  # they have mostly finished exiting by now
        os.waitpid(pid, 0)
    results: list[R] = []
    for outcome in outcomes:
        if outcome is None:
            return None  # no (whole) result: the child died
        ok, value = outcome
        if not ok:
            raise value
        results.append(value)
    return results


def _run_child(
    write: int,
    parent: tuple[int, list[tuple[int, int]], set[int | signal.Signals]],
    function: Callable[[T], R],
    task: T,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> NoReturn:
    """In the child: run the task, send the outcome, leave (whatever happens, this
    process never returns into the parent's code). ``parent``: the parent's end of this
    pipe, the earlier children, the signal mask to restore once Ctrl-C is ignored."""
    code = 0
    try:
        ignore_interrupts()
        read, children, mask = parent
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for fd in (read, *(earlier for _, earlier in children)):  # the parent's ends
            os.close(fd)
        if initializer is not None:
            initializer(*initargs)
        payload = pickle.dumps((True, function(task)), pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # the parent raises it
        code = 1
        exc.add_note(f"in worker process {os.getpid()}:\n{traceback.format_exc()}")
        try:
            payload = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
        except Exception:  # an exception that does not pickle
            payload = pickle.dumps((False, RuntimeError(traceback.format_exc())))
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(write, view) :]
        os.close(write)  # the end of the result now, not after this process's memory is gone
    finally:
        os._exit(code)


def _read_all(fds: list[int]) -> list[tuple[bool, Any] | None]:
    """What each child sent, (ok, value), unpickled as soon as its pipe ends (while the
    others still work); None for a child that ended without a whole result. Reads as
    the data comes: a child blocks on a full pipe."""
    parts: dict[int, list[bytes]] = {fd: [] for fd in fds}
    outcomes: dict[int, tuple[bool, Any] | None] = {}
    with selectors.DefaultSelector() as selector:
        for fd in fds:
            selector.register(fd, selectors.EVENT_READ)
        while len(outcomes) < len(fds):
            for key, _ in selector.select():
                block = os.read(key.fd, 1 << 20)
                if block:
                    parts[key.fd].append(block)
                    continue
                selector.unregister(key.fd)
                try:
                    outcomes[key.fd] = pickle.loads(b"".join(parts.pop(key.fd)))
                except Exception:  # cut short: the child died
                    outcomes[key.fd] = None
    for fd in fds:
        os.close(fd)
    return [outcomes[fd] for fd in fds]


def _stop(children: list[tuple[int, int]]) -> None:
    for pid, read in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.close(read)
    for pid, _ in children:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def can_fork() -> bool:
    """Whether worker processes may be forked: ``fork`` exists and no other thread runs
    (forking a process that runs threads, such as ``mkdocs serve``, can deadlock)."""
    import threading  # not multiprocessing: its import alone costs 4 ms of every lint

    return hasattr(os, "fork") and threading.active_count() == 1


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C reaches the whole process group, but the parent decides (it
    cancels what is queued); a worker stopped mid-task would only print a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building trees of many small objects.

    The model is acyclic; collections triggered by allocation alone cost about a third
    of a 1,000-runbook load and free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was made meanwhile is all in the youngest generation: the first
            # collection would walk every object of the tree (0.14 s at 1,000 runbooks).
            # Freezing then unfreezing moves them to the oldest one without a walk.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
