"""A whole runbook after the ``_defaults.yaml`` cascade, and an organisation page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checks.model import SourceLocation, Variable
from generator.model.page import NOWHERE, Scenario, Section, Step
from generator.model.reference import (
    Communications,
    Contact,
    EscalationLevel,
    Link,
    LintConfig,
    Maintenance,
    PostIncident,
    Role,
    SeverityScheme,
)

__all__ = ["Org", "Runbook"]


@dataclass(frozen=True, slots=True)
class Org:
    """What one ``_defaults.yaml`` declares: an organisation page and the values it cascades."""

    id: str
    """The folder relative to the runbooks root, ``/``-joined; ``""`` for the root folder."""
    title: str
    """``title`` of the ``_defaults.yaml`` (not inherited), else the folder name."""
    summary: str = ""
    path: str = ""
    """The ``_defaults.yaml`` file."""
    severities: SeverityScheme | None = None
    escalation: tuple[EscalationLevel, ...] = ()
    contacts: tuple[Contact, ...] = ()
    roles: tuple[Role, ...] = ()
    links: tuple[Link, ...] = ()
    communications: Communications = field(default_factory=Communications)
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Runbook:
    """A whole runbook after ``_defaults.yaml`` inheritance."""

    id: str
    title: str
    summary: str = ""
    service: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    """Alert label -> variable it fills on the page (``instance`` -> ``REPLICA_HOST``),
    for labels whose names differ from the variable's (other names match case-insensitively)."""
    severity: str | None = None
    version: str | None = None
    status: str | None = None
    audience: str | None = None
    oncall: str | None = None
    last_reviewed: str | None = None
    review_every: float | None = None
    lint: LintConfig = field(default_factory=LintConfig)
    variables: tuple[Variable, ...] = ()
    sections: tuple[Section, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    severities: SeverityScheme | None = None
    """The scheme in force (own or inherited); None means the built-in SEV1-SEV4."""
    escalation: tuple[EscalationLevel, ...] = ()
    contacts: tuple[Contact, ...] = ()
    roles: tuple[Role, ...] = ()
    links: tuple[Link, ...] = ()
    communications: Communications = field(default_factory=Communications)
    post_incident: PostIncident | None = None
    maintenance: Maintenance | None = None
    closing: str = ""
    """Markdown shown at the end of the page (a seed's "Remember" notes)."""
    path: str = ""
    """The YAML file, relative to the working directory where possible."""
    org: str | None = None
    """``Org.id`` of the nearest ``_defaults.yaml`` (its organisation page), if any."""
    inherited: tuple[str, ...] = ()
    """Top-level keys that came from a ``_defaults.yaml`` rather than the runbook itself."""
    location: SourceLocation = NOWHERE

    def all_sections(self) -> tuple[Section, ...]:
        """Every section in page order: each before its subsections (depth first)."""
        out: list[Section] = []
        todo = list(reversed(self.sections))
        while todo:
            section = todo.pop()
            out.append(section)
            todo.extend(reversed(section.sections))
        return tuple(out)

    def all_steps(self) -> tuple[Step, ...]:
        """Every step in page order: sections (depth first), scenarios, post-incident."""
        out = [step for section in self.all_sections() for step in section.steps]
        for sc in self.scenarios:
            out.extend(sc.diagnosis)
            for res in sc.resolution:
                out.extend(res.steps)
        if self.post_incident:
            for tf in self.post_incident.timeframes:
                out.extend(tf.steps)
        return tuple(out)

    def block_id(self, step: Step) -> str:
        return f"{self.id}--{step.id}"

    def reviewed_on(self) -> dt.date | None:
        """``last_reviewed`` as a date; None when missing or not an ISO date."""
        try:
            return dt.date.fromisoformat(self.last_reviewed) if self.last_reviewed else None
        except ValueError:
            return None

    def review_due(self) -> dt.date | None:
        """When the next review is due: ``last_reviewed`` + ``review_every``; None when
        either is missing; the last date there is when that is later (lint says so)."""
        reviewed = self.reviewed_on()
        if reviewed is None or self.review_every is None:
            return None
        try:
            return reviewed + dt.timedelta(seconds=self.review_every)
        except OverflowError:
            return dt.date.max
