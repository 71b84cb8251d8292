"""A whole run: risk decisions, consent, fail-fast or keep-going, parallel jobs, Ctrl-C.

A failed ``.check`` never stops a run (checks are read-only; their failure is the signal
the rest of the page answers); a failed action or destructive block stops it unless
``--keep-going``; in ``--walk`` the person is asked after any failure.

Terminal questions go through a ``Prompter`` the CLI supplies, so this module does no
terminal I/O of its own beyond the streams it is given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from checks.model import Check, Result, Risk, Status, Variable
from checks.run.capture import Sink
from checks.run.group import Canceller, Stopped, ctrl_c_cancels, signal_cause, stop_signals_raise
from checks.run.process import Interrupted, RunOptions, run_check, skipped
from checks.run.values import RunValues
from checks.select import Action, Decision
from checks.variables import Resolution

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

    def value(self, variable: Variable) -> str:
        """A missing value, in ``--walk`` ('' leaves an optional variable unset)."""
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
    """How a whole run goes (``options``: how each of its blocks runs)."""

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
    out: Sink | None,
    err: Sink | None,
    on_start: Callable[[Check], None] = lambda c: None,
    on_result: Callable[[Result], None] = lambda r: None,
    state: RunState | None = None,
    values: RunValues | None = None,
) -> RunState:
    """Run decided blocks; each result goes to ``on_result`` as soon as it is known.

    A serial run asks each question right before its block (the user has seen the
    previous output); a parallel run asks every question first, then runs, and reports
    results in the order they finish (``state.results`` ends up in page order); there an
    ``interactive`` block runs alone. With ``jobs > 1`` ``on_start`` is called from worker
    threads, ``on_result`` from this one. SIGTERM and SIGHUP stop the run as Ctrl-C does.
    ``values`` hands outputs on to later blocks and, in ``--walk``, takes missing values.
    """
    values = values or RunValues((), Resolution())
    state = state or RunState()
    run = _Run(envs, values, settings, prompter, out, err, on_start, on_result, state)
    try:
        with stop_signals_raise():
            _run(decisions, run)
    except Stopped as exc:  # SIGTERM or SIGHUP between blocks
        run.state.stop(exc.signum)
    finally:
        values.close()
    return run.state


@dataclass(frozen=True, slots=True)
class _Run:
    """What every block of one ``run_plan`` call shares (its arguments, once)."""

    envs: Mapping[str, Mapping[str, str]]
    values: RunValues
    """What the run added to the planned environments (outputs, values asked)."""
    settings: ExecSettings
    prompter: Prompter | None
    out: Sink | None
    err: Sink | None
    on_start: Callable[[Check], None]
    on_result: Callable[[Result], None]
    state: RunState

    def record(self, result: Result) -> None:
        self.state.results.append(result)
        self.on_result(result)

    def run_check(self, check: Check, options: RunOptions, canceller: Canceller) -> Result:
        env = self.values.environment(check, self.envs[check.id])
        options = self.values.options(options)
        result = run_check(check, env, options, out=self.out, err=self.err, canceller=canceller)
        return self.values.finish(check, result)

    def ask_missing(self, check: Check, prompter: Prompter) -> None:
        """``--walk``: each value the block reads that is missing, asked for now."""
        for variable in self.values.missing(check):
            self.values.give(variable, prompter.value(variable))


def _run(decisions: Sequence[Decision], run: _Run) -> None:
    settings, prompter, state = run.settings, run.prompter, run.state
    if settings.jobs > 1:
        plan: list[tuple[Check, Result | None]] = []
        for decision in decisions:
            verdict = _consent(decision, run)
            if verdict == "quit":
                break
            check = decision.check
            plan.append((check, None if verdict == "run" else _not_run(check, verdict)))
        _run_parallel(plan, run)
        return
    # One canceller for the run. Without prompts the stop signals press it for the whole
    # run (installed once); a prompt needs Ctrl-C to raise, so then only while a block runs.
    canceller = Canceller()
    try:
        with ctrl_c_cancels(canceller) if prompter is None else contextlib.nullcontext():
            _run_serial(decisions, run, canceller)
        if canceller.cancelled and not state.interrupted:  # after the last block
            state.stop(canceller.signum)
    finally:
        canceller.close()


def _run_serial(decisions: Sequence[Decision], run: _Run, canceller: Canceller) -> None:
    settings, prompter, state = run.settings, run.prompter, run.state
    failed = False
    for decision in decisions:
        check = decision.check
        if canceller.cancelled:
            state.stop(canceller.signum)
            return
        if failed and not settings.keep_going:
            run.record(skipped(check, FAIL_FAST_REASON))
            continue
        try:
            verdict = _consent(decision, run)
        except (KeyboardInterrupt, EOFError) as exc:
            state.stop(getattr(exc, "signum", signal.SIGINT))
            return
        if verdict == "quit":
            return
        if verdict != "run":
            run.record(_not_run(check, verdict))
            continue
        while True:
            run.on_start(check)
            try:
                result = run.run_check(check, settings.options, canceller)
            except Interrupted as exc:
                state.stop(exc.signum)
                run.record(exc.result)
                return
            run.record(result)
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


def _not_run(check: Check, verdict: str) -> Result:
    """A block consent did not run: skipped with the reason, or a manual step done."""
    if verdict == MANUAL_DONE:
        return dataclasses.replace(skipped(check, verdict), status=Status.DONE)
    return skipped(check, verdict)


def _consent(decision: Decision, run: _Run) -> str:
    """``run``, ``quit`` or a skip reason.

    In ``--walk`` answering "run" is the consent for an action; a destructive block
    still needs its step id typed (once) unless ``--yes --allow destructive`` was given.
    The values the block reads that are missing are asked for after "run", so the
    typed step id is given with every value shown.
    """
    settings, prompter = run.settings, run.prompter
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
        run.ask_missing(check, prompter)
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


def _run_parallel(plan: list[tuple[Check, Result | None]], run: _Run) -> None:
    settings, state = run.settings, run.state
    options = dataclasses.replace(settings.options, prefix=True)
    canceller = Canceller()
    stop = threading.Event()

    def work(check: Check) -> Result:
        if canceller.cancelled:
            return skipped(check, INTERRUPTED_REASON.format(cause=signal_cause(canceller.signum)))
        if stop.is_set():
            return skipped(check, FAIL_FAST_REASON)
        run.on_start(check)  # from this worker thread: the callback must be thread-safe
        try:
            result = run.run_check(check, options, canceller)
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
                run.record(fut.result())
            if canceller.cancelled and not state.interrupted:
                state.stop(canceller.signum)
                reason = INTERRUPTED_REASON.format(cause=signal_cause(canceller.signum))
                for fut in list(pending):
                    if fut.cancel():
                        pending.discard(fut)
                        run.record(skipped(futures[fut], reason))

    try:
        # Ctrl-C presses the canceller: every running block is stopped (a second press
        # KILLs), blocks not started yet are skipped, and every result is still recorded.
        with ctrl_c_cancels(canceller):
            for check, preset in plan:
                if preset is not None:
                    run.record(preset)
                elif check.options.interactive:
                    # It gets the terminal to itself, from this thread (handing the
                    # terminal over takes signals): the blocks before it end first, and
                    # none starts until it has ended.
                    drain()
                    run.record(work(check))
                else:
                    fut = pool.submit(work, check)
                    futures[fut] = check
                    pending.add(fut)
            drain()
    finally:
        pool.shutdown(wait=True)
        canceller.close()
    state.results[first:] = sorted(state.results[first:], key=lambda r: order[r.check.id])
