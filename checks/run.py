"""Check -> Result: one fresh process group per block, a timeout that leaves nothing behind,
a live tee with byte-exact, bounded, redacted capture.

The runner takes its output streams and environment as arguments and never prints
anything else, so ``exec``, ``check``, the pytest plugin and the tests share it.
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from checks.capture import DEFAULT_LIMIT, BoundedCapture, Redactor, redact_text
from checks.expect import judge, judge_output
from checks.model import Check, Result, Status

SHELL_LANGS = frozenset({"", "bash", "sh", "shell", "console", "zsh", "ksh", "dash"})
PYTHON_LANGS = frozenset({"python", "python3", "py"})
_CHUNK = 65536
_DRAIN_AFTER_EXIT = 0.5
"""Seconds to keep reading after the block's shell exited while a background child still
holds its output open; then the child's group is stopped."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How blocks run; one value for a whole run."""

    default_timeout: float = 600.0
    """Seconds, for blocks whose header has no ``timeout``."""
    grace: float = 2.0
    """Seconds between TERM and KILL when a block is stopped."""
    capture_limit: int = DEFAULT_LIMIT
    """Bytes kept at the head and at the tail of each stream."""
    secrets: tuple[bytes, ...] = ()
    """Byte strings masked in everything captured and teed (see ``capture.secret_forms``)."""
    prefix: bool = False
    """Prefix each teed line with ``[block-id]`` (parallel runs)."""
    cwd: str | None = None
    """Base directory; a block's ``cwd`` is relative to it. None: the current directory."""


class Canceller:
    """Stops running blocks from another thread (Ctrl-C in a parallel run).

    A pipe, so that a blocked ``select`` wakes up at once.
    """

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self.cancelled = False

    def fileno(self) -> int:
        return self._read

    def cancel(self) -> None:
        """Ask every block using this canceller to stop its process group."""
        self.cancelled = True
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._write, b"x")

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while a block ran: carries the partial result of that block."""

    def __init__(self, result: Result) -> None:
        super().__init__("interrupted")
        self.result = result


class Tee:
    """Writes a block's output to a live stream, optionally prefixed per line.

    With a prefix, only complete lines are written (under a lock shared by all blocks of
    the run), so parallel blocks never interleave inside a line.
    """

    def __init__(
        self, stream: BinaryIO | None, prefix: bytes = b"", lock: threading.Lock | None = None
    ) -> None:
        self.stream = stream
        self.prefix = prefix
        self.lock = lock or _STREAM_LOCK
        self._partial = b""

    def write(self, data: bytes) -> None:
        if self.stream is None or not data:
            return
        if not self.prefix:
            with self.lock:
                self.stream.write(data)
                self.stream.flush()
            return
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        if cut:
            lines = data[:cut].splitlines(keepends=True)
            with self.lock:
                self.stream.write(b"".join(self.prefix + line for line in lines))
                self.stream.flush()

    def close(self) -> None:
        if self._partial and self.stream is not None:
            with self.lock:
                self.stream.write(self.prefix + self._partial + b"\n")
                self.stream.flush()
        self._partial = b""


_STREAM_LOCK = threading.Lock()


def build_argv(check: Check) -> tuple[list[str], bytes | None]:
    """The command line for a block and what goes to its stdin (None: /dev/null or TTY).

    Raises ValueError when the block cannot run (a ``sql`` block without an interpreter).
    """
    opts = check.options
    interpreter = opts.interpreter
    if interpreter is None and check.lang in PYTHON_LANGS and opts.shell is None:
        interpreter = "python3"
    if interpreter is not None:
        # `exec` so the interpreter is the process that gets TERM; variables in it expand.
        argv = ["bash", "--noprofile", "--norc", "-c", f"exec {interpreter}"]
        return argv, check.command.encode()
    if opts.shell is not None:
        return [opts.shell, "-c", check.command], None
    if check.lang not in SHELL_LANGS:
        raise ValueError(
            f"a '{check.lang}' block needs interpreter=... (e.g. interpreter=python3) to run"
        )
    argv = ["bash", "--noprofile", "--norc"]
    if opts.strict:
        argv += ["-e", "-o", "pipefail"]
    return [*argv, "-c", check.command], None


def run_check(
    check: Check,
    env: Mapping[str, str],
    options: RunOptions = RunOptions(),
    *,
    out: BinaryIO | None = None,
    err: BinaryIO | None = None,
    canceller: Canceller | None = None,
) -> Result:
    """Run one block and judge it; output is teed to ``out``/``err`` as it arrives.

    Raises ``Interrupted`` (with the partial result) on Ctrl-C or cancellation.
    """
    started = time.monotonic()
    try:
        argv, stdin_data = build_argv(check)
    except ValueError as exc:
        return _result(check, Status.ERROR, started, reason=str(exc))
    cwd = _resolve_cwd(check, options)
    timeout = check.options.timeout or options.default_timeout
    if check.options.interactive:
        return _run_interactive(check, argv, env, cwd, timeout, options, started)
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        reason = f"cannot start {argv[0]!r}: {exc.strerror or exc}"
        if cwd and not os.path.isdir(cwd):
            reason = f"cwd {cwd!r} does not exist"
        return _result(check, Status.ERROR, started, reason=reason)
    prefix = f"[{check.id}] ".encode() if options.prefix else b""
    session = _Session(proc, options, Tee(out, prefix), Tee(err, prefix), stdin_data, canceller)
    try:
        session.pump(started + timeout)
    except KeyboardInterrupt:
        session.interrupted = True
    finally:
        session.finish()
    stdout, stderr = session.texts()
    secrets = options.secrets
    notes = tuple(redact_text(n, secrets) for n in session.notes)
    if session.interrupted:
        result = _result(
            check,
            Status.ERROR,
            started,
            reason="interrupted (Ctrl-C): process group stopped",
            exit_code=_exit_code(proc.returncode),
            stdout=stdout,
            stderr=stderr,
            details=notes,
        )
        raise Interrupted(result)
    if session.timed_out:
        if check.options.follow:
            ok, reason, details = judge_output(check, stdout)
            status = Status.PASSED if ok else Status.FAILED
            reason = reason or f"followed for {_seconds(timeout)} (its timeout), then stopped"
        else:
            status, details = Status.TIMEOUT, ()
            reason = f"timed out after {_seconds(timeout)}: process group stopped"
        return _result(
            check,
            status,
            started,
            reason=redact_text(reason, secrets),
            stdout=stdout,
            stderr=stderr,
            details=notes + tuple(redact_text(d, secrets) for d in details),
            exit_code=_exit_code(proc.returncode),
        )
    code = _exit_code(proc.returncode)
    assert code is not None  # finish() reaped the process
    ok, reason, details = judge(check, code, stdout)
    return _result(
        check,
        Status.PASSED if ok else Status.FAILED,
        started,
        exit_code=code,
        stdout=stdout,
        stderr=stderr,
        reason=redact_text(reason, secrets),
        details=notes + tuple(redact_text(d, secrets) for d in details),
    )


class _Session:
    """One running block: the read loop over its pipes, its exit and the canceller."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        options: RunOptions,
        out: Tee,
        err: Tee,
        stdin_data: bytes | None,
        canceller: Canceller | None,
    ) -> None:
        self.proc = proc
        self.options = options
        self.pgid = proc.pid  # start_new_session: the leader's pid is the group id
        self.tees = {"out": out, "err": err}
        self.captures = {
            "out": BoundedCapture(options.capture_limit),
            "err": BoundedCapture(options.capture_limit),
        }
        self.redactors = {"out": Redactor(options.secrets), "err": Redactor(options.secrets)}
        self.stdin_data = memoryview(stdin_data) if stdin_data is not None else None
        self.canceller = canceller
        self.timed_out = False
        self.interrupted = False
        self.notes: list[str] = []
        self.sel = selectors.DefaultSelector()
        self.open_streams = 0
        self.exited = False
        self.pidfd: int | None = None

    def pump(self, deadline: float) -> None:
        proc, sel = self.proc, self.sel
        assert proc.stdout is not None and proc.stderr is not None
        for name, pipe in (("out", proc.stdout), ("err", proc.stderr)):
            sel.register(pipe, selectors.EVENT_READ, name)
            self.open_streams += 1
        if proc.stdin is not None:
            os.set_blocking(proc.stdin.fileno(), False)
            sel.register(proc.stdin, selectors.EVENT_WRITE, "in")
        if self.canceller is not None:
            if self.canceller.cancelled:
                self.interrupted = True
                return
            sel.register(self.canceller, selectors.EVENT_READ, "cancel")
        try:
            self.pidfd = os.pidfd_open(proc.pid)
            sel.register(self.pidfd, selectors.EVENT_READ, "exit")
        except (AttributeError, OSError):
            self.pidfd = None  # old kernel: poll the process between reads instead
        exited_at: float | None = None
        while self.open_streams or not self.exited:
            now = time.monotonic()
            if now >= deadline:
                self.timed_out = True
                return
            if exited_at is not None and now - exited_at > _DRAIN_AFTER_EXIT:
                self.notes.append(
                    "a background process kept the output open after the block ended; "
                    "its process group was stopped"
                )
                self.stop_group()
                return
            wait = deadline - now
            if self.pidfd is None and not self.exited:
                wait = min(wait, 0.05)
            if exited_at is not None:
                wait = min(wait, _DRAIN_AFTER_EXIT)
            for key, _ in sel.select(wait):
                tag = key.data
                if tag == "exit":
                    self._mark_exited(key)
                elif tag == "cancel":
                    self.interrupted = True
                    return
                elif tag == "in":
                    self._write_stdin(key)
                else:
                    self._read(key, tag)
            if self.pidfd is None and not self.exited and proc.poll() is not None:
                self.exited = True
            if self.exited and exited_at is None and self.open_streams:
                exited_at = time.monotonic()

    def _mark_exited(self, key: selectors.SelectorKey) -> None:
        self.exited = True
        self.sel.unregister(key.fileobj)

    def _write_stdin(self, key: selectors.SelectorKey) -> None:
        assert self.proc.stdin is not None and self.stdin_data is not None
        try:
            sent = os.write(self.proc.stdin.fileno(), self.stdin_data[:_CHUNK])
        except (BrokenPipeError, OSError):
            sent = len(self.stdin_data)
        self.stdin_data = self.stdin_data[sent:]
        if not self.stdin_data:
            self.sel.unregister(key.fileobj)
            self.proc.stdin.close()

    def _read(self, key: selectors.SelectorKey, tag: str) -> None:
        fd = key.fd
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.sel.unregister(key.fileobj)
            self.open_streams -= 1
            self._emit(tag, self.redactors[tag].flush())
            return
        self._emit(tag, self.redactors[tag].feed(data))

    def _emit(self, tag: str, data: bytes) -> None:
        if data:
            self.captures[tag].write(data)
            self.tees[tag].write(data)

    def stop_group(self) -> None:
        """TERM to the whole group, the grace period, then KILL; reap; nothing left."""
        if not _signal_group(self.pgid, signal.SIGTERM):
            self.proc.wait()
            return
        end = time.monotonic() + self.options.grace
        while time.monotonic() < end:
            self.proc.poll()
            self._drain(0)
            if not _group_alive(self.pgid):
                self.proc.wait()
                return
            time.sleep(0.01)
        _signal_group(self.pgid, signal.SIGKILL)
        self.proc.wait()
        end = time.monotonic() + 1.0
        while _group_alive(self.pgid) and time.monotonic() < end:
            time.sleep(0.005)

    def _drain(self, wait: float) -> None:
        """Read what is already in the pipes (also after the writers died)."""
        while self.open_streams:
            events = [(k, e) for k, e in self.sel.select(wait) if k.data in ("out", "err")]
            if not events:
                return
            for key, _ in events:
                self._read(key, key.data)

    def finish(self) -> None:
        """Stop what still runs, read the rest of the output, close everything."""
        if self.timed_out or self.interrupted or self.proc.poll() is None:
            self.stop_group()
        if self.open_streams:
            # Every writer is gone once the group is dead: read to EOF, bounded by a second.
            end = time.monotonic() + 1.0
            while self.open_streams and time.monotonic() < end:
                self._drain(0.05)
        for tag in ("out", "err"):
            self._emit(tag, self.redactors[tag].flush())
            self.tees[tag].close()
        self.sel.close()
        for pipe in (self.proc.stdout, self.proc.stderr, self.proc.stdin):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
        self.proc.wait()

    def texts(self) -> tuple[str, str]:
        return self.captures["out"].text(), self.captures["err"].text()


def _run_interactive(
    check: Check,
    argv: list[str],
    env: Mapping[str, str],
    cwd: str | None,
    timeout: float,
    options: RunOptions,
    started: float,
) -> Result:
    """A block that needs the terminal: it inherits stdin/stdout/stderr (nothing captured).

    It runs in its own process group made the terminal's foreground group, so Ctrl-C and
    the tool's own terminal handling reach it, and a timeout can still stop the group.
    """
    tty_fd = _tty_fd()

    def take_terminal() -> None:
        os.setpgid(0, 0)
        if tty_fd is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(tty_fd, os.getpgrp())
            signal.signal(signal.SIGTTOU, old)

    try:
        proc = subprocess.Popen(argv, env=dict(env), cwd=cwd, preexec_fn=take_terminal)
    except OSError as exc:
        return _result(check, Status.ERROR, started, reason=f"cannot start: {exc}")
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=options.grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    finally:
        if tty_fd is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty_fd, os.getpgrp())
            signal.signal(signal.SIGTTOU, old)
    code = _exit_code(proc.returncode)
    note = ("interactive: output went to the terminal and was not captured",)
    if timed_out and not check.options.follow:
        reason = f"timed out after {_seconds(timeout)}: process group stopped"
        return _result(check, Status.TIMEOUT, started, exit_code=code, reason=reason, details=note)
    if timed_out or code in check.options.expect_exit:
        return _result(check, Status.PASSED, started, exit_code=code, details=note)
    wanted = ", ".join(str(c) for c in check.options.expect_exit)
    reason = f"exit code {code}, expected {wanted}"
    return _result(check, Status.FAILED, started, exit_code=code, reason=reason, details=note)


def _tty_fd() -> int | None:
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                return stream.fileno()
        except (ValueError, OSError):
            continue
    return None


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    return True


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return not _only_zombies(pgid)


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


def _resolve_cwd(check: Check, options: RunOptions) -> str | None:
    if check.options.cwd is None:
        return options.cwd
    return os.path.join(options.cwd or os.getcwd(), check.options.cwd)


def _exit_code(returncode: int | None) -> int | None:
    if returncode is None:
        return None
    # Killed by a signal: report it the way a shell does (128 + signal number).
    return 128 - returncode if returncode < 0 else returncode


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _result(
    check: Check,
    status: Status,
    started: float,
    *,
    exit_code: int | None = None,
    stdout: str = "",
    stderr: str = "",
    reason: str = "",
    details: Sequence[str] = (),
) -> Result:
    return Result(
        check=check,
        status=status,
        exit_code=exit_code,
        duration_s=round(time.monotonic() - started, 4),
        finished_at=now_iso(),
        stdout=stdout,
        stderr=stderr,
        reason=reason,
        details=tuple(details),
    )


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def skipped(check: Check, reason: str) -> Result:
    """A result for a block that was not run."""
    return Result(check=check, status=Status.SKIPPED, finished_at=now_iso(), reason=reason)
