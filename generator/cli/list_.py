"""``runbook list [TARGET...]``: every executable block, its risk and why it would be skipped."""

from __future__ import annotations

import click

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
@click.option(
    "--root", default="runbooks", metavar="DIR", help="Runbooks root (default ./runbooks)."
)
def command(targets: tuple[str, ...], as_json: bool, root: str) -> int:
    import json
    import os
    import sys

    from checks.select import ci_skip_reason, decide_exec
    from checks.variables import resolve_variables
    from generator.cli._session import Variables, environments
    from generator.targets import all_runbooks, load_targets

    loaded = load_targets(list(targets), root) if targets else all_runbooks([root], root)
    environ = dict(os.environ)
    rows = []
    for target in loaded:
        ex = target.extraction
        resolution = resolve_variables(ex.variables, {}, {}, environ)
        envs = environments(ex.checks, Variables(ex.variables, resolution), environ)
        for check in ex.checks:
            decision = decide_exec(check, tty=False, yes=False, allow=())
            rows.append(
                {
                    "id": check.id,
                    "risk": check.risk.value,
                    "title": check.title,
                    "tags": list(check.options.tags),
                    "requires": list(check.options.requires),
                    "location": str(check.location),
                    "check_skip_reason": ci_skip_reason(
                        check, ex.variables, resolution, envs[check.id]
                    ),
                    "exec_without_tty": decision.reason or "runs",
                }
            )
    if as_json:
        sys.stdout.write(json.dumps({"version": 1, "blocks": rows}, indent=2) + "\n")
    else:
        for row in rows:
            reason = row["check_skip_reason"] or "runs in check"
            sys.stdout.write(
                f"{row['location']}: {row['id']} [{row['risk']}]"
                + (f" tags={','.join(row['tags'])}" if row["tags"] else "")
                + (f" requires={','.join(row['requires'])}" if row["requires"] else "")
                + f" -- {reason}\n"
            )
    if not rows:
        sys.stderr.write("error: no executable blocks found\n")
        return 4
    return 0
