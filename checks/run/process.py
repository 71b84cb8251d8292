"""Check -> Result: what command runs a block, and running it to a judged result.

One fresh process group per block (``checks.run.group`` stops it: timeout, Ctrl-C, leftovers);
piped output is teed live and captured bounded and redacted (``checks.run.pipes``); a block
that needs the terminal runs in the foreground (``checks.run.interactive``).

The runner takes its output streams and environment as arguments and never prints
anything else, so ``exec``, ``check``, the pytest plugin and the tests share it.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass

from checks.model import Check, Result, Status
from checks.run import guardian
from checks.run._spawn import start
from checks.run.capture import DEFAULT_LIMIT, Sink, Tee, redact_text
from checks.run.descendants import RUN_TOKEN, become_subreaper, new_token
from checks.run.expect import judge, judge_output
from checks.run.group import Canceller, ctrl_c_cancels, signal_cause
from checks.run.outcome import exit_code_of, make_result, now_iso, seconds, skipped
from checks.run.pipes import PipeSession

__all__ = [
    "Canceller",
    "Interrupted",
    "RunOptions",
    "build_argv",
    "now_iso",
    "run_check",
    "runner_program",
    "skipped",
]

BASH_LANGS = frozenset({"", "bash", "sh", "shell", "console"})
"""Fence languages run by bash (strict unless ``strict=false``)."""
OWN_SHELLS: dict[str, tuple[str, ...]] = {
    "zsh": ("-e", "-o", "pipefail"),
    "ksh": ("-e", "-o", "pipefail"),
    "dash": ("-e",),
}
"""Fence languages run by their own shell, with its strict flags (dash has no pipefail)."""
PYTHON_LANGS = frozenset({"python", "python3", "py"})


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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, SIGHUP) while a block ran: carries the partial result of that
    block and the signal (the run exits 128 + ``signum``)."""

    def __init__(self, result: Result, signum: int = signal.SIGINT) -> None:
        super().__init__("interrupted")
        self.result = result
        self.signum = signum


def runner_program(check: Check) -> str | None:
    """The program a block needs besides bash (``shell=`` or a zsh/ksh/dash fence), if any.

    A missing one makes the block a skip with that reason, like a ``requires`` entry.
    """
    opts = check.options
    if opts.interpreter is not None:
        return None
    if opts.shell is not None:
        words = opts.shell.split()
        return words[0] if words else None
    return check.lang if check.lang in OWN_SHELLS else None


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
    if check.lang in OWN_SHELLS:
        flags = OWN_SHELLS[check.lang] if opts.strict else ()
        return [check.lang, *flags, "-c", check.command], None
    if check.lang not in BASH_LANGS:
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
    out: Sink | None = None,
    err: Sink | None = None,
    canceller: Canceller | None = None,
) -> Result:
    """Run one block and judge it; output is teed to ``out``/``err`` as it arrives.

    Raises ``Interrupted`` (with the result so far) on Ctrl-C or cancellation. Run from
    the main thread without a canceller, Ctrl-C presses one of its own: it never raises
    half-way, so the block is always stopped and recorded.
    """
    own = canceller is None
    canceller = canceller or Canceller()
    try:
        with ctrl_c_cancels(canceller):
            result, interrupted = _run(check, env, options, out, err, canceller)
    finally:
        if own:
            canceller.close()
    if interrupted or canceller.cancelled:
        raise Interrupted(result, canceller.signum)
    return result


def _run(
    check: Check,
    env: Mapping[str, str],
    options: RunOptions,
    out: Sink | None,
    err: Sink | None,
    canceller: Canceller,
) -> tuple[Result, bool]:
    started = time.monotonic()
    try:
        argv, stdin_data = build_argv(check)
    except ValueError as exc:
        return make_result(check, Status.ERROR, started, reason=str(exc)), False
    cwd = _resolve_cwd(check, options)
    timeout = check.options.timeout or options.default_timeout
    become_subreaper()
    token = new_token()
    env = {**env, RUN_TOKEN: token}
    if check.options.interactive:
        # Imported here: only a block that takes the terminal needs it (and its selectors).
        from checks.run.interactive import run_interactive

        return run_interactive(
            check,
            argv,
            stdin_data,
            env,
            cwd,
            timeout=timeout,
            grace=options.grace,
            started=started,
            canceller=canceller,
            token=token,
        )
    try:
        proc = start(argv, env, stdin_pipe=stdin_data is not None, cwd=cwd)
    except OSError as exc:
        reason = f"cannot start {argv[0]!r}: {exc.strerror or exc}"
        if cwd and not os.path.isdir(cwd):
            reason = f"cwd {cwd!r} does not exist"
        return make_result(check, Status.ERROR, started, reason=reason), False
    guardian.watch(token, proc.pid)
    prefix = f"[{check.id}] ".encode() if options.prefix else b""
    session = PipeSession(
        proc,
        grace=options.grace,
        out=Tee(out, prefix),
        err=Tee(err, prefix),
        capture_limit=options.capture_limit,
        secrets=options.secrets,
        stdin_data=stdin_data,
        canceller=canceller,
        token=token,
    )
    try:
        session.pump(started + timeout)
    finally:
        session.finish()
        guardian.release(token)
    return _judge(check, session, timeout, options.secrets, started), session.interrupted


def _judge(
    check: Check, session: PipeSession, timeout: float, secrets: tuple[bytes, ...], started: float
) -> Result:
    cause = signal_cause(session.canceller.signum)
    stdout, stderr = session.texts()
    notes = tuple(redact_text(n, secrets) for n in session.notes)
    code = exit_code_of(session.proc.returncode)
    if session.interrupted:
        reason = f"interrupted ({cause}): process group stopped"
        if session.hurried:
            reason = f"interrupted ({cause} twice): process group killed without the grace period"
        return make_result(
            check,
            Status.ERROR,
            started,
            reason=reason,
            exit_code=code,
            stdout=stdout,
            stderr=stderr,
            details=notes,
        )
    if session.timed_out:
        if check.options.follow:
            ok, reason, details = judge_output(check, stdout)
            status = Status.PASSED if ok else Status.FAILED
            reason = reason or f"followed for {seconds(timeout)} (its timeout), then stopped"
        else:
            status, details = Status.TIMEOUT, ()
            reason = f"timed out after {seconds(timeout)}: process group stopped"
        return make_result(
            check,
            status,
            started,
            reason=redact_text(reason, secrets),
            stdout=stdout,
            stderr=stderr,
            details=notes + tuple(redact_text(d, secrets) for d in details),
            exit_code=code,
        )
    assert code is not None  # finish() reaped the process
    ok, reason, details = judge(check, code, stdout)
    return make_result(
        check,
        Status.PASSED if ok else Status.FAILED,
        started,
        exit_code=code,
        stdout=stdout,
        stderr=stderr,
        reason=redact_text(reason, secrets),
        details=notes + tuple(redact_text(d, secrets) for d in details),
    )


def _resolve_cwd(check: Check, options: RunOptions) -> str | None:
    if check.options.cwd is None:
        return options.cwd
    return os.path.join(options.cwd or os.getcwd(), check.options.cwd)
