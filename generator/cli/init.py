"""``runbook init``: set up a runbooks repository in this folder (never overwriting)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("init")
@click.option("--title", default="Runbooks", show_default=True, help="The site's name.")
@click.option("--owner", help="The owning team, inherited by every runbook.")
@click.option(
    "--dir",
    "folder",
    default=".",
    metavar="DIR",
    help="The repository's top folder (default: here).",
)
def command(title: str, owner: str | None, folder: str) -> Outcome:
    """Set up a runbooks repository in DIR: runbooks/ with a _defaults.yaml and an
    example runbook, their JSON Schemas (for editor completion), mkdocs.yml with the
    plugin, a .gitignore for the site and the caches, and a CI workflow that runs
    `runbook check`. Then `runbook build` and `runbook check` work as they are.

    Never overwrites: a file that exists is kept and listed (an existing mkdocs.yml
    without the plugin gets the line to add). Works in an existing docs repository.

    \b
    Examples:
      runbook init
      runbook init --title "Payments runbooks" --owner team-payments
    """
    from generator.cli._init import init_repository

    return init_repository(folder, title=title, owner=owner)
