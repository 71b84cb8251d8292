"""One running block with piped output: the read loop, stdin, the deadline, the clean-up.

Output is redacted as it arrives, then teed live and captured bounded. The loop also
watches the block's exit (a pidfd), the deadline and a ``Canceller`` (Ctrl-C); when the
block's shell is done, whatever it left running in its process group is stopped.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import time

from checks.run._spawn import Started
from checks.run.capture import BoundedCapture, Redactor, Tee
from checks.run.descendants import end_leftovers
from checks.run.group import Canceller, group_alive, stop_group

_CHUNK = 65536
_READABLE = select.POLLIN | select.POLLPRI
DRAIN_AFTER_EXIT = 0.5
"""Seconds to keep reading after the block's shell exited while a background child still
holds its output open; then the child's group is stopped."""
HELD_OUTPUT = (
    "a background process kept the output open after the block ended; its process group was stopped"
)
LEFT_RUNNING = (
    "a background process was still running after the block ended; its process group was stopped"
)
ESCAPED = (
    "a process the block started in another process group or session (timeout, set -m, "
    "setsid, a daemon) was still running after the block ended; it was stopped"
)


class PipeSession:
    """The read loop over a block's pipes, its exit, the deadline and the canceller.

    One ``poll`` object over plain descriptors: a block of ``true`` is mostly this loop's
    set-up and tear-down, and ``selectors`` costs several times as much for them.
    """

    def __init__(
        self,
        proc: Started,
        *,
        grace: float,
        out: Tee,
        err: Tee,
        capture_limit: int,
        secrets: tuple[bytes, ...],
        stdin_data: bytes | None,
        canceller: Canceller,
        token: str,
    ) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc = proc
        self.token = token
        self.grace = grace
        self.pgid = proc.pid  # a new session: the leader's pid is the group id
        self.tees = {"out": out, "err": err}
        self.captures = {"out": BoundedCapture(capture_limit), "err": BoundedCapture(capture_limit)}
        self.redactors = {"out": Redactor(secrets), "err": Redactor(secrets)}
        self.stdin_data = memoryview(stdin_data) if stdin_data is not None else None
        self.canceller = canceller
        self.timed_out = False
        self.interrupted = False
        self.hurried = False
        """Ctrl-C again while the group was being stopped: KILLed without the grace."""
        self.notes: list[str] = []
        self.poller = select.poll()
        self.tags: dict[int, str] = {proc.stdout.fileno(): "out", proc.stderr.fileno(): "err"}
        """What each watched descriptor is: ``out``, ``err``, ``in``, ``cancel``, ``exit``."""
        self.open_streams = 0
        self.exited = False
        self.pidfd: int | None = None

    def _watch(self, fd: int, tag: str, events: int = _READABLE) -> None:
        self.tags[fd] = tag
        self.poller.register(fd, events)

    def _unwatch(self, fd: int) -> None:
        self.poller.unregister(fd)

    def pump(self, deadline: float) -> None:
        """Read until the block and its output are done, the deadline passes or Ctrl-C."""
        proc = self.proc
        for fd, tag in list(self.tags.items()):
            self._watch(fd, tag)
            self.open_streams += 1
        if proc.stdin is not None:
            os.set_blocking(proc.stdin.fileno(), False)
            self._watch(proc.stdin.fileno(), "in", select.POLLOUT)
        if self.canceller.cancelled:
            self.interrupted = True
            return
        self._watch(self.canceller.fileno(), "cancel")
        try:
            self.pidfd = os.pidfd_open(proc.pid)
            self._watch(self.pidfd, "exit")
        except (AttributeError, OSError):
            self.pidfd = None  # old kernel: poll the process between reads instead
        exited_at: float | None = None
        while self.open_streams or not self.exited:
            now = time.monotonic()
            if now >= deadline:
                self.timed_out = True
                return
            if exited_at is not None and now - exited_at > DRAIN_AFTER_EXIT:
                self.notes.append(HELD_OUTPUT)
                self._stop()
                return
            wait = min(deadline - now, 3600.0)
            if self.pidfd is None and not self.exited:
                wait = min(wait, 0.05)
            if exited_at is not None:
                wait = min(wait, DRAIN_AFTER_EXIT)
            for fd, _ in self.poller.poll(math.ceil(wait * 1000)):
                tag = self.tags[fd]
                if tag == "exit":
                    self.exited = True
                    self._unwatch(fd)
                elif tag == "cancel":
                    self.interrupted = True
                    return
                elif tag == "in":
                    self._write_stdin(fd)
                else:
                    self._read(fd, tag)
            if self.pidfd is None and not self.exited and proc.poll() is not None:
                self.exited = True
            if self.exited and exited_at is None and self.open_streams:
                exited_at = time.monotonic()

    def _write_stdin(self, fd: int) -> None:
        assert self.proc.stdin is not None and self.stdin_data is not None
        try:
            sent = os.write(fd, self.stdin_data[:_CHUNK])
        except (BrokenPipeError, OSError):
            sent = len(self.stdin_data)
        self.stdin_data = self.stdin_data[sent:]
        if not self.stdin_data:
            self._unwatch(fd)
            self.proc.stdin.close()

    def _read(self, fd: int, tag: str) -> None:
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._unwatch(fd)
            self.open_streams -= 1
            self._emit(tag, self.redactors[tag].flush())
            return
        self._emit(tag, self.redactors[tag].feed(data))

    def _emit(self, tag: str, data: bytes) -> None:
        if data:
            self.captures[tag].write(data)
            self.tees[tag].write(data)

    def _stop(self) -> None:
        """Stop the group; a Ctrl-C pressed meanwhile cuts the grace period short."""
        presses = self.canceller.presses

        def tick() -> None:
            self.proc.poll()
            self._drain(0)

        if stop_group(
            self.pgid, self.grace, tick=tick, hurry=lambda: self.canceller.presses > presses
        ):
            self.hurried = True

    def _drain(self, wait: float) -> None:
        """Read what is already in the pipes (also after the writers died)."""
        while self.open_streams:
            events = [
                (fd, self.tags[fd])
                for fd, _ in self.poller.poll(math.ceil(wait * 1000))
                if self.tags[fd] in ("out", "err")
            ]
            if not events:
                return
            for fd, tag in events:
                self._read(fd, tag)

    def finish(self) -> None:
        """Stop what still runs, read the rest of the output, close everything."""
        if self.timed_out or self.interrupted or self.proc.poll() is None:
            self._stop()
        elif group_alive(self.pgid):
            # The shell is done and reaped (poll above), but something it started in the
            # background is still in its group: nothing is left behind.
            self.notes.append(LEFT_RUNNING)
            self._stop()
        if self.open_streams:
            # Every writer is gone once the group is dead: read to EOF, bounded by a second.
            end = time.monotonic() + 1.0
            while self.open_streams and time.monotonic() < end:
                self._drain(0.05)
        for tag in ("out", "err"):
            self._emit(tag, self.redactors[tag].flush())
            self.tees[tag].close()
        for pipe in (self.proc.stdout, self.proc.stderr, self.proc.stdin):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
        self.proc.wait()
        presses = self.canceller.presses
        if end_leftovers(
            self.pgid, self.token, self.grace, hurry=lambda: self.canceller.presses > presses
        ):
            self.notes.append(ESCAPED)

    def texts(self) -> tuple[str, str]:
        return self.captures["out"].text(), self.captures["err"].text()
