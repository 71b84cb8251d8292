"""``runbook new ID``: scaffold a runbook that lints clean."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("new")
@click.argument("runbook_id", metavar="ID")
@click.option("--title", help="The title (default: a placeholder for you to write).")
@click.option("--service", help="The service the runbook is about.")
@click.option("--owner", help="The owning team.")
@click.option(
    "--dir",
    "folder",
    metavar="DIR",
    help="Folder to create it in (default: the runbooks root); its _defaults.yaml apply.",
)
@root_option()
def command(
    runbook_id: str,
    title: str | None,
    service: str | None,
    owner: str | None,
    folder: str | None,
    root: str,
) -> Outcome:
    """Create DIR/ID.yaml: a complete, commented runbook with a check, an action and a
    manual step to edit. `runbook lint --strict` accepts it as it is once it has a title
    (--title, or write it: until then lint points at the placeholder).

    \b
    Examples:
      runbook new payments-db-failover --title "Payments database failover"
      runbook new cache-eviction --dir runbooks/payments --service payments-api
    """
    from generator.cli._new import create_runbook

    return create_runbook(
        runbook_id, title=title, service=service, owner=owner, folder=folder, root=root
    )
