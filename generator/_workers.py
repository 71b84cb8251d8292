"""Worker processes for CPU-bound batches of files (parsing, linting).

Python runs one thread at a time, so a thousand runbooks use every core only in
processes. Starting them costs tens of milliseconds, so small batches stay in the
calling process; where processes cannot start (a sandbox, limits) the caller does the
work itself.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = [
    "PARALLEL_MIN_FILES",
    "Task",
    "Workers",
    "can_fork",
    "chunks_of",
    "gc_paused",
    "worker_count",
]

S = TypeVar("S")
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


class Workers(Generic[S]):
    """Worker processes that share one ``state``, given to every task's function.

    Forked from this process where that is safe (they inherit ``state`` as it is, with
    nothing copied), else started fresh (``state`` is pickled to each). Results come back
    pickled by ``generator._pickling``. Use as a context manager, or ``close``.
    """

    def __init__(self, pool: ProcessPoolExecutor, count: int) -> None:
        import multiprocessing

        self._pool = pool
        self.count = count
        # The pool starts its processes on demand: every child started from now on is one.
        self._earlier = {child.pid for child in multiprocessing.active_children()}

    @classmethod
    def start(
        cls,
        state: S,
        count: int,
        setup: Callable[[], object] | None = None,
        *,
        fork_only: bool = False,
    ) -> Workers[S] | None:
        """``count`` processes (each runs ``setup()`` first); None when processes cannot
        be started here, or (``fork_only``) cannot be forked: the caller then works in
        this process."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if can_fork() else "forkserver"  # fork is fastest
        if fork_only and method != "fork":
            return None
        if method not in multiprocessing.get_all_start_methods():
            method = "spawn"
        try:
            context = multiprocessing.get_context(method)
            pool = ProcessPoolExecutor(
                count,
                mp_context=context,
                initializer=_enter,
                # A forked worker's parent is this process; another's is a server process.
                initargs=(state, setup, os.getpid() if method == "fork" else None),
            )
        except (OSError, RuntimeError):
            return None
        return cls(pool, count)

    def submit(self, function: Callable[[S, T], R], task: T) -> Task[R]:
        """``function(state, task)`` in a worker; ``function`` is a module-level function."""
        return Task(self._pool.submit(_call, function, task))

    def map(self, function: Callable[[S, T], R], tasks: Sequence[T]) -> list[R] | None:
        """``function(state, task)`` for each task, results in order; None when a worker
        ended without a result (killed, out of memory) or none could start. An exception
        ``function`` raises is raised here."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            pending = [self.submit(function, task) for task in tasks]
            return [task.result() for task in pending]
        except (OSError, BrokenProcessPool, pickle.PicklingError):
            return None

    def close(self, wait: bool = True) -> None:
        """Stop the workers once they finish their tasks (``wait``: for that); nothing
        queued starts."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def stop(self) -> None:
        """Stop the workers now, mid-task (Ctrl-C in this process)."""
        import multiprocessing

        # ProcessPoolExecutor.terminate_workers() comes with Python 3.14; before, the
        # workers are the children multiprocessing started since this pool was made.
        for child in multiprocessing.active_children():
            if child.pid not in self._earlier:
                with contextlib.suppress(OSError, ValueError):
                    child.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Workers[S]:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None and not issubclass(kind, Exception):
            self.stop()  # interrupted: the workers would run on to the end of their tasks
        else:
            self.close()


class Task(Generic[R]):
    """A task given to ``Workers``; ``result`` waits for it."""

    def __init__(self, future: Future[bytes]) -> None:
        self._future = future

    def result(self) -> R:
        """The function's result; raises what it raised (or ``BrokenProcessPool``)."""
        data = self._future.result()
        with gc_paused():
            value: R = pickle.loads(data)
        return value


_state: Any = None
"""In a worker: the ``state`` of the ``Workers`` that started it."""


def _enter(state: object, setup: Callable[[], object] | None, parent: int | None) -> None:
    global _state
    _state = state
    _own_signals()
    _end_with_parent(os.getppid() if parent is None else parent)
    # Whatever the worker inherited (a forked one: the parent's whole heap) is never
    # garbage it can free: left in the collector's generations, every full collection
    # would walk it (and touch, so copy, its memory) over and over.
    gc.freeze()
    if setup is not None:
        setup()


def _call(function: Callable[[S, T], R], task: T) -> bytes:
    from generator._pickling import dumps

    return dumps(function(_state, task))


PR_SET_PDEATHSIG = 1


def _end_with_parent(parent: int) -> None:
    """In a worker: the kernel kills it when its parent dies (Linux). A parent killed
    outright (``kill -9``, the OOM killer) cannot stop its workers, and they would wait
    for tasks forever, each holding a copy of the parent's memory."""
    from checks.run.descendants import prctl

    if not prctl(PR_SET_PDEATHSIG, signal.SIGKILL):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the request: as if after it
        signal.raise_signal(signal.SIGKILL)


def can_fork() -> bool:
    """Whether worker processes may be forked: ``fork`` exists and no other thread runs
    (forking a process that runs threads, such as ``mkdocs serve``, can deadlock)."""
    import threading  # not multiprocessing: importing it would slow every lint

    return hasattr(os, "fork") and threading.active_count() == 1


def _own_signals() -> None:
    """In a worker: Ctrl-C reaches the whole process group, but the parent decides (it
    cancels what is queued); a worker stopped mid-task would only print a traceback. TERM
    and HUP end a worker at once, as by default: a forked worker inherits the handlers
    that make them a Ctrl-C in the CLI, and the parent stops its workers with TERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building trees of many small objects.

    The model is acyclic; collections triggered by allocation alone are a large part of
    a big load and free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was made meanwhile is all in the youngest generation: the first
            # collection would walk every object of the tree.
            # Freezing then unfreezing moves them to the oldest one without a walk.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
