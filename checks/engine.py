"""A whole run: risk decisions, consent, fail-fast or keep-going, parallel jobs, Ctrl-C.

Terminal questions go through a ``Prompter`` the CLI supplies, so this module does no
terminal I/O of its own beyond the streams it is given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from checks.model import Check, Result, Status
from checks.run import Canceller, Interrupted, RunOptions, run_check, skipped
from checks.select import Action, Decision

FAIL_FAST_REASON = "not run: an earlier block failed (use --keep-going to run the rest)"


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


@dataclass
class RunState:
    """What a run produced so far; complete even after Ctrl-C."""

    results: list[Result] = field(default_factory=list)
    interrupted: bool = False


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
    """Run decided blocks; results arrive in page order through ``on_result``.

    A serial run asks each question right before its block (the user has seen the
    previous output); a parallel run asks every question first, then runs.
    """
    state = state or RunState()
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
    failed = False
    for decision in decisions:
        check = decision.check
        if failed and not settings.keep_going:
            _record(state, skipped(check, FAIL_FAST_REASON), on_result)
            continue
        try:
            verdict = _consent(decision, settings, prompter)
        except (KeyboardInterrupt, EOFError):
            state.interrupted = True
            return state
        if verdict == "quit":
            return state
        if verdict != "run":
            _record(state, skipped(check, verdict), on_result)
            continue
        on_start(check)
        try:
            result = run_check(check, envs[check.id], settings.options, out=out, err=err)
        except Interrupted as exc:
            _record(state, exc.result, on_result)
            state.interrupted = True
            return state
        _record(state, result, on_result)
        failed = failed or result.status in (Status.FAILED, Status.TIMEOUT, Status.ERROR)
    return state


def _consent(decision: Decision, settings: ExecSettings, prompter: Prompter | None) -> str:
    """``run``, ``quit`` or a skip reason."""
    check = decision.check
    if settings.walk and prompter is not None and decision.action is not Action.SKIP:
        if decision.action is Action.MANUAL:
            prompter.manual(check)
            return "manual step: a person does this"
        answer = prompter.walk(check)
        if answer == "quit":
            return "quit"
        if answer != "run":
            return "skipped in --walk"
    if decision.action is Action.RUN:
        return "run"
    if decision.action in (Action.SKIP, Action.MANUAL):
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
    done: dict[str, Result] = {}

    def work(check: Check) -> Result:
        if stop.is_set() or canceller.cancelled:
            return skipped(check, FAIL_FAST_REASON)
        on_start(check)
        try:
            result = run_check(
                check, envs[check.id], options, out=out, err=err, canceller=canceller
            )
        except Interrupted as exc:
            return exc.result
        if (
            result.status in (Status.FAILED, Status.TIMEOUT, Status.ERROR)
            and not settings.keep_going
        ):
            stop.set()
        return result

    pool = ThreadPoolExecutor(max_workers=settings.jobs, thread_name_prefix="runbook-job")
    futures: dict[Future[Result], Check] = {}
    try:
        for check, preset in plan:
            if preset is not None:
                done[check.id] = preset
            else:
                futures[pool.submit(work, check)] = check
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in finished:
                done[futures[fut].id] = fut.result()
    except KeyboardInterrupt:
        state.interrupted = True
        canceller.cancel()
        for fut, check in futures.items():
            if fut.cancel():
                done[check.id] = skipped(check, "not run: interrupted (Ctrl-C)")
        for fut, check in futures.items():
            if not fut.cancelled():
                done[check.id] = fut.result()
    finally:
        pool.shutdown(wait=True)
        canceller.close()
    for check, _ in plan:
        if check.id in done:
            _record(state, done[check.id], on_result)


def _record(state: RunState, result: Result, on_result: Callable[[Result], None]) -> None:
    state.results.append(result)
    on_result(result)
