"""The page body of a runbook: sections, steps and what they show, scenarios."""

from __future__ import annotations

from dataclasses import dataclass

from checks.model import Risk, SourceLocation

__all__ = [
    "EXPECT_EXIT_0",
    "NOWHERE",
    "Callout",
    "ChecklistItem",
    "Diagram",
    "Expect",
    "Resolution",
    "Scenario",
    "Section",
    "Step",
    "Table",
]

NOWHERE = SourceLocation("<builtin>", 1, 1)
"""The location of what no file gave (built-in values, defaults)."""


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
    outputs: tuple[str, ...] = ()
    """Names it hands on (``NAME=value`` lines written to ``$RUNBOOK_OUTPUT``)."""
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
