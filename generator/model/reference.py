"""The reference parts of a runbook, which a ``_defaults.yaml`` can give a whole folder:
severities, escalation, contacts, roles, links, communications, post-incident work,
maintenance and lint exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from checks.model import SourceLocation
from generator.model.page import NOWHERE, Step

__all__ = [
    "CommsChannel",
    "CommsTemplate",
    "Communications",
    "Contact",
    "EscalationLevel",
    "Link",
    "LintConfig",
    "Maintenance",
    "PostIncident",
    "Role",
    "SeverityLevel",
    "SeverityScheme",
    "Timeframe",
]


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    """One level of a severity scheme (SEV1, SEV-0, P2 ...)."""

    id: str
    label: str = ""
    """Critical, High ..."""
    impact: str = ""
    criteria: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    response: str = ""
    """Response time as written (``< 5 minutes``)."""
    escalation: tuple[str, ...] = ()
    """Who is involved, in order."""
    update_every: float | None = None
    """Seconds between status updates (comms cadence)."""
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class SeverityScheme:
    name: str
    levels: tuple[SeverityLevel, ...]
    location: SourceLocation = NOWHERE

    def level(self, level_id: str) -> SeverityLevel | None:
        return next((lv for lv in self.levels if lv.id == level_id), None)


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    level: str
    """L1, Level 2 ..."""
    who: str
    after: str | None = None
    """When this level is engaged, as written (``15 min``)."""
    until: str | None = None
    when: tuple[str, ...] = ()
    contact: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Contact:
    role: str
    name: str | None = None
    group: str | None = None
    """Internal, External, Leadership ... (how the page groups contacts)."""
    email: str | None = None
    phone: str | None = None
    pager: str | None = None
    slack: str | None = None
    url: str | None = None
    notes: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    duties: tuple[str, ...] = ()
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str | None = None
    path: str | None = None
    """Shown as text, not linked."""
    notes: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class CommsTemplate:
    id: str
    channel: str = "slack"
    """slack, statuspage, email, sms, other."""
    audience: str = "internal"
    status: str | None = None
    title: str | None = None
    subject: str | None = None
    body: str = ""
    """Jinja2 source, rendered in the sandbox."""
    format: str = "text"
    examples: tuple[tuple[str, str], ...] = ()
    location: SourceLocation = NOWHERE
    body_location: SourceLocation | None = None
    """Where the body's first line of text is (the line after ``|`` for a block scalar);
    lets comms errors point at ``file:line`` inside the body. None: use ``location``."""


@dataclass(frozen=True, slots=True)
class CommsChannel:
    channel: str
    audience: str = "internal"
    cadence: str | None = None
    notes: str | None = None
    template: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Communications:
    channels: tuple[CommsChannel, ...] = ()
    templates: tuple[CommsTemplate, ...] = ()
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Timeframe:
    within: str
    """``1 hour``, ``24 hours``, ``1 week``."""
    title: str | None = None
    tasks: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class PostIncident:
    timeframes: tuple[Timeframe, ...] = ()
    postmortem_template: str | None = None
    """Markdown (or any text) shown as a copyable block."""
    timeline_template: str | None = None
    metrics: tuple[str, ...] = ()
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Maintenance:
    review: str | None = None
    """Review cadence as written (Monthly)."""
    owner: str | None = None
    next_review: str | None = None
    update_triggers: tuple[str, ...] = ()
    distribution: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class LintConfig:
    allow: tuple[str, ...] = ()
    """Rule names accepted deliberately (shown by ``lint --verbose``)."""
    location: SourceLocation = NOWHERE
