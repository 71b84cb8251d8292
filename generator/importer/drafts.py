"""The importer's working tree: sections and steps as they are found, before YAML.

Mutable on purpose and private to the importer: the build fills them in order, the bash
syntax pass may turn a step manual, and ``emit`` turns them into the runbook mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.importer.decide import Decision

__all__ = ["SectionDraft", "StepDraft", "Warning_"]


@dataclass(frozen=True, slots=True)
class Warning_:
    """One report line: ``source.md:line:col: warning code: message``."""

    line: int
    col: int
    code: str
    message: str


@dataclass(slots=True)
class StepDraft:
    id: str
    title: str
    title_generated: bool
    body: str
    decision: Decision
    line: int
    """1-based line of the block's opening fence in the source file."""
    col: int = 1
    sample: str | None = None
    expected: str | None = None
    header: dict[str, Any] | None = None
    """Options of a block that already carried this project's fence header."""
    comments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SectionDraft:
    id: str
    title: str
    line: int
    title_generated: bool = False
    alerts: list[str] = field(default_factory=list)
    body: str = ""
    steps: list[StepDraft] = field(default_factory=list)
    footer: str = ""
    diagram: str | None = None
    children: list[SectionDraft] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    declares_variables: bool = False
    """It held a ``{.runbook-variables}`` block (a rendered page's Variables section)."""
