"""Rules over loaded runbooks: located problems, never printed here.

``lint_tree`` loads (schema problems come from the loader), then applies the rules
(``generator.lint.rules``, ``generator.lint.shell``; in batches, ``generator.lint.batch``):

- ``undeclared-variable`` (error): a command reads ``$NAME`` that no ``variables:`` entry,
  fixed ``env`` or assignment in the block provides;
- ``bash-syntax`` (error): ``bash -n`` rejects a bash step (one call for many steps,
  cached by content);
- ``unknown-severity`` (error): a severity that is not a level of the scheme in force;
- ``comms-template`` (error): a template that does not parse, reads an unknown name or
  cannot render its example;
- ``credential`` (error): an access key, token, webhook URL or private key written in the
  file, which the site would publish (found by the loader, ``generator.load.credentials``);
- ``strict-exit-status`` (warning): ``$?`` tested after a command that strict bash
  (``-e``) already stopped on;
- ``placeholder`` (warning): ``xxxxx``, ``[Your contact]``, ``<commit-sha>``, ``TODO``
  left in text or commands;
- ``stale-review`` (warning): ``last_reviewed`` older than ``review_every`` (today comes
  from the CLI: ``RUNBOOK_TODAY``);
- ``lint-allow`` (warning): ``lint.allow`` names a rule that does not exist or cannot be
  allowed;
- ``cut-by-comment`` (warning): an unquoted value with `` #word`` in it, which YAML cut
  there (the rest of the line is a comment; found by the loader,
  ``generator.load.comments``).

A file with schema errors is linted too when its runbook can still be built (the values in
error left out), so one run reports every problem.

A warning whose rule is in the runbook's ``lint.allow`` is kept apart (``allowed``), so
``runbook lint --verbose`` still shows every deliberate exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from checks.model import Check, SourceLocation
from checks.problems import Problem, Severity
from checks.shell.syntax import SyntaxCache
from generator._workers import gc_paused, worker_count
from generator.lint._cache import LintCache
from generator.lint.batch import (
    FileLint,
    Linter,
    Source,
    lint_documents,
    lint_sources,
    source_document,
)
from generator.lint.rules import ALLOWABLE, RULES, control_problem
from generator.lint.shell import ShellBlock, markdown_block, shell_problems
from generator.load.cache import ParseCache
from generator.load.cascade import Cascade, unique_ids
from generator.load.credentials import literal_credentials
from generator.load.document import Document
from generator.load.parse import display_path, file_digest, read_bytes
from generator.load.tree import find_files, links_outside, sorted_problems
from generator.model import Runbook

__all__ = ["ALLOWABLE", "RULES", "LintOptions", "LintResult", "lint_tree"]

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
    jobs: int | None = None
    """Worker processes for the files not in the cache; None: every core from
    ``workers.PARALLEL_MIN_FILES`` files on; 1: this process only."""


@dataclass(frozen=True, slots=True)
class LintResult:
    problems: tuple[Problem, ...]
    """What to report, in file/line order."""
    allowed: tuple[Problem, ...]
    """Warnings a ``lint.allow`` accepted."""
    files: int
    """Runbook files (YAML or Markdown) looked at, those with errors included."""


def lint_tree(
    root: str | os.PathLike[str],
    paths: Sequence[str | os.PathLike[str]] | None = None,
    options: LintOptions | None = None,
) -> LintResult:
    """Lint every runbook under ``root`` (or only ``paths``: files or folders).

    A file whose result is in the lint cache is only read and hashed. The others are
    parsed and linted in batches: in worker processes when there are many (each sends
    back a ``FileLint``), else in this one; ids across files are checked here."""
    options = options or LintOptions()
    names = None if paths is None else [os.fspath(p) for p in paths]
    markdown = [p for p in names or () if p.endswith(MARKDOWN_SUFFIXES)]
    parse_cache = options.parse_cache
    if parse_cache is None and options.cache_dir is not None:
        parse_cache = ParseCache(options.cache_dir)
    runbook_files: list[str] = []
    defaults_files: list[str] = []
    yaml_paths = None if names is None else [p for p in names if p not in markdown]
    if yaml_paths is None or yaml_paths:
        runbook_files, defaults_files = find_files(root, yaml_paths)
    runbook_files, linked = links_outside(root, runbook_files)
    defaults_files, linked_defaults = links_outside(root, defaults_files)
    cascade = Cascade(os.path.abspath(root), parse_cache)
    for path in defaults_files:
        cascade.defaults(os.path.abspath(path), path)
    syntax = SyntaxCache(options.cache_dir) if options.cache_dir is not None else None
    linter = Linter(cascade, options.today, options.bash, syntax)
    lints = _lint_files(
        runbook_files,
        linter,
        LintCache(options.cache_dir, options.today, options.bash),
        parse_cache,
        options.jobs,
    )
    if parse_cache is not None and (yaml_paths is None or yaml_paths):
        parse_cache.save()
    kept, duplicates = unique_ids((lint.placed, lint) for lint in lints if lint.placed)
    problems = [*linked, *linked_defaults, *cascade.problems, *cascade.notes(), *duplicates]
    problems.extend(p for lint in lints for p in lint.problems)
    found = [(p, frozenset[str]()) for p in sorted_problems(problems)]
    found.extend((p, lint.allow) for lint in kept for p in lint.found)
    found.extend((p, lint.allow) for lint in lints if not lint.placed for p in lint.found)
    found.extend(_markdown_problems(markdown, options.bash, syntax))
    if syntax is not None:
        syntax.save()
    reported, allowed = _split(found)
    return LintResult(reported, allowed, len(lints) + len(markdown))


def _lint_files(
    paths: Sequence[str],
    linter: Linter,
    cache: LintCache,
    parse_cache: ParseCache | None,
    jobs: int | None,
) -> list[FileLint]:
    """A FileLint per runbook file, in order: from the lint cache, else parsed (parse
    cache, else worker processes or this one) and linted."""
    out: list[FileLint | None] = [None] * len(paths)
    keys = [b""] * len(paths)
    chains: list[tuple[tuple[str, bytes, str | None], ...]] = [()] * len(paths)
    parsed: list[tuple[int, Document[Runbook]]] = []
    sources: list[tuple[int, Source]] = []
    caching = cache.path is not None or parse_cache is not None
    # With nothing cached yet (a first run), reading and hashing every file here only to
    # miss would be serial work: the processes that parse the files read and hash them.
    look_up = bool(cache.entries) or (parse_cache is not None and not parse_cache.empty())
    for index, path in enumerate(paths):
        if caching:
            chains[index] = linter.cascade.chain_key(path)  # reads the defaults it inherits
        else:
            linter.cascade.chain(path)  # reads the _defaults.yaml files it inherits
        display = display_path(path)
        if not look_up:  # the process that parses the file reads it
            sources.append((index, Source(path, display, None, b"", _size(path))))
            continue
        data = read_bytes(path, display)
        if isinstance(data, Problem):
            out[index] = FileLint((data,), None)
            continue
        digest = file_digest(data)
        keys[index] = cache.key(display, digest, chains[index])
        out[index] = cache.get(keys[index])
        if out[index] is not None:
            continue
        doc = (
            parse_cache.get(("Runbook", display, digest), Runbook)
            if parse_cache is not None
            else None
        )
        if doc is not None:
            parsed.append((index, doc))
        else:
            sources.append((index, Source(path, display, data, digest, len(data))))
    workers = worker_count(len(sources), jobs)
    keep_parsed = parse_cache is not None
    results = None
    if workers >= 2:
        folder = parse_cache.shared_folder() if parse_cache is not None else None
        results = lint_sources(
            linter, [s for _, s in sources], workers, keep_parsed, folder, hashed=caching
        )
    if results is None:
        with gc_paused():
            for index, s in sources:
                doc = source_document(s, hashed=caching)
                if parse_cache is not None and doc.digest:
                    parse_cache.put(("Runbook", s.display, doc.digest), doc)
                parsed.append((index, doc))
                if doc.digest and not keys[index]:
                    keys[index] = cache.key(s.display, doc.digest, chains[index])
    else:
        for (index, s), (lint, pickled, digest) in zip(sources, results, strict=True):
            out[index] = lint
            if not digest:
                continue  # not read, or no caches
            keys[index] = keys[index] or cache.key(s.display, digest, chains[index])
            if parse_cache is not None:
                parsed_key = ("Runbook", s.display, digest)
                if pickled:
                    parse_cache.put(parsed_key, pickled)
                else:
                    parse_cache.written(parsed_key)  # the worker wrote its entry
    lints = lint_documents(linter, [(paths[index], doc) for index, doc in parsed])
    for (index, _), lint in zip(parsed, lints, strict=True):
        out[index] = lint
    for key, result in zip(keys, out, strict=True):
        if key and result is not None:
            cache.put(key, result)
    cache.save()
    return [lint for lint in out if lint is not None]


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # the process that reads it reports why


def _markdown_problems(
    paths: Sequence[str], bash: str, syntax: SyntaxCache | None
) -> list[tuple[Problem, frozenset[str]]]:
    """Block header problems and the shell rules of Markdown runbooks."""
    if not paths:
        return []
    from checks.extract import extract_bytes  # only for Markdown runbooks

    found: list[tuple[Problem, frozenset[str]]] = []
    blocks: list[ShellBlock] = []
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        extraction = extract_bytes(data, path)
        found.extend((p, frozenset()) for p in extraction.problems)
        with contextlib.suppress(UnicodeDecodeError):  # a problem of the extraction's
            text = data.decode("utf-8-sig")
            found.extend((p, frozenset()) for p in literal_credentials(text, path))
        declared = frozenset(v.name for v in extraction.variables)
        for check in extraction.checks:
            control = control_problem(f"block '{check.id}'", check.command, _below(check))
            if control is not None:
                found.append((control, frozenset()))
            block = markdown_block(check, declared)
            if block is not None:
                blocks.append(block)
            declared |= frozenset(check.options.outputs)  # set for the blocks after it
    if blocks:
        problems = shell_problems(blocks, bash=bash, cache=syntax)
        found.extend((p, frozenset()) for own in problems for p in own)
    return found


def _below(check: Check) -> Callable[[int, int], SourceLocation]:
    """(line, col) in a fenced block's text -> its place in the file (below the fence)."""
    where = check.location
    return lambda line, col: SourceLocation(where.path, where.line + 1 + line, col + 1)


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
