"""What a block started outside its process group: found and ended when the block ends.

``killpg`` reaches the block's group only; GNU ``timeout``, ``set -m`` jobs and ``setsid``
leave it, and their processes would outlive the block. So the runner is a child
subreaper (Linux ``PR_SET_CHILD_SUBREAPER``, set once per process): a process whose parent
exits is re-parented to the runner instead of init and stays in the runner's tree. When a
block has ended and its group is stopped, whatever of the block is still running is the
runner's orphan (or its descendant): TERM, a grace period, KILL, then reaped.

An orphan belongs to the block when it is in the block's session (the leader made one),
or, when it made its own, when its environment carries the block's ``RUN_TOKEN``. Only
processes created since the block's leader are looked at: pids are handed out in order
(wrapping at ``pid_max``), so a block of ``true`` costs one small read, not a walk of
``/proc``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from checks.run import guardian
from checks.run._children import only_known_children, read_small

RUN_TOKEN = "RUNBOOK_BLOCK_RUN"
"""Environment variable naming one run of one block (``<runner pid>.<n>``)."""
PR_SET_CHILD_SUBREAPER = 36
_RANGE_LIMIT = 4096
"""More new pids than this since the block started: list ``/proc`` instead of probing each."""
REAP_WAIT = 1.0
"""Seconds to wait for KILLed leftovers to disappear."""

_tokens = itertools.count(1)
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (once); False if not Linux."""
    global _subreaper
    if _subreaper is None:
        _subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1)
    return _subreaper


def prctl(option: int, value: int) -> bool:
    """Linux's ``prctl(option, value)`` for this process; False where it failed or there
    is no such call (not Linux)."""
    try:
        import ctypes

        return bool(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def new_token() -> str:
    """A value for ``RUN_TOKEN`` no other block run of this process has."""
    return f"{os.getpid()}.{next(_tokens)}"


@dataclass(frozen=True, slots=True)
class _Proc:
    """A process as ``/proc/PID/stat`` tells it: enough to find what a block left."""

    ppid: int
    session: int
    zombie: bool


def end_leftovers(
    leader: int, token: str, grace: float, *, hurry: Callable[[], bool] = lambda: False
) -> int:
    """Stop whatever the block (``leader``'s session, or ``token``) still runs; reap it.

    Call after the leader was reaped and its group stopped. TERM, up to ``grace``
    seconds (cut short when ``hurry`` turns true), KILL. Returns how many were running.
    """
    if not _subreaper or only_known_children({guardian.watcher_pid()}):
        return 0
    procs = _procs_since(leader)
    if not procs:
        return 0
    me = os.getpid()
    roots = {
        pid
        for pid, p in procs.items()
        if p.ppid == me and (p.session == leader or (not p.zombie and _has_token(pid, token)))
    }
    if not roots:
        return 0
    tree = _subtree(roots, procs)
    live = [pid for pid in tree if not procs[pid].zombie]
    _signal_all(live, signal.SIGTERM)
    end = time.monotonic() + grace
    while time.monotonic() < end and not hurry():
        _reap(tree)
        if not any(_running(pid) for pid in live):
            break
        time.sleep(0.01)
    _signal_all([pid for pid in live if _running(pid)], signal.SIGKILL)
    end = time.monotonic() + REAP_WAIT
    while _reap(tree) and time.monotonic() < end:
        time.sleep(0.005)
    return len(live)


def _procs_since(leader: int) -> dict[int, _Proc]:
    """Every process created after ``leader`` (pid order, wrap-around included)."""
    try:
        last = int(read_small("/proc/sys/kernel/ns_last_pid"))
    except (OSError, ValueError):
        last = -1
    candidates: Iterable[int]
    if 0 <= last - leader <= _RANGE_LIMIT:
        candidates = range(leader + 1, last + 1)
    else:
        pids = [int(e) for e in os.listdir("/proc") if e.isdigit()]
        wrapped = 0 <= last < leader
        candidates = [p for p in pids if p > leader or (wrapped and p <= last)]
    procs: dict[int, _Proc] = {}
    for pid in candidates:
        proc = _read(pid)
        if proc is not None:
            procs[pid] = proc
    return procs


def _read(pid: int) -> _Proc | None:
    try:
        stat = read_small(f"/proc/{pid}/stat")
    except OSError:
        return None
    # Fields after the command name (which may hold spaces and parentheses):
    # state ppid pgrp session ...
    rest = stat[stat.rfind(b")") + 2 :].split()
    return _Proc(ppid=int(rest[1]), session=int(rest[3]), zombie=rest[0] in (b"Z", b"X"))


def _has_token(pid: int, token: str) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            environ = handle.read()
    except OSError:
        return False
    return f"\0{RUN_TOKEN}={token}\0".encode() in b"\0" + environ


def _subtree(roots: set[int], procs: dict[int, _Proc]) -> list[int]:
    """``roots`` and every process below them (by parent pid)."""
    children: dict[int, list[int]] = {}
    for pid, proc in procs.items():
        children.setdefault(proc.ppid, []).append(pid)
    found: list[int] = []
    todo = list(roots)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _signal_all(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def _running(pid: int) -> bool:
    proc = _read(pid)
    return proc is not None and not proc.zombie


def _reap(pids: Iterable[int]) -> bool:
    """Reap those of ``pids`` that are our zombies; True while one still runs or waits."""
    waiting = False
    me = os.getpid()
    for pid in pids:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            # Not our child (yet): gone, or under a parent that dies too, after which it
            # is re-parented to us.
            proc = _read(pid)
            waiting = waiting or (proc is not None and (not proc.zombie or proc.ppid != me))
            continue
        waiting = waiting or done == 0
    return waiting
