"""The ``_defaults.yaml`` cascade: a file's Document becomes a Runbook; ids are checked.

``Cascade`` reads each ``_defaults.yaml`` once and builds runbooks against the ones that
apply (nearest folder first). Ids are checked within a runbook (``check_ids``) and
across files (``unique_ids``, which needs only where each id is, so runbooks linted in
other processes are checked the same way).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from checks.model import SourceLocation, Variable
from checks.problems import Problem, Severity
from generator.load.cache import ParseCache
from generator.load.document import Defaults, Document
from generator.load.parse import display_path, read_document
from generator.model import NOWHERE, Communications, Org, Runbook, Step

__all__ = [
    "DEFAULTS_NAMES",
    "Assembled",
    "Cascade",
    "Placed",
    "check_ids",
    "inherit",
    "unique_ids",
]

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
    partial: Runbook | None = None
    """When the file has errors but a runbook could still be built (every required key
    given), that runbook without the values in error: lint applies its rules to it, so one
    run reports every problem."""


class Cascade:
    """Builds runbooks against cached ``_defaults.yaml`` files (picklable, so worker
    processes can build with the parent's)."""

    def __init__(self, root_abs: str, cache: ParseCache | None = None) -> None:
        self.root = root_abs
        self.cache = cache
        self.problems: list[Problem] = []
        """Problems of the ``_defaults.yaml`` files read."""
        self._defaults: dict[str, tuple[Document[Defaults], Org | None]] = {}
        self._by_folder: dict[str, str | None] = {}
        self._chains: dict[str, list[tuple[Document[Defaults], Org | None]]] = {}

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

    def notes(self) -> list[Problem]:
        """What lint alone reports of the ``_defaults.yaml`` files read (``Document.notes``:
        a value cut at `` #``, a credential written into the file)."""
        return [note for doc, _ in self._defaults.values() for note in doc.notes]

    def defaults(
        self, path_abs: str, path: str | None = None
    ) -> tuple[Document[Defaults], Org | None]:
        """A parsed ``_defaults.yaml`` and its Org (cached)."""
        cached = self._defaults.get(path_abs)
        if cached is not None:
            return cached
        doc = read_document(path if path is not None else path_abs, Defaults, self.cache)
        self.problems.extend(doc.problems)
        org = self._org(doc, os.path.dirname(path_abs)) if doc.location is not NOWHERE else None
        self._defaults[path_abs] = (doc, org)
        return doc, org

    def _org(self, doc: Document[Defaults], folder_abs: str) -> Org:
        defaults = doc.value if doc.value is not None else Defaults()
        if _is_under(folder_abs, self.root):
            rel = os.path.relpath(folder_abs, self.root)
            org_id = "" if rel == "." else Path(rel).as_posix()
        else:
            org_id = display_path(folder_abs)
        return Org(
            id=org_id,
            title=defaults.title or os.path.basename(folder_abs) or org_id,
            summary=defaults.summary or "",
            path=doc.display,
            severities=defaults.severities,
            escalation=defaults.escalation or (),
            contacts=defaults.contacts or (),
            roles=defaults.roles or (),
            links=defaults.links or (),
            communications=defaults.communications or Communications(),
            location=doc.location,
        )

    def chain(self, path: str) -> list[tuple[Document[Defaults], Org | None]]:
        """The ``_defaults.yaml`` files that apply to the runbook file ``path``, nearest
        first (read now if they were not yet)."""
        folder = os.path.dirname(os.path.abspath(path))
        chain = self._chains.get(folder)
        if chain is None:
            chain = self._chains[folder] = self._folder_chain(folder)
        return chain

    def _folder_chain(self, folder: str) -> list[tuple[Document[Defaults], Org | None]]:
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

    def runbook(self, path: str, doc: Document[Runbook]) -> Assembled:
        """The runbook in ``path`` with what it inherits, and the file's problems."""
        chain = self.chain(path)
        problems = list(doc.problems)
        if doc.value is None:
            return Assembled(None, tuple(problems), None)
        defaults = [d.value for d, _ in chain if d.value is not None]
        org = next((o.id for _, o in chain if o is not None), None)
        runbook = inherit(doc.value, doc.given, defaults, path=doc.display, org=org)
        problems.extend(check_ids(runbook))
        if any(p.severity is Severity.ERROR for p in problems):
            return Assembled(None, tuple(problems), None, runbook)
        placed = Placed(runbook.id, runbook.path, runbook.location, doc.id_location)
        return Assembled(runbook, tuple(problems), placed)


def inherit(
    own: Runbook, given: frozenset[str], chain: Sequence[Defaults], path: str, org: str | None
) -> Runbook:
    """``own`` (a runbook file's own keys) with each key of ``spec.INHERITABLE`` it does not
    set taken from the nearest ``_defaults.yaml`` that sets it (``chain``: nearest first);
    variables merge, the runbook's own first. ``inherited`` lists the keys taken."""
    inherited: list[str] = []

    def pick(key: str, value: T, found: Iterable[T | None]) -> T:
        if key not in given:
            for candidate in found:
                if candidate is not None:
                    inherited.append(key)
                    return candidate
        return value

    def variables() -> tuple[Variable, ...]:
        merged = _merge_variables(own.variables, [d.variables or () for d in chain])
        if len(merged) > len(own.variables):
            inherited.append("variables")
        return merged

    c = chain
    # In the order of spec.INHERITABLE, which is the order of ``inherited``.
    return dataclasses.replace(
        own,
        service=pick("service", own.service, (d.service for d in c)),
        owner=pick("owner", own.owner, (d.owner for d in c)),
        tags=pick("tags", own.tags, (d.tags for d in c)),
        audience=pick("audience", own.audience, (d.audience for d in c)),
        oncall=pick("oncall", own.oncall, (d.oncall for d in c)),
        review_every=pick("review_every", own.review_every, (d.review_every for d in c)),
        lint=pick("lint", own.lint, (d.lint for d in c)),
        variables=variables(),
        severities=pick("severities", own.severities, (d.severities for d in c)),
        escalation=pick("escalation", own.escalation, (d.escalation for d in c)),
        contacts=pick("contacts", own.contacts, (d.contacts for d in c)),
        roles=pick("roles", own.roles, (d.roles for d in c)),
        links=pick("links", own.links, (d.links for d in c)),
        communications=pick("communications", own.communications, (d.communications for d in c)),
        post_incident=pick("post_incident", own.post_incident, (d.post_incident for d in c)),
        maintenance=pick("maintenance", own.maintenance, (d.maintenance for d in c)),
        path=path,
        org=org,
        inherited=tuple(inherited),
    )


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
