"""The body of ``runbook exec``: load, select, resolve, decide, run, report."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checks.model import Check, Result
from checks.outputs import write_reports
from checks.problems import Outcome
from checks.report import Transcript, outcome_of, summarize
from checks.run.engine import ExecSettings, RunState, run_plan
from checks.run.group import STOP_SIGNALS
from checks.run.process import RunOptions
from checks.run.values import RunValues
from generator.cli._environ import cache_dir
from generator.cli._options import check_report_paths, open_transcript
from generator.cli._terminal import Progress, TerminalPrompter, is_tty, prompt_variable
from generator.errors import UsageError
from generator.plan import (
    ExecChoices,
    dry_run_text,
    exec_plan,
    select_blocks,
    undeclared_var_warnings,
)
from generator.targets import load_targets, untagged_hint

if TYPE_CHECKING:
    from generator.incident.exec_log import IncidentLog


@dataclass(frozen=True, slots=True)
class ExecRequest:
    """What ``runbook exec`` was asked, option by option."""

    target: str
    section: str | None = None
    steps: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    walk: bool = False
    var_options: tuple[str, ...] = ()
    env_file: str | None = None
    dry_run: bool = False
    yes: bool = False
    allow: tuple[str, ...] = ()
    jobs: int = 1
    keep_going: bool = False
    json_path: str | None = None
    junit_path: str | None = None
    transcript: str | None = None
    default_timeout: float = 600.0
    grace: float = 2.0
    root: str = "runbooks"
    incident: str | None = None
    incident_dir: str = "incidents"
    verbose: bool = False
    """List the blocks a selection left out (without a selection they are always listed)."""


def run_exec(req: ExecRequest) -> Outcome:
    """Run one target: what ran, failed or was interrupted (user errors raise)."""
    (target,) = load_targets([req.target], req.root, cache_dir=cache_dir(no_cache=False))
    extraction = target.extraction
    for warning in undeclared_var_warnings(extraction, req.var_options, req.target):
        sys.stderr.write(warning + "\n")
    selection = select_blocks(
        extraction,
        req.target,
        section=req.section,
        steps=req.steps,
        tags=req.tags,
        walk=req.walk,
    )
    tty = is_tty()
    if req.walk and not tty and not req.dry_run:
        raise UsageError(
            "--walk asks before every block and needs a terminal (stdin is not a TTY): "
            "choose blocks with --step/--section/--tag, or see them with --walk --dry-run"
        )
    environ = dict(os.environ)
    err = sys.stderr
    if not selection.selected:
        # Say why instead of an empty report (a dry run stops here: nothing to show).
        err.write(f"error: nothing selected in {req.target}: {_empty_reason(req)}\n")
        if hint := untagged_hint(target):
            err.write(hint + "\n")
        if req.dry_run:
            _list_rest(selection.listed, err)
            return Outcome(nothing_ran=True)
    if not req.dry_run:
        check_report_paths(
            [
                ("--json", req.json_path),
                ("--junit", req.junit_path),
                ("--transcript", req.transcript),
            ],
            environ,
        )
    incident = _open_incident(req) if req.incident else None
    plan = exec_plan(
        extraction,
        selection.selected,
        ExecChoices(tty=tty, yes=req.yes, allow=req.allow, walk=req.walk),
        var_options=req.var_options,
        env_file=req.env_file,
        environ=environ,
        resolve_needed=not req.dry_run,
        ask=prompt_variable,
    )
    listed = selection.listed if req.verbose or not _selects(req) else ()
    if req.dry_run:
        sys.stdout.write(dry_run_text(plan))
        _list_rest(listed, err)
        return Outcome()
    color = err.isatty()
    transcript = open_transcript(req.transcript)
    progress = Progress(err, color, transcript, show_manual=not req.walk, total=len(plan.decisions))
    block_out, block_err = progress.block_streams(sys.stdout.buffer, sys.stderr.buffer)
    log = _incident_log(incident, err) if incident is not None else None
    if transcript:
        transcript.event("run", target=req.target, selected=[c.id for c in selection.selected])

    def on_result(result: Result) -> None:
        progress.result(result)
        if log is not None:
            log.result(result)

    variables = plan.variables
    values = RunValues(
        variables.declared,
        variables.resolution,
        secrets=variables.secrets,
        warn=lambda problem: err.write(f"{problem}\n"),
    )
    state = RunState()
    settings = ExecSettings(
        tty=tty,
        walk=req.walk,
        jobs=req.jobs,
        keep_going=req.keep_going,
        options=RunOptions(
            default_timeout=req.default_timeout, grace=req.grace, secrets=plan.variables.secrets
        ),
    )
    try:
        run_plan(
            plan.decisions,
            plan.environments,
            settings,
            TerminalPrompter(err, values.shown) if tty else None,
            out=block_out,
            err=block_err,
            on_start=progress.start,
            on_result=on_result,
            state=state,
            values=values,
        )
    except KeyboardInterrupt:
        state.interrupted = True
    progress.fresh_line()
    return _finish(req, state, listed, transcript, environ, color)


def _finish(
    req: ExecRequest,
    state: RunState,
    listed: tuple[Check, ...],
    transcript: Transcript | None,
    environ: dict[str, str],
    color: bool,
) -> Outcome:
    """The summary and the reports; Ctrl-C meanwhile cannot lose them (it was pressed)."""
    err = sys.stderr
    results = state.results
    with _ctrl_c_ignored(state.interrupted):
        _list_rest(listed, err)
        written = write_reports(
            results,
            json_path=req.json_path,
            junit_path=req.junit_path,
            interrupted=state.interrupted,
            environ=environ,
            stream=err,
            color=color,
            signum=state.signum,
        )
        outcome = outcome_of(
            results, interrupted=state.interrupted, signum=state.signum, reported=written
        )
        if transcript:
            transcript.event(
                "end",
                summary=summarize(results),
                exit_code=int(outcome.exit_code),
                interrupted=state.interrupted,
            )
            transcript.close()
        if state.interrupted:
            err.write("Interrupted: partial report written.\n")
    return outcome


@contextlib.contextmanager
def _ctrl_c_ignored(active: bool) -> Iterator[None]:
    """After an interrupt, more Ctrl-C (or TERM, HUP) would only cost the partial reports."""
    if not active or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _selects(req: ExecRequest) -> bool:
    """Whether the blocks were chosen by name or tag (the rest is then listed with -v)."""
    return bool(req.section or req.steps or req.tags)


def _empty_reason(req: ExecRequest) -> str:
    if _selects(req) or req.walk:
        return "no block matches the selection"
    return "the page has no .check blocks (choose others with --step, --section or --walk)"


def _list_rest(checks: tuple[Check, ...], stream: TextIO) -> None:
    if not checks:
        return
    stream.write("Not selected (use --step ID, --section ID, --tag T or --walk):\n")
    for check in checks:
        stream.write(f"  {check.id}  [{check.risk.value}]  {check.location}\n")


def _open_incident(req: ExecRequest) -> Path:
    # Imported here: the incident package (YAML, the typed record) only for --incident.
    from generator.incident.exec_log import open_incident

    assert req.incident is not None
    return open_incident(req.incident, req.incident_dir, sys.stderr)


def _incident_log(incident: Path, err: TextIO) -> IncidentLog:
    from generator.incident.exec_log import IncidentLog

    return IncidentLog(incident, err)
