"""TARGET -> extracted blocks: a Markdown file, a YAML runbook file or a runbook id.

YAML goes through the page renderer and is extracted from the Markdown the site shows
(what runs is what the page shows); locations are mapped back to the step's YAML line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from checks.extract import Extraction, ExtractProblem, extract_file, extract_markdown
from generator.errors import ExitCode, Problem, RunbookError, Severity, UsageError

MARKDOWN_SUFFIXES = (".md", ".markdown")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Target:
    """One loaded target: its name and its extracted blocks."""

    name: str
    extraction: Extraction


def to_problem(problem: ExtractProblem) -> Problem:
    """An extraction problem as the CLI prints it."""
    return Problem(problem.location, Severity.ERROR, problem.message, rule="block")


def load_targets(targets: Sequence[str], root: str) -> list[Target]:
    """Load every target; RunbookError (exit 3) listing every located problem."""
    loaded = [load_target(t, root) for t in targets]
    problems = [to_problem(p) for t in loaded for p in t.extraction.problems]
    if problems:
        raise RunbookError(problems=problems, exit_code=ExitCode.INVALID)
    return loaded


def load_target(target: str, root: str) -> Target:
    """One TARGET, by file suffix or as a runbook id under ``root``."""
    lower = target.lower()
    if lower.endswith(MARKDOWN_SUFFIXES):
        if not os.path.isfile(target):
            raise UsageError(f"{target}: no such file")
        return Target(target, extract_file(target))
    if lower.endswith(YAML_SUFFIXES):
        if not os.path.isfile(target):
            raise UsageError(f"{target}: no such file")
        return Target(target, extract_runbook(_load_yaml(target, root)))
    return Target(target, extract_runbook(_resolve_id(target, root)))


def all_runbooks(paths: Sequence[str], root: str) -> list[Target]:
    """Every runbook under the given paths (``runbook check``); Markdown files directly."""
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
        else:
            out.append(load_target(path, root))
    for path in yaml_paths:
        out.append(Target(path, extract_runbook(_load_yaml(path, root))))
    return out


def _loader() -> Any:
    import importlib

    try:
        loader = importlib.import_module("generator.loader")
    except ImportError:
        raise UsageError("YAML runbooks need generator.loader, which is not installed") from None
    return loader


def _load_yaml(path: str, root: str) -> Any:
    result = _loader().load_file(path, root)
    return _single_runbook(result, path)


def _resolve_id(target: str, root: str) -> Any:
    loader = _loader()
    if not hasattr(loader, "resolve_target"):
        raise UsageError(f"unknown target '{target}' (give a .md or .yaml file)")
    return _single_runbook(loader.resolve_target(target, root), target)


def _single_runbook(result: Any, name: str) -> Any:
    """Accept a Runbook or a LoadResult-like object; raise on its problems."""
    problems = list(getattr(result, "problems", ()) or ())
    errors = [p for p in problems if getattr(p, "severity", Severity.ERROR) is Severity.ERROR]
    if errors:
        raise RunbookError(problems=errors, exit_code=ExitCode.INVALID)
    runbooks = getattr(result, "runbooks", None)
    if runbooks is None:
        return getattr(result, "runbook", result)
    if not runbooks:
        raise UsageError(f"{name}: no runbook found")
    return runbooks[0]


def extract_runbook(runbook: Any) -> Extraction:
    """Render a runbook's page, extract it, and point locations back at the YAML."""
    import importlib

    render: Any = importlib.import_module("generator.render")
    context = render.PageContext() if hasattr(render, "PageContext") else None
    text = (
        render.render_runbook(runbook, context)
        if context is not None
        else render.render_runbook(runbook)
    )
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
