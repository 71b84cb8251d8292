"""YAML runbooks -> model: find files, parse, apply the ``_defaults.yaml`` cascade, check ids.

Every problem in every file is collected (``LoadResult.problems``); a runbook with an
error is left out of ``LoadResult.runbooks``. No input raises: bad YAML, bad bytes and
bad shapes all become located problems. Conversion itself lives in ``generator.load.convert``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checks.model import SourceLocation
from checks.problems import ExitCode, Problem, Severity, did_you_mean, no_such_path
from generator.errors import RunbookError, UsageError
from generator.load.cache import ParseCache
from generator.load.cascade import DEFAULTS_NAMES, Cascade, Placed, unique_ids
from generator.load.parse import display_path, read_documents
from generator.model import (
    Org,
    Runbook,
    SeverityLevel,
    SeverityScheme,
)

__all__ = [
    "BUILTIN_SEVERITIES",
    "DEFAULTS_NAMES",
    "LoadResult",
    "find_files",
    "links_outside",
    "load_file",
    "load_runbook",
    "load_tree",
    "resolve_target",
    "severity_scheme",
    "sorted_problems",
]

YAML_SUFFIXES = (".yaml", ".yml")
_ID_LINE = re.compile(r"""^id:[ \t]*(["']?)([a-z0-9][a-z0-9-]*)\1[ \t]*(?:#.*)?$""", re.M)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading gave: valid runbooks, organisations, and every problem found."""

    runbooks: tuple[Runbook, ...] = ()
    """Runbooks without errors, sorted by path."""
    orgs: tuple[Org, ...] = ()
    """One per ``_defaults.yaml`` found."""
    problems: tuple[Problem, ...] = ()
    """Every problem in every file, in file/line order."""


# --- public API ----------------------------------------------------------------------------


def load_tree(
    root: str | os.PathLike[str] = Path("runbooks"),
    paths: Sequence[str | os.PathLike[str]] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    cache: ParseCache | None = None,
) -> LoadResult:
    """Load every runbook under ``root`` (or just ``paths``: files or folders).

    Applies the ``_defaults.yaml`` cascade and checks that runbook ids are unique.
    With ``cache_dir`` (e.g. ``.runbook-cache``), each file's parse is reused while its
    bytes and the loader's code are unchanged; or pass a ``cache`` to share between loads
    (``ParseCache(None)`` keeps parses in memory). ``jobs``: processes used to parse many
    files (None: every core from a few hundred files on; 1: this process only).
    """
    runbook_files, defaults_files = find_files(root, paths)
    runbook_files, linked = links_outside(root, runbook_files)
    defaults_files, linked_defaults = links_outside(root, defaults_files)
    if cache is None and cache_dir is not None:
        cache = ParseCache(cache_dir)
    cascade = Cascade(os.path.abspath(root), cache)
    for path in defaults_files:
        cascade.defaults(os.path.abspath(path), path)
    docs = read_documents(runbook_files, Runbook, cache, jobs)
    problems: list[Problem] = []
    loaded: list[tuple[Placed, Runbook]] = []
    for path, doc in zip(runbook_files, docs, strict=True):
        assembled = cascade.runbook(path, doc)
        problems.extend(assembled.problems)
        if assembled.runbook is not None and assembled.placed is not None:
            loaded.append((assembled.placed, assembled.runbook))
    if cache is not None:
        cache.save()
    runbooks, duplicates = unique_ids(loaded)
    return LoadResult(
        runbooks=tuple(runbooks),
        orgs=tuple(cascade.orgs()),
        problems=sorted_problems(
            [*linked, *linked_defaults, *cascade.problems, *problems, *duplicates]
        ),
    )


def find_files(
    root: str | os.PathLike[str], paths: Sequence[str | os.PathLike[str]] | None = None
) -> tuple[list[str], list[str]]:
    """The runbook files and the ``_defaults.yaml`` files under ``root`` (or ``paths``)."""
    runbook_files: list[str] = []
    defaults_files: list[str] = []
    for entry in [os.fspath(root)] if paths is None else [os.fspath(p) for p in paths]:
        if os.path.isdir(entry):
            _walk(entry, runbook_files, defaults_files)
        elif os.path.basename(entry) in DEFAULTS_NAMES:
            defaults_files.append(entry)
        elif paths is not None:
            runbook_files.append(entry)
    return runbook_files, defaults_files


def links_outside(
    root: str | os.PathLike[str], files: Sequence[str]
) -> tuple[list[str], list[Problem]]:
    """``files`` without the symbolic links to a file outside ``root``, and a problem for
    each: a link could make lint or exec read (and quote in an error) any file the user
    can read, ``/etc/shadow`` included."""
    inside = os.path.join(os.path.realpath(root), "")
    kept: list[str] = []
    problems: list[Problem] = []
    for path in files:
        if os.path.islink(path) and not os.path.realpath(path).startswith(inside):
            message = (
                f"a symbolic link to a file outside the runbooks root '{os.fspath(root)}': "
                "not followed (copy the file into the root, or link a folder inside it)"
            )
            where = SourceLocation(display_path(path), 1, 1)
            problems.append(Problem(where, Severity.ERROR, message))
        else:
            kept.append(path)
    return kept, problems


def sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    """Each problem once, in file/line order."""
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: p.location))


def load_file(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None = None,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
) -> LoadResult:
    """Load one runbook file with its ``_defaults.yaml`` cascade (root: ``./runbooks``)."""
    return load_tree(Path("runbooks") if root is None else root, [path], cache_dir=cache_dir)


def resolve_target(target: str, root: str | os.PathLike[str] = Path("runbooks")) -> Path:
    """The file for a runbook id or a ``.yaml``/``.yml``/``.md`` path; UsageError otherwise."""
    text = str(target)
    if text.endswith((*YAML_SUFFIXES, ".md")) or "/" in text or os.sep in text:
        if not os.path.isfile(text):
            raise UsageError(no_such_path(text))
        return Path(text)
    found = _scan_ids(os.fspath(root))
    ids = {ident: places[0][0] for ident, places in found.items()}
    if len(found.get(text, ())) > 1:
        _refuse_duplicate(text, found[text])
    if text in ids:
        return Path(ids[text])
    # The line scan misses ids written in flow style or quoted oddly: load to be sure.
    if os.path.isdir(root):
        for runbook in load_tree(root).runbooks:
            ids.setdefault(runbook.id, runbook.path)
        if text in ids:
            return Path(ids[text])
    hint = did_you_mean(text, ids)
    raise UsageError(f"unknown runbook '{text}' under {os.fspath(root)}{hint}")


def load_runbook(target: str, root: str | os.PathLike[str] = Path("runbooks")) -> Runbook:
    """The one runbook a CLI TARGET names (an id or a YAML file): its located errors exit 3;
    a file that holds no runbook (a ``_defaults.yaml``) is a usage error, exit 2."""
    return runbook_in(load_file(resolve_target(target, root), root), target)


def runbook_in(result: LoadResult, name: str) -> Runbook:
    """The runbook of one file's load; its located errors exit 3, none at all exits 2."""
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    if errors:
        raise RunbookError(problems=errors, exit_code=ExitCode.INVALID)
    if not result.runbooks:
        raise UsageError(f"{name}: no runbook found")
    return result.runbooks[0]


BUILTIN_SEVERITIES = SeverityScheme(
    name="builtin",
    levels=(
        SeverityLevel(
            id="SEV1",
            label="Critical",
            impact="Complete outage, data loss or a security breach; most users affected.",
            response="< 5 minutes",
            escalation=("On-call engineer", "Incident commander", "Engineering leadership"),
            update_every=1800.0,
        ),
        SeverityLevel(
            id="SEV2",
            label="High",
            impact="A major feature is down or badly degraded for many users.",
            response="< 15 minutes",
            escalation=("On-call engineer", "Incident commander"),
            update_every=3600.0,
        ),
        SeverityLevel(
            id="SEV3",
            label="Medium",
            impact="Partial degradation with a workaround; few users affected.",
            response="< 1 hour",
            escalation=("On-call engineer",),
            update_every=14400.0,
        ),
        SeverityLevel(
            id="SEV4",
            label="Low",
            impact="Minor or cosmetic issue; no real user impact.",
            response="Next business day",
            escalation=("Owning team",),
        ),
    ),
)
"""The scheme in force when neither the runbook nor a ``_defaults.yaml`` sets one."""


def severity_scheme(runbook: Runbook) -> SeverityScheme:
    """The severity scheme in force for ``runbook``: its own (or inherited) or the built-in."""
    return runbook.severities if runbook.severities is not None else BUILTIN_SEVERITIES


# --- files -------------------------------------------------------------------------------


def _walk(folder: str, runbooks: list[str], defaults: list[str]) -> None:
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name in DEFAULTS_NAMES:
                defaults.append(os.path.join(current, name))
            elif name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                runbooks.append(os.path.join(current, name))


def _scan_ids(root: str) -> dict[str, list[tuple[str, int]]]:
    """Runbook id -> (file, line) of each top-level ``id:`` line, files in walk order."""
    ids: dict[str, list[tuple[str, int]]] = {}
    runbooks: list[str] = []
    if os.path.isdir(root):
        _walk(root, runbooks, [])
    for path in runbooks:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read()
        except OSError:
            continue
        m = _ID_LINE.search(text)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            ids.setdefault(m.group(2), []).append((display_path(path), line))
    return ids


def _refuse_duplicate(ident: str, places: Sequence[tuple[str, int]]) -> None:
    """Two files with one id: running either could be the wrong one (exit 3, both named)."""
    (first, first_line), *others = sorted(places)
    problems = [
        Problem(
            SourceLocation(path, line, 1),
            Severity.ERROR,
            f"duplicate runbook id '{ident}' (first in {first}:{first_line}): "
            "give each runbook its own id, or name the file instead of the id",
        )
        for path, line in others
    ]
    raise RunbookError(problems=problems, exit_code=ExitCode.INVALID)
