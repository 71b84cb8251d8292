"""A whole run: risk decisions, consent, fail-fast or keep-going, parallel jobs, Ctrl-C.

A failed ``.check`` never stops a run (checks are read-only; their failure is the signal
the rest of the page answers); a failed action or destructive block stops it unless
``--keep-going``; in ``--walk`` the person is asked after any failure.

Terminal questions go through a ``Prompter`` the CLI supplies, so this module does no
terminal I/O of its own beyond the streams it is given.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Protocol

from checks.model import Check, Result, Risk, Status
from checks.run.group import Canceller, Stopped, ctrl_c_cancels, signal_cause, stop_signals_raise
from checks.run.process import Interrupted, RunOptions, run_check, skipped
from checks.select import Action, Decision

if TYPE_CHECKING:
    from concurrent.futures import Future

FAIL_FAST_REASON = (
    "not run: an earlier action or destructive block failed (use --keep-going to run the rest)"
)
_FAILURES = (Status.FAILED, Status.TIMEOUT, Status.ERROR)
INTERRUPTED_REASON = "not run: interrupted ({cause})"
MANUAL_DONE = "manual step: done (Enter pressed)"


class Prompter(Protocol):
    """Questions asked on the terminal (only ever called when there is a TTY)."""

    def confirm(self, check: Check) -> bool:
        """y/N for an action block."""
        ...

    def confirm_id(self, check: Check) -> bool:
        """The user types the step id for a destructive block."""
        ...

    def walk(self, check: Check) -> str:
        """``run``, ``skip`` or ``quit`` in ``--walk``."""
        ...

    def manual(self, check: Check) -> None:
        """Show a manual step and wait for Enter."""
        ...

    def after_failure(self, result: Result) -> str:
        """``continue``, ``retry`` or ``quit`` after a block failed in ``--walk``."""
        ...


@dataclass
class RunState:
    """What a run produced so far; complete even after Ctrl-C."""

    results: list[Result] = field(default_factory=list)
    interrupted: bool = False
    signum: int = signal.SIGINT
    """What interrupted the run (Ctrl-C, SIGTERM, SIGHUP): it exits 128 + this."""

    def stop(self, signum: int) -> None:
        self.interrupted = True
        self.signum = signum


@dataclass(frozen=True, slots=True)
class ExecSettings:
    tty: bool = False
    walk: bool = False
    jobs: int = 1
    keep_going: bool = False
    options: RunOptions = field(default_factory=RunOptions)


def run_plan(
    decisions: Sequence[Decision],
    envs: Mapping[str, Mapping[str, str]],
    settings: ExecSettings,
    prompter: Prompter | None,
    *,
    out: BinaryIO | None,
    err: BinaryIO | None,
    on_start: Callable[[Check], None] = lambda c: None,
    on_result: Callable[[Result], None] = lambda r: None,
    state: RunState | None = None,
) -> RunState:
    """Run decided blocks; each result goes to ``on_result`` as soon as it is known.

    A serial run asks each question right before its block (the user has seen the
    previous output); a parallel run asks every question first, then runs, and reports
    results in the order they finish (``state.results`` ends up in page order); there an
    ``interactive`` block runs alone. With ``jobs > 1`` ``on_start`` is called from worker
    threads, ``on_result`` from this one. SIGTERM and SIGHUP stop the run as Ctrl-C does.
    """
    state = state or RunState()
    try:
        with stop_signals_raise():
            return _run(decisions, envs, settings, prompter, out, err, on_start, on_result, state)
    except Stopped as exc:  # SIGTERM or SIGHUP between blocks
        state.stop(exc.signum)
        return state


def _run(
    decisions: Sequence[Decision],
    envs: Mapping[str, Mapping[str, str]],
    settings: ExecSettings,
    prompter: Prompter | None,
    out: BinaryIO | None,
    err: BinaryIO | None,
    on_start: Callable[[Check], None],
    on_result: Callable[[Result], None],
    state: RunState,
) -> RunState:
    if settings.jobs > 1:
        plan: list[tuple[Check, Result | None]] = []
        for decision in decisions:
            verdict = _consent(decision, settings, prompter)
            if verdict == "quit":
                break
            check = decision.check
            plan.append((check, None if verdict == "run" else skipped(check, verdict)))
        _run_parallel(plan, envs, settings, state, out, err, on_start, on_result)
        return state
    # One canceller for the run. Without prompts the stop signals press it for the whole
    # run (installed once); a prompt needs Ctrl-C to raise, so then only while a block runs.
    canceller = Canceller()
    try:
        with ctrl_c_cancels(canceller) if prompter is None else contextlib.nullcontext():
            _run_serial(
                decisions, envs, settings, prompter, out, err, on_start, on_result, state, canceller
            )
        if canceller.cancelled and not state.interrupted:  # after the last block
            state.stop(canceller.signum)
    finally:
        canceller.close()
    return state


def _run_serial(
    decisions: Sequence[Decision],
    envs: Mapping[str, Mapping[str, str]],
    settings: ExecSettings,
    prompter: Prompter | None,
    out: BinaryIO | None,
    err: BinaryIO | None,
    on_start: Callable[[Check], None],
    on_result: Callable[[Result], None],
    state: RunState,
    canceller: Canceller,
) -> None:
    failed = False
    for decision in decisions:
        check = decision.check
        if canceller.cancelled:
            state.stop(canceller.signum)
            return
        if failed and not settings.keep_going:
            _record(state, skipped(check, FAIL_FAST_REASON), on_result)
            continue
        try:
            verdict = _consent(decision, settings, prompter)
        except (KeyboardInterrupt, EOFError) as exc:
            state.stop(getattr(exc, "signum", signal.SIGINT))
            return
        if verdict == "quit":
            return
        if verdict != "run":
            _record(state, skipped(check, verdict), on_result)
            continue
        while True:
            on_start(check)
            try:
                result = run_check(
                    check, envs[check.id], settings.options, out=out, err=err, canceller=canceller
                )
            except Interrupted as exc:
                state.stop(exc.signum)
                _record(state, exc.result, on_result)
                return
            _record(state, result, on_result)
            if result.status not in _FAILURES or not settings.walk or prompter is None:
                break
            try:
                answer = prompter.after_failure(result)
            except (KeyboardInterrupt, EOFError) as exc:
                state.stop(getattr(exc, "signum", signal.SIGINT))
                return
            if answer == "quit":
                return
            if answer != "retry":
                break
            state.results.remove(result)  # the retry's result stands for the block
        failed = failed or (
            not settings.walk and result.status in _FAILURES and check.risk is not Risk.CHECK
        )


def _consent(decision: Decision, settings: ExecSettings, prompter: Prompter | None) -> str:
    """``run``, ``quit`` or a skip reason.

    In ``--walk`` answering "run" is the consent for an action; a destructive block
    still needs its step id typed (once) unless ``--yes --allow destructive`` was given.
    """
    check = decision.check
    if settings.walk and prompter is not None and decision.action is not Action.SKIP:
        if decision.action is Action.MANUAL:
            prompter.manual(check)
            return MANUAL_DONE
        answer = prompter.walk(check)
        if answer == "quit":
            return "quit"
        if answer != "run":
            return "skipped in --walk"
        if decision.action is not Action.CONFIRM_ID:
            return "run"
    elif decision.action is Action.RUN:
        return "run"
    elif decision.action in (Action.SKIP, Action.MANUAL):
        return decision.reason
    if prompter is None:
        return f"{check.risk.value}: needs consent and there is no TTY"
    if decision.action is Action.ASK:
        return "run" if prompter.confirm(check) else "declined at the prompt"
    return "run" if prompter.confirm_id(check) else "not confirmed (the step id was not typed)"


def _run_parallel(
    plan: list[tuple[Check, Result | None]],
    envs: Mapping[str, Mapping[str, str]],
    settings: ExecSettings,
    state: RunState,
    out: BinaryIO | None,
    err: BinaryIO | None,
    on_start: Callable[[Check], None],
    on_result: Callable[[Result], None],
) -> None:
    options = RunOptions(
        default_timeout=settings.options.default_timeout,
        grace=settings.options.grace,
        capture_limit=settings.options.capture_limit,
        secrets=settings.options.secrets,
        prefix=True,
        cwd=settings.options.cwd,
    )
    canceller = Canceller()
    stop = threading.Event()

    def work(check: Check) -> Result:
        if canceller.cancelled:
            return skipped(check, INTERRUPTED_REASON.format(cause=signal_cause(canceller.signum)))
        if stop.is_set():
            return skipped(check, FAIL_FAST_REASON)
        on_start(check)  # from this worker thread: the callback must be thread-safe
        try:
            result = run_check(
                check, envs[check.id], options, out=out, err=err, canceller=canceller
            )
        except Interrupted as exc:
            return exc.result
        if result.status in _FAILURES and check.risk is not Risk.CHECK and not settings.keep_going:
            stop.set()
        return result

    order = {check.id: index for index, (check, _) in enumerate(plan)}
    first = len(state.results)
    # Imported here: a serial run (the usual one) never needs threads.
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    pool = ThreadPoolExecutor(max_workers=settings.jobs, thread_name_prefix="runbook-job")
    futures: dict[Future[Result], Check] = {}
    pending: set[Future[Result]] = set()

    def drain() -> None:
        """Record the submitted blocks' results as they finish."""
        while pending:
            finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            pending.difference_update(finished)
            for fut in finished:
                _record(state, fut.result(), on_result)
            if canceller.cancelled and not state.interrupted:
                state.stop(canceller.signum)
                reason = INTERRUPTED_REASON.format(cause=signal_cause(canceller.signum))
                for fut in list(pending):
                    if fut.cancel():
                        pending.discard(fut)
                        _record(state, skipped(futures[fut], reason), on_result)

    try:
        # Ctrl-C presses the canceller: every running block is stopped (a second press
        # KILLs), blocks not started yet are skipped, and every result is still recorded.
        with ctrl_c_cancels(canceller):
            for check, preset in plan:
                if preset is not None:
                    _record(state, preset, on_result)
                elif check.options.interactive:
                    # It gets the terminal to itself, from this thread (handing the
                    # terminal over takes signals): the blocks before it end first, and
                    # none starts until it has ended.
                    drain()
                    _record(state, work(check), on_result)
                else:
                    fut = pool.submit(work, check)
                    futures[fut] = check
                    pending.add(fut)
            drain()
    finally:
        pool.shutdown(wait=True)
        canceller.close()
    state.results[first:] = sorted(state.results[first:], key=lambda r: order[r.check.id])


def _record(state: RunState, result: Result, on_result: Callable[[Result], None]) -> None:
    state.results.append(result)
    on_result(result)
