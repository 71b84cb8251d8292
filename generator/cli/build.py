"""``runbook build``: the site into ``site/`` (MkDocs + Material through the plugin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import config_option

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("build")
@click.option("--strict", is_flag=True, help="Fail on broken links, anchors and other warnings.")
@click.option(
    "--report", metavar="FILE", help="A `runbook check --json` report: show when blocks last ran."
)
@click.option("--root", metavar="DIR", help="The runbooks folder (default: the plugin's root).")
@click.option("--site-dir", metavar="DIR", help="Where to write the site (default: site/).")
@config_option()
@click.option("--today", metavar="DATE", help="ISO date for stale badges (default: today).")
@click.option(
    "--jobs", type=click.IntRange(1, 64), metavar="N",
    help="Convert pages in N processes (default: one per core; 1 for none).",
)  # fmt: skip
@click.option("-v", "--verbose", is_flag=True, help="Show MkDocs' info messages too.")
def command(
    strict: bool,
    report: str | None,
    root: str | None,
    site_dir: str | None,
    config_file: str,
    today: str | None,
    jobs: int | None,
    verbose: bool,
) -> Outcome:
    """Build the documentation site from the runbooks.

    Exit codes: 0 built, 1 warnings under --strict, 3 invalid runbooks or configuration.
    """
    from generator.site.build import BuildOptions, run_build

    options = BuildOptions(
        config_file=config_file,
        site_dir=site_dir,
        root=root,
        strict=strict,
        report=report,
        today=today,
        verbose=verbose,
        jobs=jobs,
    )
    return run_build(options)
