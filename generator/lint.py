"""Rules over loaded runbooks: located problems, never printed here.

``lint_tree`` loads (schema problems come from the loader), then applies the rules:

- ``undeclared-variable`` (error): a command reads ``$NAME`` that no ``variables:`` entry,
  fixed ``env`` or assignment in the block provides;
- ``bash-syntax`` (error): ``bash -n`` rejects a bash step (one call for many steps,
  cached by content);
- ``unknown-severity`` (error): a severity that is not a level of the scheme in force;
- ``comms-template`` (error): a template that does not parse, reads an unknown name or
  cannot render its example;
- ``strict-exit-status`` (warning): ``$?`` tested after a command that strict bash
  (``-e``) already stopped on;
- ``placeholder`` (warning): ``xxxxx``, ``[Your contact]``, ``<commit-sha>``, ``TODO``
  left in text or commands;
- ``stale-review`` (warning): ``last_reviewed`` older than ``review_every`` (today comes
  from the CLI: ``RUNBOOK_TODAY``);
- ``lint-allow`` (warning): ``lint.allow`` names a rule that does not exist or cannot be
  allowed.

A warning whose rule is in the runbook's ``lint.allow`` is kept apart (``allowed``), so
``runbook lint --verbose`` still shows every deliberate exception.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from checks.extract import extract_file
from checks.model import SourceLocation
from generator.comms import check_template
from generator.errors import Problem, Severity, did_you_mean
from generator.lint_cache import LintCache
from generator.lint_placeholders import placeholder_problems
from generator.lint_shell import (
    ShellBlock,
    markdown_block,
    runbook_blocks,
    shell_problems,
)
from generator.loader import LoadResult, load_tree, severity_scheme
from generator.model import Runbook, Section
from generator.parse import ParseCache

__all__ = ["ALLOWABLE", "RULES", "LintOptions", "LintResult", "lint_tree"]

RULES: dict[str, Severity] = {
    "schema": Severity.ERROR,
    "block": Severity.ERROR,
    "undeclared-variable": Severity.ERROR,
    "bash-syntax": Severity.ERROR,
    "unknown-severity": Severity.ERROR,
    "comms-template": Severity.ERROR,
    "strict-exit-status": Severity.WARNING,
    "placeholder": Severity.WARNING,
    "stale-review": Severity.WARNING,
    "lint-allow": Severity.WARNING,
}
"""Every rule and its severity (``--strict`` makes warnings errors)."""
ALLOWABLE = frozenset(r for r, s in RULES.items() if s is Severity.WARNING)
"""Rules ``lint.allow`` may accept: warnings only; an error is never waved through."""

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True, slots=True)
class LintOptions:
    """What the environment decides, passed down by the CLI."""

    today: dt.date | None = None
    """For ``stale-review``; None skips the rule."""
    cache_dir: str | None = None
    """Parse, ``bash -n`` and result caches; None caches nothing."""
    bash: str = "bash"
    parse_cache: ParseCache | None = None
    """A parse cache to share with a later load (``runbook check``); default: one on
    ``cache_dir``."""


@dataclass(frozen=True, slots=True)
class LintResult:
    problems: tuple[Problem, ...]
    """What to report, in file/line order."""
    allowed: tuple[Problem, ...]
    """Warnings a ``lint.allow`` accepted."""
    files: int
    """Runbook files (YAML or Markdown) looked at."""


def lint_tree(
    root: str | os.PathLike[str],
    paths: Sequence[str | os.PathLike[str]] | None = None,
    options: LintOptions | None = None,
) -> LintResult:
    """Lint every runbook under ``root`` (or only ``paths``: files or folders)."""
    options = options or LintOptions()
    names = None if paths is None else [os.fspath(p) for p in paths]
    markdown = [p for p in names or () if p.endswith(MARKDOWN_SUFFIXES)]
    parse_cache = options.parse_cache
    if parse_cache is None and options.cache_dir is not None:
        parse_cache = ParseCache(options.cache_dir)
    if names is None:
        loaded = load_tree(root, cache=parse_cache)
    else:
        yaml_paths = [p for p in names if not p.endswith(MARKDOWN_SUFFIXES)]
        loaded = load_tree(root, yaml_paths, cache=parse_cache) if yaml_paths else LoadResult()
    found: list[tuple[Problem, frozenset[str]]] = [(p, frozenset()) for p in loaded.problems]
    cache = LintCache(options)
    # Runbooks not in the cache: their own problems so far, and their shell blocks.
    pending: list[tuple[Runbook, bytes, list[Problem], list[ShellBlock]]] = []
    memo: dict[int, list[Problem]] = {}
    for runbook in loaded.runbooks:
        key = cache.key(runbook)
        cached = cache.get(key)
        if cached is not None:
            found.extend((p, frozenset(runbook.lint.allow)) for p in cached)
            continue
        problems = runbook_problems(runbook, options.today, memo)
        pending.append((runbook, key, problems, runbook_blocks(runbook)))
    markdown_blocks: list[ShellBlock] = []
    for path in markdown:
        extraction = extract_file(path)
        found.extend(
            (Problem(p.location, Severity.ERROR, p.message, "block"), frozenset())
            for p in extraction.problems
        )
        declared = frozenset(v.name for v in extraction.variables)
        for check in extraction.checks:
            block = markdown_block(check, declared)
            if block is not None:
                markdown_blocks.append(block)
    blocks = [b for *_, own in pending for b in own] + markdown_blocks
    per_block = iter(shell_problems(blocks, bash=options.bash, cache_dir=options.cache_dir))
    for runbook, key, problems, own in pending:
        for _ in own:
            problems.extend(next(per_block))
        cache.put(key, problems)
        found.extend((p, frozenset(runbook.lint.allow)) for p in problems)
    found.extend((p, frozenset()) for rest in per_block for p in rest)
    cache.save()
    reported, allowed = _split(found)
    return LintResult(reported, allowed, len(loaded.runbooks) + len(markdown))


def _split(
    found: Iterable[tuple[Problem, frozenset[str]]],
) -> tuple[tuple[Problem, ...], tuple[Problem, ...]]:
    """Reported and allowed problems, each once (inherited parts are seen per runbook):
    a problem is allowed only when every runbook that shows it allows its rule."""
    verdict: dict[Problem, bool] = {}
    for problem, allow in found:
        ok = problem.severity is Severity.WARNING and problem.rule in allow
        verdict[problem] = verdict.get(problem, True) and ok
    order = sorted(verdict, key=lambda p: (p.location, p.message))
    return (
        tuple(p for p in order if not verdict[p]),
        tuple(p for p in order if verdict[p]),
    )


# --- per runbook ---------------------------------------------------------------------------


def runbook_problems(
    runbook: Runbook, today: dt.date | None, memo: dict[int, list[Problem]] | None = None
) -> list[Problem]:
    """Every rule except the shell ones: severities, reviews, placeholders, templates.

    Pass one ``memo`` for all the runbooks of a run (see ``placeholder_problems``)."""
    problems = _severity_problems(runbook)
    problems.extend(_review_problems(runbook, today))
    problems.extend(placeholder_problems(runbook, {} if memo is None else memo))
    problems.extend(_allow_problems(runbook))
    for template in runbook.communications.templates:
        problems.extend(check_template(runbook, template))
    return problems


def _severity_problems(runbook: Runbook) -> list[Problem]:
    scheme = severity_scheme(runbook)
    known = [level.id for level in scheme.levels]
    where: list[tuple[str, str, SourceLocation]] = []
    if runbook.severity is not None:
        where.append(("runbook", runbook.severity, runbook.location))
    for section in _sections(runbook.sections):
        if section.severity is not None:
            where.append((f"section '{section.id}'", section.severity, section.location))
    for scenario in runbook.scenarios:
        if scenario.severity is not None:
            where.append((f"scenario '{scenario.id}'", scenario.severity, scenario.location))
    return [
        Problem(
            location,
            Severity.ERROR,
            f"{what}: severity '{value}' is not a level of the scheme '{scheme.name}' "
            f"({', '.join(known)}){did_you_mean(value, known)}",
            "unknown-severity",
        )
        for what, value, location in where
        if value not in known
    ]


def _review_problems(runbook: Runbook, today: dt.date | None) -> list[Problem]:
    if today is None or runbook.review_every is None:
        return []
    every = _days(runbook.review_every)
    due = runbook.review_due()
    if not runbook.last_reviewed:
        message = f"never reviewed (review_every: {every}): set last_reviewed after a review"
    elif due is None:
        return []  # not an ISO date: the loader already said so
    elif (runbook.reviewed_on() or today) > today:
        message = f"last_reviewed {runbook.last_reviewed} is in the future (today is {today})"
    elif due < today:
        message = (
            f"stale: last reviewed {runbook.last_reviewed}, review was due {due.isoformat()} "
            f"(review_every: {every})"
        )
    else:
        return []
    return [Problem(runbook.location, Severity.WARNING, message, "stale-review")]


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:g}d" if days >= 1 else f"{seconds:g}s"


def _allow_problems(runbook: Runbook) -> list[Problem]:
    out = []
    for rule in runbook.lint.allow:
        if rule in ALLOWABLE:
            continue
        if rule in RULES:
            message = f"lint.allow: '{rule}' is an error and cannot be allowed"
        else:
            message = f"lint.allow: unknown rule '{rule}'{did_you_mean(rule, ALLOWABLE)}"
        out.append(Problem(runbook.lint.location, Severity.WARNING, message, "lint-allow"))
    return out


def _sections(sections: Iterable[Section]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from _sections(section.sections)
