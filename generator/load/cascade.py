"""The ``_defaults.yaml`` cascade: a file's Document becomes a Runbook; ids are checked.

``Cascade`` reads each ``_defaults.yaml`` once and builds runbooks against the ones that
apply (nearest folder first). Ids are checked within a runbook (``check_ids``) and
across files (``unique_ids``, which needs only where each id is, so runbooks linted in
other processes are checked the same way).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from checks.model import SourceLocation, Variable
from checks.problems import Problem, Severity
from generator.load import spec
from generator.load.parse import Document, ParseCache, display_path, read_document
from generator.model import NOWHERE, Communications, Org, Runbook, Step

__all__ = ["DEFAULTS_NAMES", "Assembled", "Cascade", "Placed", "check_ids", "unique_ids"]

DEFAULTS_NAMES = ("_defaults.yaml", "_defaults.yml")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a runbook and its id are: what checking ids across files needs."""

    id: str
    path: str
    location: SourceLocation
    id_location: SourceLocation | None


@dataclass(frozen=True, slots=True)
class Assembled:
    """One runbook file after the cascade."""

    runbook: Runbook | None
    """None when the file has an error."""
    problems: tuple[Problem, ...]
    """The file's problems: schema, then ids within the runbook."""
    placed: Placed | None
    """Set with ``runbook``."""


class Cascade:
    """Builds runbooks against cached ``_defaults.yaml`` files (picklable, so worker
    processes can build with the parent's)."""

    def __init__(self, root_abs: str, cache: ParseCache | None = None) -> None:
        self.root = root_abs
        self.cache = cache
        self.problems: list[Problem] = []
        """Problems of the ``_defaults.yaml`` files read."""
        self._defaults: dict[str, tuple[Document, Org | None]] = {}
        self._by_folder: dict[str, str | None] = {}
        self._chains: dict[str, list[tuple[Document, Org | None]]] = {}

    def without_cache(self) -> Cascade:
        """A copy that builds runbooks against the ``_defaults.yaml`` files read so far and
        caches nothing: what a worker process needs."""
        copy = Cascade(self.root)
        copy.problems = list(self.problems)
        copy._defaults = dict(self._defaults)
        copy._by_folder = dict(self._by_folder)
        copy._chains = dict(self._chains)
        return copy

    def orgs(self) -> list[Org]:
        """One per ``_defaults.yaml`` read, by id."""
        return sorted((o for _, o in self._defaults.values() if o is not None), key=lambda o: o.id)

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

    def chain(self, path: str) -> list[tuple[Document, Org | None]]:
        """The ``_defaults.yaml`` files that apply to the runbook file ``path``, nearest
        first (read now if they were not yet)."""
        folder = os.path.dirname(os.path.abspath(path))
        chain = self._chains.get(folder)
        if chain is None:
            chain = self._chains[folder] = self._folder_chain(folder)
        return chain

    def _folder_chain(self, folder: str) -> list[tuple[Document, Org | None]]:
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

    def chain_key(self, path: str) -> tuple[tuple[str, bytes, str | None], ...]:
        """What the runbook in ``path`` inherits, as data: each ``_defaults.yaml`` that
        applies (path and content hash) and its organisation."""
        return tuple(
            (doc.display, doc.digest, org.id if org is not None else None)
            for doc, org in self.chain(path)
        )

    def runbook(self, path: str, doc: Document) -> Assembled:
        """The runbook in ``path`` with what it inherits, and the file's problems."""
        chain = self.chain(path)
        problems = list(doc.problems)
        if not doc.ok:
            return Assembled(None, tuple(problems), None)
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
        if any(p.severity is Severity.ERROR for p in problems):
            return Assembled(None, tuple(problems), None)
        placed = Placed(runbook.id, runbook.path, runbook.location, doc.id_location)
        return Assembled(runbook, tuple(problems), placed)


def unique_ids(loaded: Iterable[tuple[Placed, T]]) -> tuple[list[T], list[Problem]]:
    """What to keep, by path, and an error for each runbook whose id an earlier one has."""
    first: dict[str, Placed] = {}
    kept: list[T] = []
    problems: list[Problem] = []
    for placed, item in sorted(loaded, key=lambda pair: pair[0].path):
        previous = first.get(placed.id)
        if previous is not None:
            where = placed.id_location or placed.location
            message = (
                f"duplicate runbook id '{placed.id}' "
                f"(first in {previous.path}:{previous.location.line})"
            )
            problems.append(Problem(where, Severity.ERROR, message))
            continue
        first[placed.id] = placed
        kept.append(item)
    return kept, problems


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

    for section in runbook.all_sections():
        visit("section", section.id, section.location)
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
