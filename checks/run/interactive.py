"""A block that needs the terminal (``interactive``): it runs in the foreground, uncaptured.

The block's process group becomes the terminal's foreground group, so Ctrl-C and the
tool's own terminal handling (``kubectl exec -it``, ``mysql -p``) reach it, and a timeout
can still stop the whole group.

A block with an ``interpreter`` gets its text on stdin, as it does without a terminal;
stdout, stderr and the controlling terminal stay the terminal. So prompts that read
``/dev/tty`` (passwords: ``psql``, ``mysql -p``, ``sudo``, Python's ``getpass``) work, while
the interpreter reads the block. A program that asks its questions on stdin sees the
block text instead: write such a step as a shell block.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping

from checks.model import Check, Result, Status
from checks.run import guardian
from checks.run.descendants import end_leftovers
from checks.run.group import Canceller, group_alive, signal_cause, stop_group
from checks.run.outcome import exit_code_of, make_result, seconds
from checks.run.pipes import ESCAPED, LEFT_RUNNING

NOT_CAPTURED = "interactive: output went to the terminal and was not captured"


def run_interactive(
    check: Check,
    argv: list[str],
    stdin_data: bytes | None,
    env: Mapping[str, str],
    cwd: str | None,
    *,
    timeout: float,
    grace: float,
    started: float,
    canceller: Canceller,
    token: str,
) -> tuple[Result, bool]:
    """Run on the terminal; the result and whether Ctrl-C (the canceller) stopped it."""
    tty_fd = _tty_fd()

    def take_terminal() -> None:
        os.setpgid(0, 0)
        # In the child: stdin may be the interpreter's pipe by now, so look again.
        fd = next((fd for fd in (0, 1, 2) if os.isatty(fd)), None)
        if fd is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(fd, os.getpgrp())
            signal.signal(signal.SIGTTOU, old)

    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin_data is not None else None,
            env=dict(env),
            cwd=cwd,
            preexec_fn=take_terminal,
        )
    except OSError as exc:
        return make_result(check, Status.ERROR, started, reason=f"cannot start: {exc}"), False
    guardian.watch(token, proc.pid)
    feeder = _feed(proc, stdin_data) if stdin_data is not None else None
    notes = [NOT_CAPTURED]
    try:
        ended = _wait(proc, time.monotonic() + timeout, canceller)
        if ended == "exit" and group_alive(proc.pid):
            notes.append(LEFT_RUNNING)
        if ended != "exit" or len(notes) > 1:
            presses = canceller.presses
            stop_group(proc.pid, grace, tick=proc.poll, hurry=lambda: canceller.presses > presses)
        proc.wait()
        presses = canceller.presses
        if end_leftovers(proc.pid, token, grace, hurry=lambda: canceller.presses > presses):
            notes.append(ESCAPED)
        guardian.release(token)
    finally:
        if tty_fd is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty_fd, os.getpgrp())
            signal.signal(signal.SIGTTOU, old)
    if feeder is not None:
        feeder.join(timeout=1.0)
    code = exit_code_of(proc.returncode)
    if ended == "cancel":
        reason = f"interrupted ({signal_cause(canceller.signum)}): process group stopped"
        return make_result(
            check, Status.ERROR, started, exit_code=code, reason=reason, details=notes
        ), True
    if ended == "timeout" and not check.options.follow:
        reason = f"timed out after {seconds(timeout)}: process group stopped"
        return make_result(
            check, Status.TIMEOUT, started, exit_code=code, reason=reason, details=notes
        ), False
    if ended == "timeout" or code in check.options.expect_exit:
        return make_result(check, Status.PASSED, started, exit_code=code, details=notes), False
    wanted = ", ".join(str(c) for c in check.options.expect_exit)
    reason = f"exit code {code}, expected {wanted}"
    return make_result(
        check, Status.FAILED, started, exit_code=code, reason=reason, details=notes
    ), False


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> threading.Thread:
    """Write the block to the interpreter's stdin, then close it (EOF ends the script)."""

    def write() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(data)
        except OSError:
            pass  # the interpreter exited (or closed stdin) before reading everything
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()

    thread = threading.Thread(target=write, name="runbook-stdin", daemon=True)
    thread.start()
    return thread


def _wait(proc: subprocess.Popen[bytes], deadline: float, canceller: Canceller) -> str:
    """``exit``, ``timeout`` or ``cancel``, whichever comes first."""
    with selectors.DefaultSelector() as sel:
        sel.register(canceller, selectors.EVENT_READ, "cancel")
        pidfd: int | None = None
        try:
            pidfd = os.pidfd_open(proc.pid)
            sel.register(pidfd, selectors.EVENT_READ, "exit")
        except (AttributeError, OSError):
            pidfd = None
        try:
            while True:
                if canceller.cancelled:
                    return "cancel"
                if proc.poll() is not None:
                    return "exit"
                left = deadline - time.monotonic()
                if left <= 0:
                    return "timeout"
                sel.select(min(left, 0.05 if pidfd is None else 3600.0))  # poll() limit
        finally:
            if pidfd is not None:
                os.close(pidfd)


def _tty_fd() -> int | None:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                return stream.fileno()
        except (ValueError, OSError):
            continue
    return None
