"""``runbook exec TARGET``: run a runbook's blocks during an incident."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from checks.problems import Outcome

from generator.cli._options import jobs_option, report_options, root_option, timeout_option
from generator.cli._seconds import GRACE

HELP = """Run TARGET's blocks (a runbook id, a YAML or a Markdown file).

With no selection, runs the read-only .check blocks in page order and lists the rest
(after a selection, -v lists what it left out).
--section, --step and --tag select blocks of every kind; --step and --tag repeat
(--step a --step b). --walk goes through every block asking run / skip / quit.

\b
Consent, one rule: --yes is the yes to every question, but a destructive
block takes it only with --allow destructive (--allow action alone also runs
actions); on a terminal a question without that yes is asked, without one the
block is skipped. $CI changes nothing.
  .check         runs
  .action        asks y/N; runs with --yes or --allow action
  .destructive   you type the step id; runs with --yes --allow destructive
  .manual        shown, never run (--walk waits for Enter)
  interactive    needs a TTY (skipped without one); an interpreter block gets its
                 text on stdin while prompts read the terminal
In --walk, answering "run" is the consent for an action; a destructive block
still asks for its step id. A question shows the values the block reads and where
each came from; in --walk a value the block reads that has none is asked for then.

Each block runs in its own process: a block hands values on by writing NAME=value
lines to the file $RUNBOOK_OUTPUT names (for the names its outputs= declares); they
are environment for the later blocks of the run.

A failed .check never stops a run; a failed action or destructive block stops
it unless --keep-going; --walk asks after any failure: continue, retry or quit.

\b
Examples:
  runbook exec db-pool                          the read-only checks
  runbook exec db-pool --dry-run --walk         every block, values and sources
  runbook exec db-pool --walk                   step through on a terminal
  runbook exec db-pool --step restart --yes     one action, no question (any stdin)
  runbook exec db-pool --tag postgres --tag redis --allow action
  runbook exec db-pool --jobs 4 --json r.json --junit r.xml
  runbook exec db-pool --incident INC-20240115-1415

\b
Exit codes: 0 ok (skips allowed), 1 a block failed, timed out or errored (or a
report could not be written after the run), 2 usage error, 3 invalid page or missing
required variable without a TTY, 4 nothing ran, 130 interrupted (Ctrl-C; partial
reports written; Ctrl-C again during the grace period KILLs the block), 143 and 129
the same by TERM and HUP.
"""


@click.command("exec", help=HELP)
@click.argument("target")
@click.option(
    "--section", "section", metavar="ID", help="Run the blocks of this section or scenario."
)
@click.option(
    "--step",
    "steps",
    multiple=True,
    metavar="ID",
    help="Run this step (full or step id); repeat for more.",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="T",
    help="Run the blocks with this tag (any kind); repeat for more.",
)
@click.option("--walk", is_flag=True, help="Go through every block, asking run/skip/quit (TTY).")
@click.option(
    "--var", "var_options", multiple=True, metavar="K=V", help="Set a variable; repeat for more."
)
@click.option(
    "--env-file", metavar="FILE", help="KEY=VALUE lines (after --var, before the environment)."
)
@click.option("--dry-run", is_flag=True, help="Show the blocks and variable values; run nothing.")
@click.option(
    "--yes",
    is_flag=True,
    help="Yes to every question (a destructive block also needs --allow destructive).",
)
@click.option(
    "--allow",
    "allow",
    multiple=True,
    type=click.Choice(["action", "destructive"]),
    help="action: run actions unasked; destructive: with --yes, run destructive blocks unasked.",
)
@jobs_option(
    "Run up to N blocks at once (1-64): questions are asked first; an interactive block runs alone."
)
@click.option(
    "--keep-going",
    is_flag=True,
    help="Run the rest after a failed action or destructive block (a failed check never stops).",
)
@report_options
@click.option(
    "--incident",
    metavar="INCIDENT",
    help="Append every block that ran to this incident's timeline (a path or an id in --dir).",
)
@click.option(
    "--dir",
    "incident_dir",
    default="incidents",
    metavar="D",
    help="Where --incident ids resolve (default incidents/).",
)
@timeout_option(600.0)
@click.option(
    "--grace",
    default=2.0,
    type=GRACE,
    metavar="SECONDS",
    help="Between TERM and KILL when a block is stopped (default 2).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="After a --step, --section or --tag selection, list the blocks it left out.",
)
@root_option()
def command(**options: Any) -> Outcome:
    from generator.cli._exec_run import ExecRequest, run_exec

    return run_exec(ExecRequest(**options))
