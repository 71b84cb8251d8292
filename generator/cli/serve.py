"""``runbook serve``: a live-reloading site; editing a runbook's YAML rebuilds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import config_option

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("serve")
@click.option(
    "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="HOST:PORT",
    help="Where to serve.",
)  # fmt: skip
@click.option("--root", metavar="DIR", help="The runbooks folder (default: the plugin's root).")
@config_option()
@click.option(
    "--full", is_flag=True,
    help="Rebuild every page on each change (default: only pages whose Markdown changed).",
)  # fmt: skip
def command(dev_addr: str, root: str | None, config_file: str, full: bool) -> Outcome:
    """Serve the site and rebuild it when a runbook, docs/ or mkdocs.yml changes.

    Only changed pages are rebuilt, and the pages whose navigation shows the
    change (a renamed, added or removed runbook's section), so the navigation
    is never stale. Ctrl-C, TERM or HUP stops it (exit 0) and removes its
    temporary site.
    """
    from generator.site.serve import run_serve

    return run_serve(config_file=config_file, dev_addr=dev_addr, root=root, full=full)
