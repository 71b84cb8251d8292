"""The one data model of a runbook: frozen dataclasses, no I/O.

Field names follow the YAML keys (``snake_case``). Every object knows where it came
from (``location``, 1-based). Sequences are tuples and mappings are tuples of pairs
so that every object is hashable and immutable. Durations are seconds (float).
Dates are ISO strings (``2026-10-01``), as YAML 1.2 tools see them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checks.model import Risk, SourceLocation, Variable

NOWHERE = SourceLocation("<builtin>", 1, 1)

__all__ = [
    "NOWHERE",
    "Callout",
    "ChecklistItem",
    "CommsChannel",
    "CommsTemplate",
    "Communications",
    "Contact",
    "Diagram",
    "EscalationLevel",
    "Expect",
    "Link",
    "LintConfig",
    "Maintenance",
    "Org",
    "PostIncident",
    "Resolution",
    "Risk",
    "Role",
    "Runbook",
    "Scenario",
    "Section",
    "SeverityLevel",
    "SeverityScheme",
    "SourceLocation",
    "Step",
    "Table",
    "Timeframe",
    "Variable",
]


@dataclass(frozen=True, slots=True)
class Expect:
    """What a step's run must show to pass."""

    exit: tuple[int, ...] = (0,)
    """Accepted exit codes."""
    stdout: str | None = None
    """Regex searched in stdout."""
    contains: str | None = None
    """Literal text stdout must contain."""
    location: SourceLocation = NOWHERE


EXPECT_EXIT_0 = Expect()
"""What most steps expect: one shared object (the model is immutable), not one per step."""


@dataclass(frozen=True, slots=True)
class Step:
    """One command (or manual instruction) of a runbook."""

    id: str
    """Unique within the runbook, scenarios included."""
    title: str = ""
    body: str = ""
    """Markdown shown above the block."""
    kind: Risk = Risk.CHECK
    lang: str = "bash"
    shell: str | None = None
    interpreter: str | None = None
    run: str = ""
    """The command text, exactly as shown and run. Empty for text-only manual steps."""
    expect: Expect = EXPECT_EXIT_0
    expected_output: str | None = None
    """Asserted (exact, after normalising)."""
    sample_output: str | None = None
    """Shown only."""
    timeout: float | None = None
    strict: bool = True
    interactive: bool = False
    follow: bool = False
    requires: tuple[str, ...] = ()
    ci: bool = True
    ci_reason: str | None = None
    tags: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    """Fixed environment for this step (name, value)."""
    cwd: str | None = None
    location: SourceLocation = NOWHERE
    run_location: SourceLocation | None = None
    """Where ``run``'s first line of text is (the line after ``|`` for a block scalar), so
    lint can point at a line inside the command. None: use ``location``."""
    interpreter_location: SourceLocation | None = None
    """Where ``interpreter``'s text starts."""


@dataclass(frozen=True, slots=True)
class Callout:
    """An admonition: ``{type: warning, text: ...}``."""

    type: str = "note"
    """note, info, tip, warning, danger ..."""
    text: str = ""
    title: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One task-list line; ``done`` renders it ticked."""

    text: str
    done: bool = False
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Diagram:
    mermaid: str
    title: str | None = None
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the page, in order; sections nest."""

    id: str
    title: str
    window: str | None = None
    """A time window such as ``5-15 min``."""
    severity: str | None = None
    """The severity this section is for, if any (must exist in the scheme)."""
    alerts: tuple[str, ...] = ()
    body: str = ""
    callout: Callout | None = None
    steps: tuple[Step, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    table: Table | None = None
    diagram: Diagram | None = None
    sections: tuple[Section, ...] = ()
    footer: str = ""
    """Markdown after the steps (notes that follow commands)."""
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Resolution:
    """One resolution option of a scenario: ``{when: If bad deployment, steps: [...]}``."""

    when: str
    body: str = ""
    steps: tuple[Step, ...] = ()
    location: SourceLocation = NOWHERE


@dataclass(frozen=True, slots=True)
class Scenario:
    """Symptom -> diagnosis -> causes -> resolution options."""

    id: str
    title: str
    severity: str | None = None
    alerts: tuple[str, ...] = ()
    body: str = ""
    symptoms: tuple[str, ...] = ()
    diagnosis: tuple[Step, ...] = ()
    causes: tuple[str, ...] = ()
    resolution: tuple[Resolution, ...] = ()
    long_term: str = ""
    post_incident: tuple[str, ...] = ()
    location: SourceLocation = NOWHERE


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
