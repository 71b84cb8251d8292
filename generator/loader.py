"""YAML runbooks -> model: find files, parse, apply the ``_defaults.yaml`` cascade, check ids.

Every problem in every file is collected (``LoadResult.problems``); a runbook with an
error is left out of ``LoadResult.runbooks``. No input raises: bad YAML, bad bytes and
bad shapes all become located problems. Conversion itself lives in ``generator.convert``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.model import SourceLocation, Variable
from generator import spec
from generator.errors import Problem, Severity, UsageError, did_you_mean
from generator.model import (
    NOWHERE,
    Communications,
    Org,
    Runbook,
    SeverityLevel,
    SeverityScheme,
    Step,
)
from generator.parse import Document, ParseCache, display_path, read_document, read_documents

__all__ = [
    "BUILTIN_SEVERITIES",
    "DEFAULTS_NAMES",
    "LoadResult",
    "load_file",
    "load_tree",
    "resolve_target",
    "severity_scheme",
]

DEFAULTS_NAMES = ("_defaults.yaml", "_defaults.yml")
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
    root_abs = os.path.abspath(root)
    runbook_files: list[str] = []
    defaults_files: list[str] = []
    for entry in [os.fspath(root)] if paths is None else [os.fspath(p) for p in paths]:
        if os.path.isdir(entry):
            _walk(entry, runbook_files, defaults_files)
        elif os.path.basename(entry) in DEFAULTS_NAMES:
            defaults_files.append(entry)
        elif paths is not None:
            runbook_files.append(entry)
    if cache is None and cache_dir is not None:
        cache = ParseCache(cache_dir)
    loader = _TreeLoader(root_abs, cache)
    for path in defaults_files:
        loader.defaults(os.path.abspath(path), path)
    docs = read_documents(runbook_files, "Runbook", cache, jobs)
    runbooks = [loader.runbook(path, doc) for path, doc in zip(runbook_files, docs, strict=True)]
    if cache is not None:
        cache.save()
    return loader.finish([rb for rb in runbooks if rb is not None])


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
            raise UsageError(f"no such file: {text}")
        return Path(text)
    ids = _scan_ids(os.fspath(root))
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


def _scan_ids(root: str) -> dict[str, str]:
    """Runbook id -> file, from top-level ``id:`` lines (first file wins)."""
    ids: dict[str, str] = {}
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
            ids.setdefault(m.group(2), display_path(path))
    return ids


# --- the cascade ---------------------------------------------------------------------------


class _TreeLoader:
    """Loads runbooks against cached ``_defaults.yaml`` files."""

    def __init__(self, root_abs: str, cache: ParseCache | None = None) -> None:
        self.root = root_abs
        self.cache = cache
        self.problems: list[Problem] = []
        self._defaults: dict[str, tuple[Document, Org | None]] = {}
        self._by_folder: dict[str, str | None] = {}

    def defaults(self, path_abs: str, path: str | None = None) -> tuple[Document, Org | None]:
        """A parsed ``_defaults.yaml`` and its Org (cached)."""
        cached = self._defaults.get(path_abs)
        if cached is not None:
            return cached
        doc = read_document(path if path is not None else path_abs, "Defaults", self.cache)
        self.problems.extend(doc.problems)
        org = self._org(doc, os.path.dirname(path_abs)) if doc.location is not NOWHERE else None
        self._defaults[path_abs] = (doc, org)
        return doc, org

    def _org(self, doc: Document, folder_abs: str) -> Org:
        kw = doc.kwargs
        if _is_under(folder_abs, self.root):
            rel = os.path.relpath(folder_abs, self.root)
            org_id = "" if rel == "." else Path(rel).as_posix()
        else:
            org_id = display_path(folder_abs)
        return Org(
            id=org_id,
            title=kw.get("title") or os.path.basename(folder_abs) or org_id,
            summary=kw.get("summary", ""),
            path=doc.display,
            severities=kw.get("severities"),
            escalation=kw.get("escalation", ()),
            contacts=kw.get("contacts", ()),
            roles=kw.get("roles", ()),
            links=kw.get("links", ()),
            communications=kw.get("communications", Communications()),
            location=doc.location,
        )

    def _chain(self, path_abs: str) -> list[tuple[Document, Org | None]]:
        """The ``_defaults.yaml`` files that apply, nearest first."""
        folder = os.path.dirname(path_abs)
        folders = [folder]
        if _is_under(folder, self.root):
            while folder != self.root:
                parent = os.path.dirname(folder)
                if parent == folder:
                    break
                folder = parent
                folders.append(folder)
        chain = []
        for folder in folders:
            found = self._by_folder.get(folder, "")
            if found == "":
                found = next(
                    (
                        os.path.join(folder, n)
                        for n in DEFAULTS_NAMES
                        if os.path.isfile(os.path.join(folder, n))
                    ),
                    None,
                )
                self._by_folder[folder] = found
            if found is not None:
                chain.append(self.defaults(found, display_path(found)))
        return chain

    def runbook(
        self, path: str, doc: Document
    ) -> tuple[Runbook, SourceLocation | None, int] | None:
        """The runbook in ``path`` (None when it has errors), its id location, problem count."""
        path_abs = os.path.abspath(path)
        chain = self._chain(path_abs)
        problems = list(doc.problems)
        if not doc.ok:
            self.problems.extend(problems)
            return None
        kwargs = dict(doc.kwargs)
        inherited: list[str] = []
        for key in spec.INHERITABLE:
            if key == "variables":
                merged = _merge_variables(
                    kwargs.get(key, ()), [d.kwargs.get(key, ()) for d, _ in chain]
                )
                if len(merged) > len(kwargs.get(key, ())):
                    inherited.append(key)
                if merged:
                    kwargs[key] = merged
                continue
            if key in doc.given:
                continue
            for defaults, _ in chain:
                if key in defaults.kwargs:
                    kwargs[key] = defaults.kwargs[key]
                    inherited.append(key)
                    break
        org = next((o.id for _, o in chain if o is not None), None)
        runbook = Runbook(
            **kwargs,
            path=doc.display,
            org=org,
            inherited=tuple(inherited),
            location=doc.location,
        )
        problems.extend(check_ids(runbook))
        self.problems.extend(problems)
        if any(p.severity is Severity.ERROR for p in problems):
            return None
        return runbook, doc.id_location, len(problems)

    def finish(self, loaded: Iterable[tuple[Runbook, SourceLocation | None, int]]) -> LoadResult:
        """Check ids across files and assemble the result."""
        first: dict[str, Runbook] = {}
        runbooks: list[Runbook] = []
        for runbook, id_location, _ in sorted(loaded, key=lambda item: item[0].path):
            previous = first.get(runbook.id)
            if previous is not None:
                where = id_location or runbook.location
                message = (
                    f"duplicate runbook id '{runbook.id}' "
                    f"(first in {previous.path}:{previous.location.line})"
                )
                self.problems.append(Problem(where, Severity.ERROR, message))
                continue
            first[runbook.id] = runbook
            runbooks.append(runbook)
        orgs = sorted((o for _, o in self._defaults.values() if o is not None), key=lambda o: o.id)
        return LoadResult(
            runbooks=tuple(runbooks),
            orgs=tuple(orgs),
            problems=tuple(sorted(dict.fromkeys(self.problems), key=lambda p: p.location)),
        )


def _is_under(path_abs: str, root_abs: str) -> bool:
    return path_abs == root_abs or path_abs.startswith(root_abs.rstrip(os.sep) + os.sep)


def _merge_variables(
    own: tuple[Variable, ...], inherited: list[tuple[Variable, ...]]
) -> tuple[Variable, ...]:
    """The runbook's variables, then inherited ones it does not redefine (nearest first)."""
    out = list(own)
    seen = {v.name for v in own}
    for level in inherited:
        for variable in level:
            if variable.name not in seen:
                seen.add(variable.name)
                out.append(variable)
    return tuple(out)


# --- ids within a runbook --------------------------------------------------------------------


def check_ids(runbook: Runbook) -> list[Problem]:
    """Duplicate step ids (scenarios and post-incident included) and section/scenario ids."""
    problems: list[Problem] = []
    steps: dict[str, Step] = {}
    for step in runbook.all_steps():
        first = steps.setdefault(step.id, step)
        if first is not step:
            problems.append(_duplicate("step", step.id, step.location, first.location))
    places: dict[str, tuple[str, SourceLocation]] = {}

    def visit(kind: str, ident: str, location: SourceLocation) -> None:
        first = places.setdefault(ident, (kind, location))
        if first[1] is not location:
            problems.append(_duplicate(kind, ident, location, first[1], first[0]))

    def walk(sections: Iterable[Any]) -> None:
        for section in sections:
            visit("section", section.id, section.location)
            walk(section.sections)

    walk(runbook.sections)
    for scenario in runbook.scenarios:
        visit("scenario", scenario.id, scenario.location)
    return problems


def _duplicate(
    kind: str, ident: str, where: SourceLocation, first: SourceLocation, first_kind: str = ""
) -> Problem:
    at = f"line {first.line}" if first.path == where.path else str(first)
    if first_kind and first_kind != kind:
        message = f"{kind} id '{ident}' is already used by a {first_kind} ({at})"
    else:
        message = f"duplicate {kind} id '{ident}' (first at {at})"
    return Problem(where, Severity.ERROR, message)
