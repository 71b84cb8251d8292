"""``runbook`` on a real terminal: a pty as its controlling terminal, to answer prompts."""

from __future__ import annotations

import os
import pty
import select
import signal
import time
from pathlib import Path

from tests.helpers import Cli

_STARTED: list[Terminal] = []


class Terminal:
    """``runbook`` running with a pty as its controlling terminal."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.chdir(cwd)
            argv = Cli.argv(*args)
            os.execve(argv[0], argv, env)
        self.pid, self.fd, self.seen = pid, fd, b""
        _STARTED.append(self)

    def expect(self, text: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while text.encode() not in self.seen:
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} not in {self.seen.decode(errors='replace')!r}")
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:
                    break

    def send(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def running(self) -> bool:
        """True while the process has not exited (it is waiting for input, say)."""
        return os.waitpid(self.pid, os.WNOHANG) == (0, 0)

    def wait(self, timeout: float = 60) -> int:
        """The exit code, once the process ends (it must within ``timeout``)."""
        end = time.monotonic() + timeout
        while True:
            if time.monotonic() > end:
                os.kill(self.pid, signal.SIGKILL)
                raise AssertionError(
                    f"still running (waiting for input?): {self.seen.decode(errors='replace')!r}"
                )
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def stop_terminals() -> None:
    """Kill what is still running on a pty: a failed expectation must not leave a runbook
    (and its blocks) behind."""
    while _STARTED:
        term = _STARTED.pop()
        try:
            if os.waitpid(term.pid, os.WNOHANG) == (0, 0):
                os.kill(term.pid, signal.SIGKILL)
                os.waitpid(term.pid, 0)
        except ChildProcessError:
            pass  # already reaped by wait()
