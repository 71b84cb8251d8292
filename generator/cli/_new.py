"""The body of ``runbook new``: pick the folder and severity, write, prove it lints clean."""

from __future__ import annotations

import os
import sys

from checks.problems import Outcome
from generator.cli._environ import today
from generator.errors import RunbookError, UsageError
from generator.load.tree import load_file, load_tree, severity_scheme
from generator.scaffold import ID_PATTERN, TITLE_TO_WRITE, scaffold


def create_runbook(
    runbook_id: str,
    *,
    title: str | None,
    service: str | None,
    owner: str | None,
    folder: str | None,
    root: str,
) -> Outcome:
    """Write the scaffold; a usage error for a bad id or an id already taken."""
    if not ID_PATTERN.match(runbook_id):
        raise UsageError(
            f"'{runbook_id}' is not a runbook id: use lower-case letters, digits and dashes "
            "(payments-db-failover)"
        )
    folder = folder or root
    if not os.path.isdir(root):
        raise UsageError(f"runbooks root '{root}' is not a folder (create it, or give --root)")
    taken = {rb.id: rb.path for rb in load_tree(root).runbooks}
    if runbook_id in taken:
        raise UsageError(f"runbook id '{runbook_id}' is taken by {taken[runbook_id]}")
    path = os.path.join(folder, f"{runbook_id}.yaml")
    if os.path.exists(path):
        raise UsageError(f"{path} exists; not overwriting it")
    os.makedirs(folder, exist_ok=True)
    schema = os.path.relpath(os.path.join(root, "runbook.schema.json"), folder)

    def text(severity: str | None) -> str:
        return scaffold(
            runbook_id,
            title=title or TITLE_TO_WRITE,
            schema_path=schema.replace(os.sep, "/"),
            today=today(),
            severity=severity,
            service=service,
            owner=owner,
        )

    # The severity must be a level of the scheme the folder's _defaults.yaml put in force.
    _write(path, text(None))
    loaded = load_file(path, root)
    if not loaded.runbooks:
        os.unlink(path)
        raise RunbookError(problems=loaded.problems)
    levels = [level.id for level in severity_scheme(loaded.runbooks[0]).levels]
    severity = levels[min(1, len(levels) - 1)] if levels else None
    _write(path, text(severity))
    sys.stdout.write(f"{path}\n")
    sys.stderr.write(
        f"created {path} (severity {severity} of {len(levels)} levels in force)\n"
        f"next: {'edit it' if title else 'write its title, edit the rest'}, then\n"
        f"  runbook lint {path}\n"
        f"  runbook exec {runbook_id} --dry-run\n"
    )
    return Outcome()


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise RunbookError(f"cannot write {path}: {exc.strerror or exc}") from None


__all__ = ["create_runbook"]
