"""``runbook list [TARGET...]``: every executable block, its risk and why it would be skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome

HELP = """List the executable blocks of TARGETs (runbook ids, YAML or Markdown files;
default: every runbook under --root): id, risk, tags, requirements, location, and why
`runbook check` would skip each one here.

\b
Examples:
  runbook list                        every block of every runbook
  runbook list db-pool                one runbook
  runbook list db-pool --json | jq '.blocks[] | select(.risk == "destructive")'

\b
Exit codes: 0 blocks listed, 2 unknown runbook, 3 invalid page, 4 no blocks found
(also with --json, which then prints an empty list).
"""


@click.command("list", help=HELP)
@click.argument("targets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@root_option()
def command(targets: tuple[str, ...], as_json: bool, root: str) -> Outcome:
    import json
    import os
    import sys

    from checks.problems import Outcome
    from checks.terminal import visible
    from generator.plan import list_plan
    from generator.targets import all_runbooks, load_targets, untagged_hints

    loaded = load_targets(list(targets), root) if targets else all_runbooks([root], root)
    environ = dict(os.environ)
    rows = [
        {
            "id": block.check.id,
            "risk": block.check.risk.value,
            "title": block.check.title,
            "tags": list(block.check.options.tags),
            "requires": list(block.check.options.requires),
            "location": str(block.check.location),
            "check_skip_reason": block.check_skip_reason,
            "exec_without_tty": block.exec_without_tty,
        }
        for target in loaded
        for block in list_plan(target.extraction, environ)
    ]
    if as_json:
        sys.stdout.write(json.dumps({"version": 1, "blocks": rows}, indent=2) + "\n")
    else:
        for row in rows:
            reason = row["check_skip_reason"] or "runs in check"
            line = (
                f"{row['location']}: {row['id']} [{row['risk']}]"
                + (f" tags={','.join(row['tags'])}" if row["tags"] else "")
                + (f" requires={','.join(row['requires'])}" if row["requires"] else "")
                + f" -- {reason}"
            )
            sys.stdout.write(visible(line) + "\n")
    if not rows:
        sys.stderr.write("error: no executable blocks found\n")
        for hint in untagged_hints(loaded):
            sys.stderr.write(hint + "\n")
    return Outcome(nothing_ran=not rows)
