"""Prompts on a real terminal (a pty): y/N for actions, typed ids, masked secrets."""

from __future__ import annotations

import os
import pty
import select
import shutil
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "exec"


class Terminal:
    """``runbook`` running with a pty as its controlling terminal."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # child
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "generator", *args], env)
        self.pid, self.fd, self.seen = pid, fd, b""

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

    def wait(self) -> int:
        while True:
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


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "demo.md", tmp_path / "demo.md")
    return tmp_path


def _env(work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("API_TOKEN", "CI")}
    return {**env, "MARK_DIR": str(work), "TERM": "dumb", **extra}


def test_action_asks_y_n_on_a_tty(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "restart", env=_env(work, API_TOKEN="t"))
    term.expect("Run action restart? [y/N] ")
    term.send("y")
    assert term.wait() == 0
    assert (work / "restart").read_text() == "restarted\n"


def test_declined_action_does_not_run(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "restart", env=_env(work, API_TOKEN="t"))
    term.expect("[y/N] ")
    term.send("")
    assert term.wait() == 4
    assert not (work / "restart").exists()
    assert b"declined at the prompt" in term.seen


def test_destructive_needs_the_step_id_typed(work: Path) -> None:
    args = ("exec", "demo.md", "--step", "drop-cache")
    term = Terminal(work, *args, "--yes", env=_env(work, API_TOKEN="t"))
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("y")
    assert term.wait() == 4
    assert not (work / "drop").exists()
    term = Terminal(work, *args, env=_env(work, API_TOKEN="t"))
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("drop-cache")
    assert term.wait() == 0
    assert (work / "drop").read_text() == "dropped\n"


def test_missing_secret_is_prompted_masked_and_redacted(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "token", env=_env(work))
    term.expect("API_TOKEN (Token for the API) [secret]: ")
    term.send("typed-secret-123")
    assert term.wait() == 0
    assert b"typed-secret-123" not in term.seen  # not echoed, and redacted when printed
    assert b"token=***" in term.seen
