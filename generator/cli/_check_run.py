"""The body of ``runbook check``: lint, extract every runbook, run eligible checks."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from checks.model import Risk
from checks.problems import ExitCode, Problem, has_errors
from checks.report import exit_code_for, summarize
from checks.run.engine import ExecSettings, RunState, run_plan
from checks.run.process import RunOptions
from checks.select import Action, Decision, ci_skip_reason
from checks.variables import Resolution, resolve_variables
from generator.cli._environ import cache_dir
from generator.cli._session import (
    Progress,
    Variables,
    check_report_paths,
    environments,
    open_transcript,
    write_reports,
)
from generator.errors import RunbookError, UsageError
from generator.load.parse import ParseCache
from generator.targets import Target, all_runbooks


def lint_problems(paths: Sequence[str], root: str, cache: ParseCache) -> list[Problem]:
    """What ``runbook lint PATHS`` reports (allowed warnings left out)."""
    from generator.cli._environ import today
    from generator.lint.runbooks import LintOptions, lint_tree

    options = LintOptions(today=today(), cache_dir=cache.root, parse_cache=cache)
    return list(lint_tree(root, list(paths), options).problems)


def plan_target(
    target: Target, environ: dict[str, str]
) -> tuple[list[Decision], dict[str, dict[str, str]], Variables]:
    """CI decisions for one target: its .check blocks, each run or skipped with a reason."""
    extraction = target.extraction
    declared = extraction.variables
    resolution: Resolution = resolve_variables(declared, {}, {}, environ)
    variables = Variables(declared, resolution)
    checks = [c for c in extraction.checks if c.risk is Risk.CHECK]
    envs = environments(checks, variables, environ)
    decisions = []
    for check in checks:
        why = ci_skip_reason(check, declared, resolution, envs[check.id])
        decisions.append(Decision(check, Action.SKIP if why else Action.RUN, why))
    return decisions, envs, variables


def run_ci_checks(
    paths: Sequence[str],
    *,
    root: str,
    json_path: str | None,
    junit_path: str | None,
    transcript: str | None,
    jobs: int,
    default_timeout: float,
) -> int:
    """Lint, then run; exit 0, 1, 3 (lint or block errors) or 4 (nothing ran)."""
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
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
    plans = [plan_target(target, environ) for target in targets]
    progress = Progress(err, err.isatty(), log, total=sum(len(p[0]) for p in plans))
    state = RunState()
    try:
        for decisions, envs, variables in plans:
            settings = ExecSettings(
                tty=False,
                jobs=jobs,
                keep_going=True,
                options=RunOptions(default_timeout=default_timeout, secrets=variables.secrets),
            )
            run_plan(
                decisions,
                envs,
                settings,
                None,
                out=sys.stdout.buffer,
                err=sys.stderr.buffer,
                on_start=progress.start,
                on_result=progress.result,
                state=state,
            )
            if state.interrupted:
                break
    except KeyboardInterrupt:
        state.interrupted = True
    write_reports(
        state.results,
        json_path=json_path,
        junit_path=junit_path,
        interrupted=state.interrupted,
        environ=environ,
        stream=err,
        color=err.isatty(),
    )
    code = int(ExitCode.INTERRUPTED) if state.interrupted else exit_code_for(state.results)
    if log:
        log.event("end", summary=summarize(state.results), exit_code=code)
        log.close()
    if code == ExitCode.NOTHING_RAN:
        err.write("error: nothing ran: every check was skipped or none was found\n")
    return code
