"""Whether this process has a child it does not know: asked after every block, so cheaply.

Linux lists each thread's children in ``/proc/self/task/<tid>/children``. Listing the
threads and opening that list again for every block cost more than the rest of looking
for what a block left running; a run without threads (the usual one) keeps the folder of
threads and the main thread's list open and reads the list afresh (a /proc list is made
anew by each read from its start): two system calls per block instead of eight.
"""

from __future__ import annotations

import os
import threading

__all__ = ["only_known_children", "read_small"]

_READ_SIZE = 4096
"""Bytes read of a /proc file (a list of children this long may go on: look the long way)."""

_kept: dict[int, tuple[int, int]] = {}
"""Per process id: its folder of threads and its main thread's list of children."""


def only_known_children(known: set[int]) -> bool:
    """True when this process has no child but ``known``, in any of its threads."""
    try:
        kept = _main_thread_lists()
        if kept is not None and os.fstat(kept[0]).st_nlink == 3:
            # The folder of threads counts 2 + the threads: the main thread runs alone.
            return _only(os.pread(kept[1], _READ_SIZE, 0), known)
        for tid in os.listdir("/proc/self/task"):
            if not _only(read_small(f"/proc/self/task/{tid}/children"), known):
                return False
    except (OSError, ValueError):  # no such list (an old kernel): look the long way
        return False
    return True


def read_small(path: str) -> bytes:
    """A small /proc file (os.open: no buffered file object for a one-shot read)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, _READ_SIZE)
    finally:
        os.close(fd)


def _only(children: bytes, known: set[int]) -> bool:
    return len(children) < _READ_SIZE and not {int(p) for p in children.split()} - known


def _main_thread_lists() -> tuple[int, int] | None:
    """The kept descriptors, for the main thread only: its thread id is the process id for
    the life of the process, where another thread's may be reused after it ends."""
    if threading.current_thread() is not threading.main_thread():
        return None
    pid = os.getpid()  # a forked child opens its own
    if pid not in _kept:
        tasks = os.open("/proc/self/task", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            children = os.open(f"/proc/self/task/{pid}/children", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            os.close(tasks)
            raise
        _kept[pid] = (tasks, children)
    return _kept[pid]
