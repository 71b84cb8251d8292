"""The body of ``runbook init``: write what is missing, keep what exists, prove it lints."""

from __future__ import annotations

import os

import click

from checks.problems import Outcome
from generator.cli._environ import today
from generator.errors import UsageError
from generator.scaffold import EXAMPLE_ID, GITIGNORE_LINES, PLUGIN_LINE, init_files


def init_repository(folder: str, *, title: str, owner: str | None) -> Outcome:
    if not os.path.isdir(folder):
        raise UsageError(f"'{folder}' is not a folder (create it first)")
    files = init_files(site_name=title, owner=owner, today=today())
    created: list[str] = []
    kept: list[str] = []
    for relative, text in files.items():
        path = os.path.join(folder, relative)
        if os.path.lexists(path):
            kept.append(relative)
            continue
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": never over a file
            handle.write(text)
        created.append(relative)
    if not created:
        raise UsageError(f"nothing to do: every file runbook init writes exists in '{folder}'")
    for relative in created:
        click.echo(os.path.normpath(os.path.join(folder, relative)))
    notes = [f"created {len(created)} files"]
    notes += [f"kept {relative} (it exists)" for relative in kept]
    notes += _missing_lines(folder, kept)
    prefix = "" if os.path.normpath(folder) == "." else f"cd {folder} && "
    notes += [
        "next:",
        f"  {prefix}runbook lint                 # compiler-style problems, none yet",
        f"  {prefix}runbook check                # runs {EXAMPLE_ID}'s read-only checks",
        f"  {prefix}runbook build                # the site, into site/ (or: runbook serve)",
    ]
    click.echo("\n".join(notes), err=True)
    return Outcome()


def _missing_lines(folder: str, kept: list[str]) -> list[str]:
    """What to add by hand to the files that were kept."""
    notes: list[str] = []
    if "mkdocs.yml" in kept and not _has_line(os.path.join(folder, "mkdocs.yml"), "runbook"):
        notes.append(f"add the plugin to mkdocs.yml, under plugins:\n{PLUGIN_LINE}")
    if "mkdocs.yml" in kept and _has_line(os.path.join(folder, "mkdocs.yml"), "search"):
        notes.append(
            "take `- search` out of mkdocs.yml's plugins: the runbook plugin's search "
            "(Pagefind) indexes every page, and the pages would show two search boxes"
        )
    if ".gitignore" in kept:
        path = os.path.join(folder, ".gitignore")
        missing = [line for line in GITIGNORE_LINES if not _has_line(path, line)]
        if missing:
            notes.append("add to .gitignore: " + " ".join(missing))
    return notes


def _has_line(path: str, word: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.strip().lstrip("- ").strip() == word for line in handle)
    except OSError:
        return False
