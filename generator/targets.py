"""TARGET -> extracted blocks: a Markdown file, a YAML runbook file or a runbook id.

YAML goes through the page renderer and is extracted from the Markdown the site shows
(what runs is what the page shows); locations are mapped back to the step's YAML line.
With ``generator.plan`` (blocks -> what a run does with each) this is the front door of
``runbook exec``, ``check``, ``list`` and the pytest plugin.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from checks.extract import Extraction, extract_file, extract_markdown
from checks.problems import Problem, Severity
from generator.errors import RunbookError

if TYPE_CHECKING:
    from generator.load.cache import ParseCache
    from generator.model import Runbook

__all__ = [
    "Target",
    "all_runbooks",
    "extract_runbook",
    "load_target",
    "load_targets",
    "untagged_hint",
    "untagged_hints",
]

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Target:
    """One loaded target: its name and its extracted blocks."""

    name: str
    extraction: Extraction


def load_targets(
    targets: Sequence[str], root: str, *, cache_dir: str | None = None
) -> list[Target]:
    """Load every target; RunbookError (exit 3) listing every located problem.
    ``cache_dir``: where Markdown pages' extractions are kept (``generator._page_cache``)."""
    loaded = [load_target(t, root, cache_dir=cache_dir) for t in targets]
    problems = [p for t in loaded for p in t.extraction.problems]
    if problems:
        raise RunbookError(problems=problems)
    return loaded


def load_target(target: str, root: str, *, cache_dir: str | None = None) -> Target:
    """One TARGET: a Markdown file, a YAML file, or a runbook id under ``root``."""
    if _is_page(target):
        # Neither the YAML loader nor the renderer; the path as resolve_target gives it.
        from generator._page_cache import extract_page

        return Target(target, extract_page(os.fspath(Path(target)), cache_dir))
    from generator.load.tree import load_file, resolve_target, runbook_in

    path = os.fspath(resolve_target(target, root))
    if path.lower().endswith(MARKDOWN_SUFFIXES):
        return Target(target, extract_file(path))
    return Target(target, extract_runbook(runbook_in(load_file(path, root), target)))


def all_runbooks(paths: Sequence[str], root: str, cache: ParseCache | None = None) -> list[Target]:
    """Every runbook under the given paths (``runbook check``); Markdown files directly.
    ``cache``: the parse cache of an earlier load of the same files (lint)."""
    out: list[Target] = []
    yaml_paths: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _, files in sorted(os.walk(path)):
                for name in sorted(files):
                    full = os.path.join(folder, name)
                    if name.lower().endswith(MARKDOWN_SUFFIXES):
                        out.append(Target(full, extract_file(full)))
                    elif name.lower().endswith(YAML_SUFFIXES) and not name.startswith("_"):
                        yaml_paths.append(full)
        elif path.lower().endswith(YAML_SUFFIXES):
            yaml_paths.append(path)
        else:
            out.append(load_target(path, root))
    if yaml_paths:
        from generator.load.tree import load_tree

        loaded = load_tree(root, yaml_paths, cache=cache)
        _raise_errors(loaded.problems)
        out.extend(Target(rb.path, extract_runbook(rb)) for rb in loaded.runbooks)
    return out


def untagged_hint(target: Target) -> str:
    """How to make a Markdown page's blocks run when it has code blocks but none with a
    block header ("" otherwise): the usual state of a page written before runbook-docs,
    which would otherwise only hear that it has no blocks."""
    count = target.extraction.untagged
    if target.extraction.checks or not count or not _is_page(target.name):
        return ""
    blocks = "code block" if count == 1 else "code blocks"
    return (
        f"hint: {target.name} has {count} {blocks}, none tagged to run: a block runs once "
        "its fence has a block header, as in ```bash {#check-memory .check} (GUIDE.md, "
        f"section 7); or make the page a YAML runbook with `runbook import {target.name}`"
    )


def untagged_hints(targets: Sequence[Target], shown: int = 3) -> list[str]:
    """``untagged_hint`` of the first ``shown`` targets it applies to, and a line for the
    rest (a folder of plain Markdown pages would otherwise print one hint per page)."""
    hints = [hint for hint in map(untagged_hint, targets) if hint]
    if len(hints) <= shown:
        return hints
    return [*hints[:shown], f"hint: and {len(hints) - shown} more pages like these"]


def _is_page(target: str) -> bool:
    """A Markdown file named by its path, as ``load.tree.resolve_target`` would take it."""
    named_as_path = target.endswith(".md") or "/" in target or os.sep in target
    return named_as_path and target.lower().endswith(MARKDOWN_SUFFIXES) and os.path.isfile(target)


def _raise_errors(problems: Sequence[Problem]) -> None:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise RunbookError(problems=errors)


def extract_runbook(runbook: Runbook) -> Extraction:
    """Render a runbook's page, extract it, and point locations back at the YAML."""
    from generator.load.tree import severity_scheme
    from generator.render.page import PageContext, render_runbook

    text = render_runbook(runbook, PageContext(severity_scheme=severity_scheme(runbook)))
    page = f"{runbook.path or runbook.id}#page"
    extraction = extract_markdown(text, page)
    steps = {runbook.block_id(s): s for s in runbook.all_steps()}
    declared = {v.name: v for v in runbook.variables}
    checks = tuple(
        replace(c, location=steps[c.id].location) if c.id in steps else c for c in extraction.checks
    )
    variables = tuple(
        replace(v, location=declared[v.name].location) if v.name in declared else v
        for v in extraction.variables
    )
    # A problem in generated Markdown is a generator bug, but still located at the runbook.
    problems = tuple(replace(p, location=runbook.location) for p in extraction.problems)
    return replace(extraction, checks=checks, variables=variables, problems=problems)
