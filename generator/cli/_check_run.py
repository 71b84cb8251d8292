"""The body of ``runbook check``: lint, extract every runbook, run eligible checks."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from checks.outputs import write_reports
from checks.problems import Outcome, Problem, has_errors, no_such_path
from checks.report import outcome_of, summarize
from checks.run.engine import ExecSettings, RunState, run_plan
from checks.run.process import RunOptions
from checks.run.values import RunValues
from generator.cli._environ import cache_dir
from generator.cli._options import check_report_paths, open_transcript
from generator.cli._terminal import Progress
from generator.errors import RunbookError, UsageError
from generator.load.cache import ParseCache
from generator.plan import ci_plan
from generator.targets import all_runbooks, untagged_hints


def lint_problems(paths: Sequence[str], root: str, cache: ParseCache) -> list[Problem]:
    """What ``runbook lint PATHS`` reports (allowed warnings left out)."""
    from generator.cli._environ import today
    from generator.lint.runbooks import LintOptions, lint_tree

    options = LintOptions(today=today(), cache_dir=cache.root, parse_cache=cache)
    return list(lint_tree(root, list(paths), options).problems)


def run_ci_checks(
    paths: Sequence[str],
    *,
    root: str,
    json_path: str | None,
    junit_path: str | None,
    transcript: str | None,
    jobs: int,
    default_timeout: float,
) -> Outcome:
    """Lint, then run: what ran, failed or was interrupted (lint or block errors raise)."""
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(no_such_path(path))
    environ = dict(os.environ)
    check_report_paths(
        [("--json", json_path), ("--junit", junit_path), ("--transcript", transcript)], environ
    )
    # One parse cache for both loads: lint's, then the one that extracts the blocks.
    cache = ParseCache(cache_dir(no_cache=False))
    problems = lint_problems(paths, root, cache)
    targets = all_runbooks(paths, root, cache)
    problems += [p for t in targets for p in t.extraction.problems]
    problems = list(dict.fromkeys(problems))  # a Markdown file is linted and extracted
    if has_errors(problems):
        raise RunbookError(problems=[p for p in problems if p.severity.value == "error"])
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    err = sys.stderr
    log = open_transcript(transcript)
    plans = [ci_plan(target.extraction, environ) for target in targets]
    progress = Progress(err, err.isatty(), log, total=sum(len(p.decisions) for p in plans))
    block_out, block_err = progress.block_streams(sys.stdout.buffer, sys.stderr.buffer)
    state = RunState()
    try:
        for plan in plans:
            settings = ExecSettings(
                tty=False,
                jobs=jobs,
                keep_going=True,
                options=RunOptions(default_timeout=default_timeout, secrets=plan.variables.secrets),
            )
            run_plan(
                plan.decisions,
                plan.environments,
                settings,
                None,
                out=block_out,
                err=block_err,
                on_start=progress.start,
                on_result=progress.result,
                state=state,
                values=RunValues(
                    plan.variables.declared,
                    plan.variables.resolution,
                    secrets=plan.variables.secrets,
                    warn=lambda problem: err.write(f"{problem}\n"),
                ),
            )
            if state.interrupted:
                break
    except KeyboardInterrupt:
        state.interrupted = True
    progress.fresh_line()
    written = write_reports(
        state.results,
        json_path=json_path,
        junit_path=junit_path,
        interrupted=state.interrupted,
        environ=environ,
        stream=err,
        color=err.isatty(),
        signum=state.signum,
    )
    outcome = outcome_of(
        state.results, interrupted=state.interrupted, signum=state.signum, reported=written
    )
    if log:
        log.event("end", summary=summarize(state.results), exit_code=int(outcome.exit_code))
        log.close()
    if outcome.nothing_ran and not outcome.interrupted:
        err.write("error: nothing ran: every check was skipped or none was found\n")
        for hint in untagged_hints(targets):
            err.write(hint + "\n")
        if not targets:
            err.write(f"note: no runbook under {', '.join(paths)}\n")
    return outcome
