"""``runbook render --out DIR``: page Markdown for any engine (one ``<id>.md`` per runbook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from generator.cli._options import root_option

if TYPE_CHECKING:
    from checks.problems import Outcome


@click.command("render")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="Folder to write pages into.")
@root_option()
def command(out_dir: str, root: str) -> Outcome:
    """Write each runbook's page Markdown into DIR, mirroring the runbooks' folders."""
    import os
    import sys

    from checks.files import folder_problem
    from checks.problems import Outcome, has_errors
    from generator.cli._environ import today as environ_today
    from generator.errors import UsageError
    from generator.load.tree import load_tree, severity_scheme
    from generator.render.page import PageContext, render_runbook

    if not os.path.isdir(root):
        raise UsageError(f"runbooks root '{root}' is not a folder")
    if unwritable := folder_problem(out_dir):
        raise UsageError(f"--out {out_dir}: {unwritable}")
    result = load_tree(root)
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if has_errors(result.problems):
        click.echo(f"error: not rendering: {root} has errors", err=True)
        return Outcome(invalid=True)
    orgs = {org.id: org for org in result.orgs}
    today = environ_today()
    root_abs = os.path.abspath(root)
    total = len(result.runbooks)
    written = 0
    for n, rb in enumerate(result.runbooks, 1):
        folder = os.path.relpath(os.path.dirname(os.path.abspath(rb.path)), root_abs)
        if folder.startswith(".."):
            folder = "."
        org = orgs.get(rb.org) if rb.org is not None else None
        context = PageContext(
            org_title=org.title if org is not None else None,
            today=today,
            severity_scheme=severity_scheme(rb),
        )
        target = os.path.normpath(os.path.join(out_dir, folder, f"{rb.id}.md"))
        written += _write_if_changed(target, render_runbook(rb, context))
        if total >= 200 and (n % 100 == 0 or n == total) and sys.stderr.isatty():
            click.echo(f"\rrendered {n}/{total}", err=True, nl=n == total)
    click.echo(f"rendered {total} page(s) into {out_dir} ({written} changed)", err=True)
    return Outcome()


def _write_if_changed(path: str, text: str) -> int:
    """Write ``path`` atomically when its content changes (stable mtimes for --dirty builds)."""
    import os

    from checks.files import write_atomic

    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return 0
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    write_atomic(path, text, durable=False)
    return 1
