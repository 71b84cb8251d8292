"""``runbook check [PATHS...]``: CI. Lint, then every eligible ``.check`` block; no prompts."""

from __future__ import annotations

import click


@click.command("check")
@click.argument("paths", nargs=-1)
@click.option("--json", "json_path", metavar="FILE", help="Write a JSON report.")
@click.option("--junit", "junit_path", metavar="FILE", help="Write a JUnit XML report.")
@click.option("--transcript", metavar="FILE", help="Append every event as a JSON line.")
@click.option("--jobs", default=1, type=click.IntRange(1, 64), help="Run up to N blocks at once.")
@click.option(
    "--timeout", "default_timeout", default=300.0, type=float, help="Default block timeout (s)."
)
@click.option(
    "--root", default="runbooks", metavar="DIR", help="Runbooks root (default ./runbooks)."
)
def command(
    paths: tuple[str, ...],
    json_path: str | None,
    junit_path: str | None,
    transcript: str | None,
    jobs: int,
    default_timeout: float,
    root: str,
) -> int:
    """Run every eligible read-only check of PATHS (default: the runbooks root).

    A check runs only when every `requires` entry exists, every variable it reads has
    a value and `ci` is not false; otherwise it is skipped with the reason.
    Exit 4 when nothing ran.
    """
    from generator.commands._check_run import run_ci_checks

    return run_ci_checks(
        paths or (root,),
        root=root,
        json_path=json_path,
        junit_path=junit_path,
        transcript=transcript,
        jobs=jobs,
        default_timeout=default_timeout,
    )
