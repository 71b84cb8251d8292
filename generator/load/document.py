"""What reading one file gives, before the cascade: a ``Document`` holding the file's own
object (a ``Runbook`` of its own keys, or the ``Defaults`` of a ``_defaults.yaml``), its
problems and where things are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar, cast

from checks.model import SourceLocation, Variable
from checks.problems import Problem
from generator.model import (
    NOWHERE,
    Communications,
    Contact,
    EscalationLevel,
    Link,
    LintConfig,
    Maintenance,
    PostIncident,
    Role,
    Runbook,
    SeverityScheme,
)

__all__ = ["AnyDocument", "Defaults", "Document", "FileObject", "of_kind"]


@dataclass(frozen=True, slots=True)
class Defaults:
    """What one ``_defaults.yaml`` sets: its organisation page's title and summary, and the
    values the runbooks below it inherit (``generator.load.spec.INHERITABLE``). None: not
    set (a value the file gives is never None)."""

    title: str | None = None
    summary: str | None = None
    service: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] | None = None
    audience: str | None = None
    oncall: str | None = None
    review_every: float | None = None
    lint: LintConfig | None = None
    variables: tuple[Variable, ...] | None = None
    severities: SeverityScheme | None = None
    escalation: tuple[EscalationLevel, ...] | None = None
    contacts: tuple[Contact, ...] | None = None
    roles: tuple[Role, ...] | None = None
    links: tuple[Link, ...] | None = None
    communications: Communications | None = None
    post_incident: PostIncident | None = None
    maintenance: Maintenance | None = None
    location: SourceLocation = NOWHERE


FileObject = TypeVar("FileObject", Runbook, Defaults)
"""What a file holds: a runbook, or a ``_defaults.yaml``."""


@dataclass(frozen=True, slots=True)
class Document(Generic[FileObject]):
    """One file, read and converted, before the cascade."""

    display: str
    problems: tuple[Problem, ...]
    value: FileObject | None = None
    """The file's object, when it could be built (a mapping with every required key): a
    ``Runbook`` of the file's own keys (nothing inherited, no ``path`` yet), or its
    ``Defaults``."""
    given: frozenset[str] = frozenset()
    """Top-level keys the file sets (valid or not)."""
    location: SourceLocation = NOWHERE
    id_location: SourceLocation | None = None
    digest: bytes = b""
    """A hash of the file's bytes (empty when it could not be read): with ``display``,
    what the Document is a function of."""
    notes: tuple[Problem, ...] = ()
    """Warnings only lint reports (``generator.load.comments``: text a `` #`` cut short)."""


AnyDocument: TypeAlias = "Document[Runbook] | Document[Defaults]"


def of_kind(doc: AnyDocument, kind: type[FileObject]) -> Document[FileObject]:
    """``doc`` (kept where the kinds mix: the parse cache, keyed by kind) as a Document of
    ``kind``."""
    assert doc.value is None or type(doc.value) is kind
    return cast("Document[FileObject]", doc)
