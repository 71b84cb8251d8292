"""Stopping a block: its process group, TERM, a grace period, KILL, and Ctrl-C.

Every block runs as the leader of a fresh process group, so one ``killpg`` reaches every
process it started (background jobs included) unless one left the group on purpose
(``setsid``; ``checks.run.descendants`` ends those). Ctrl-C never raises inside a run: it
presses a ``Canceller``, whose pipe wakes the read loop at once. The first press stops the
running blocks (TERM, grace, KILL); a press during the grace period skips the rest of it
and KILLs the group. SIGTERM (CI runners, ``timeout``) and SIGHUP (a closed terminal) do
the same as Ctrl-C; the run then exits 128 + the signal's number.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

KILL_WAIT = 1.0
"""Seconds to wait for KILLed processes to disappear."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a run as Ctrl-C does."""


def signal_cause(signum: int) -> str:
    """How a person names what stopped the run: ``Ctrl-C``, ``SIGTERM``, ``SIGHUP``."""
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP outside a block, raised as Ctrl-C raises KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_cause(signum))
        self.signum = signum


class Canceller:
    """Stops running blocks from a signal handler or another thread.

    A pipe, so that a blocked ``select`` wakes up at once; ``presses`` counts Ctrl-C
    (and SIGTERM, SIGHUP); ``signum`` is the signal of the first press.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self.presses = 0
        self.signum = int(signal.SIGINT)

    @property
    def cancelled(self) -> bool:
        return self.presses > 0

    def fileno(self) -> int:
        return self._read

    def cancel(self, signum: int = signal.SIGINT) -> None:
        """Ask every block using this canceller to stop (a second call: to stop now)."""
        if not self.presses:
            self.signum = signum
        self.presses += 1
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write, b"x")

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


_pressing: Canceller | None = None
"""The canceller the stop signals press right now (main thread)."""


def ctrl_c_cancels(canceller: Canceller) -> contextlib.AbstractContextManager[None]:
    """While inside, Ctrl-C (SIGINT), SIGTERM and SIGHUP press ``canceller`` instead.

    Only the main thread can set signal handlers; elsewhere (and for a signal that is
    ignored, as SIGINT is for a job started with ``&``) nothing changes. Inside a run
    that installed them for the same canceller already, nothing changes either (a run
    without prompts installs them once, not once per block).
    """
    if _pressing is canceller:
        return _UNCHANGED
    return _pressed_by(canceller)


_UNCHANGED = contextlib.nullcontext()


@contextlib.contextmanager
def _pressed_by(canceller: Canceller) -> Iterator[None]:
    global _pressing
    outer, _pressing = _pressing, canceller
    try:
        with _handled(lambda signum, frame: canceller.cancel(signum)):
            yield
    finally:
        _pressing = outer


@contextlib.contextmanager
def stop_signals_raise(*, once: bool = False) -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise ``Stopped`` (a KeyboardInterrupt), so that a
    run stopped between blocks still writes its reports; inside a block
    ``ctrl_c_cancels`` takes over. ``once``: only the first raises, so that more of them
    (a supervisor repeating TERM) cannot cut short the cleanup the first one started."""
    raised = False

    def stop(signum: int, frame: object) -> None:
        nonlocal raised
        if once and raised:
            return
        raised = True
        raise Stopped(signum)

    with _handled(stop, (signal.SIGTERM, signal.SIGHUP)):
        yield


@contextlib.contextmanager
def _handled(
    handler: Callable[[int, Any], None], signals: tuple[int, ...] = STOP_SIGNALS
) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in signals}
    for sig, old in previous.items():
        if old is not signal.SIG_IGN:
            signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to every process of the group; False when the group is gone."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def group_alive(pgid: int) -> bool:
    """True while a process of the group runs (zombies awaiting their reaper do not count)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return not _only_zombies(pgid)


def stop_group(
    pgid: int,
    grace: float,
    *,
    tick: Callable[[], object] = lambda: None,
    hurry: Callable[[], bool] = lambda: False,
) -> bool:
    """TERM to the whole group, up to ``grace`` seconds, then KILL; nothing is left.

    ``tick`` runs about every 10 ms during the grace period (reap the leader, read the
    pipes so a writer never blocks); when ``hurry`` turns true (Ctrl-C again) the rest
    of the grace period is skipped. Returns True when it was.
    """
    if not signal_group(pgid, signal.SIGTERM):
        return False
    hurried = False
    end = time.monotonic() + grace
    while time.monotonic() < end:
        tick()
        if not group_alive(pgid):
            return False
        if hurry():
            hurried = True
            break
        time.sleep(0.01)
    kill_group(pgid)
    return hurried


def kill_group(pgid: int) -> None:
    """KILL the group and wait (bounded) until its processes are gone."""
    signal_group(pgid, signal.SIGKILL)
    end = time.monotonic() + KILL_WAIT
    while group_alive(pgid) and time.monotonic() < end:
        time.sleep(0.005)


def _only_zombies(pgid: int) -> bool:
    """True when every process left in the group is a zombie (dead, awaiting its reaper).

    A container's PID 1 may never reap the orphans; they hold no resources and no pipes.
    """
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the command name (which may contain spaces and parentheses).
        rest = stat[stat.rfind(b")") + 2 :].split()
        if len(rest) > 2 and int(rest[2]) == pgid and rest[0] != b"Z":
            return False
    return True
