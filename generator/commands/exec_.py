"""``runbook exec TARGET``: run a runbook's blocks during an incident."""

from __future__ import annotations

import click


@click.command("exec")
@click.argument("target")
@click.option(
    "--section", "section", metavar="ID", help="Run the blocks of this section or scenario."
)
@click.option(
    "--step", "steps", multiple=True, metavar="ID", help="Run this step (full or step id)."
)
@click.option("--tag", "tags", multiple=True, metavar="T", help="Only blocks with this tag.")
@click.option("--walk", is_flag=True, help="Go through every block, asking run/skip/quit.")
@click.option("--var", "var_options", multiple=True, metavar="K=V", help="Set a variable.")
@click.option(
    "--env-file", metavar="FILE", help="KEY=VALUE lines (after --var, before the environment)."
)
@click.option("--dry-run", is_flag=True, help="Show the blocks and variable values; run nothing.")
@click.option("--yes", is_flag=True, help="Answer yes to action prompts.")
@click.option(
    "--allow",
    "allow",
    multiple=True,
    type=click.Choice(["action", "destructive"]),
    help="Run blocks of this risk without a TTY (destructive with --yes: without typing the id).",
)
@click.option("--jobs", default=1, type=click.IntRange(1, 64), help="Run up to N blocks at once.")
@click.option("--keep-going", is_flag=True, help="Run the rest after a failure.")
@click.option("--json", "json_path", metavar="FILE", help="Write a JSON report.")
@click.option("--junit", "junit_path", metavar="FILE", help="Write a JUnit XML report.")
@click.option("--transcript", metavar="FILE", help="Append every event as a JSON line.")
@click.option(
    "--timeout", "default_timeout", default=600.0, type=float, help="Default block timeout (s)."
)
@click.option("--grace", default=2.0, type=float, help="Seconds between TERM and KILL.")
@click.option("--root", default="runbooks", metavar="DIR", help="Where runbook ids resolve.")
def command(
    target: str,
    section: str | None,
    steps: tuple[str, ...],
    tags: tuple[str, ...],
    walk: bool,
    var_options: tuple[str, ...],
    env_file: str | None,
    dry_run: bool,
    yes: bool,
    allow: tuple[str, ...],
    jobs: int,
    keep_going: bool,
    json_path: str | None,
    junit_path: str | None,
    transcript: str | None,
    default_timeout: float,
    grace: float,
    root: str,
) -> int:
    """Run TARGET's blocks (a runbook id, a YAML or a Markdown file).

    With no selection, runs the read-only .check blocks and lists the rest.
    """
    from generator.commands._exec_run import ExecRequest, run_exec

    return run_exec(
        ExecRequest(
            target=target,
            section=section,
            steps=steps,
            tags=tags,
            walk=walk,
            var_options=var_options,
            env_file=env_file,
            dry_run=dry_run,
            yes=yes,
            allow=allow,
            jobs=jobs,
            keep_going=keep_going,
            json_path=json_path,
            junit_path=junit_path,
            transcript=transcript,
            default_timeout=default_timeout,
            grace=grace,
            root=root,
        )
    )
