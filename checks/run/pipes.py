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
_OUT, _ERR, _IN, _CANCEL, _EXIT = range(5)
"""What a watched descriptor is (the streams first: they index the per-stream pairs)."""
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
    set-up and tear-down, and ``selectors`` costs several times as much for them. For the
    same reason what only some blocks need is made only for them: a redactor per stream
    when there are secrets, a stdin writer when there is input.
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
        self.tees = (out, err)
        self.captures = (BoundedCapture(capture_limit), BoundedCapture(capture_limit))
        self.redactors = (Redactor(secrets), Redactor(secrets)) if secrets else None
        self.stdin_data = memoryview(stdin_data) if stdin_data is not None else None
        self.canceller = canceller
        self.timed_out = False
        self.interrupted = False
        self.hurried = False
        """Ctrl-C again while the group was being stopped: KILLed without the grace."""
        self.notes: list[str] = []
        self.poller = select.poll()
        self.tags: dict[int, int] = {proc.stdout.fileno(): _OUT, proc.stderr.fileno(): _ERR}
        """What each watched descriptor is: ``_OUT``, ``_ERR``, ``_IN``, ``_CANCEL``, ``_EXIT``."""
        self.open_streams = 0
        self.exited = False
        self.pidfd: int | None = None

    def pump(self, deadline: float) -> None:
        """Read until the block and its output are done, the deadline passes or Ctrl-C."""
        proc, tags, poller = self.proc, self.tags, self.poller
        for fd in tags:
            poller.register(fd, _READABLE)
        self.open_streams = 2
        if proc.stdin is not None:
            stdin = proc.stdin.fileno()
            os.set_blocking(stdin, False)
            tags[stdin] = _IN
            poller.register(stdin, select.POLLOUT)
        if self.canceller.cancelled:
            self.interrupted = True
            return
        tags[self.canceller.fileno()] = _CANCEL
        poller.register(self.canceller.fileno(), _READABLE)
        try:
            self.pidfd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):
            self.pidfd = None  # old kernel: poll the process between reads instead
        else:
            tags[self.pidfd] = _EXIT
            poller.register(self.pidfd, _READABLE)
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
            for fd, _ in poller.poll(math.ceil(wait * 1000)):
                tag = tags[fd]
                if tag <= _ERR:
                    self._read(fd, tag)
                elif tag == _EXIT:
                    self.exited = True
                    poller.unregister(fd)
                elif tag == _CANCEL:
                    self.interrupted = True
                    return
                else:
                    self._write_stdin(fd)
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
            self.poller.unregister(fd)
            self.proc.stdin.close()

    def _read(self, fd: int, tag: int) -> None:
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            if self.redactors is not None:
                data = self.redactors[tag].feed(data)
            self._emit(tag, data)
            return
        self.poller.unregister(fd)
        self.open_streams -= 1
        if self.redactors is not None:
            self._emit(tag, self.redactors[tag].flush())

    def _emit(self, tag: int, data: bytes) -> None:
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
                if self.tags[fd] <= _ERR
            ]
            if not events:
                return
            for fd, tag in events:
                self._read(fd, tag)

    def finish(self) -> None:
        """Stop what still runs, read the rest of the output, close everything."""
        proc = self.proc
        if self.timed_out or self.interrupted or proc.poll() is None:
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
        for tag in (_OUT, _ERR):
            if self.redactors is not None:
                self._emit(tag, self.redactors[tag].flush())
            self.tees[tag].close()
        for pipe in (proc.stdout, proc.stderr, proc.stdin):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
        proc.wait()
        presses = self.canceller.presses
        if end_leftovers(
            self.pgid, self.token, self.grace, hurry=lambda: self.canceller.presses > presses
        ):
            self.notes.append(ESCAPED)

    def texts(self) -> tuple[str, str]:
        return self.captures[_OUT].text(), self.captures[_ERR].text()
