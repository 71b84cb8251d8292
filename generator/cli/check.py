"""``runbook check [PATHS...]``: CI. Lint, then every eligible ``.check`` block; no prompts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checks.problems import Outcome

from generator.cli._options import jobs_option, report_options, root_option, timeout_option

HELP = """CI: lint PATHS (default: the runbooks root), then run every eligible read-only
.check block. Never prompts, never runs .action, .destructive, .manual or interactive
blocks, whether or not there is a terminal.

A check runs only when every `requires` entry exists (and the shell a zsh/ksh/dash
block needs), every variable it reads has a value and `ci` is not false; otherwise it is
skipped with the precise reason. Commands that reach hosts take them from variables,
so CI can leave those unset. `runbook list` shows each block's reason up front.

\b
Examples:
  runbook check                                  every runbook under ./runbooks
  runbook check runbooks/payments --junit r.xml  one folder, a JUnit report
  runbook check docs/ops.md --jobs 4 --json r.json

\b
Exit codes: 0 every check that ran passed (skips allowed), 1 a check failed, timed
out or errored (or a report could not be written after the run), 2 usage error (a
path that does not exist, a report that cannot be written), 3 a runbook or block that
does not validate (lint errors), 4 nothing ran, 130 interrupted (partial reports
written; 143 by TERM, 129 by HUP).
"""


@click.command("check", help=HELP)
@click.argument("paths", nargs=-1)
@report_options
@jobs_option("Run up to N blocks at once (1-64).")
@timeout_option(300.0)
@root_option()
def command(
    paths: tuple[str, ...],
    json_path: str | None,
    junit_path: str | None,
    transcript: str | None,
    jobs: int,
    default_timeout: float,
    root: str,
) -> Outcome:
    from generator.cli._check_run import run_ci_checks

    return run_ci_checks(
        paths or (root,),
        root=root,
        json_path=json_path,
        junit_path=junit_path,
        transcript=transcript,
        jobs=jobs,
        default_timeout=default_timeout,
    )
