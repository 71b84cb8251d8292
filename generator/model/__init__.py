"""The one data model of a runbook: frozen dataclasses, no I/O.

Field names follow the YAML keys (``snake_case``). Every object knows where it came
from (``location``, 1-based). Sequences are tuples and mappings are tuples of pairs
so that every object is hashable and immutable. Durations are seconds (float).
Dates are ISO strings (``2026-10-01``), as YAML 1.2 tools see them.

The model is split along the page: ``generator.model.page`` (sections, steps, scenarios),
``generator.model.reference`` (severities, escalation, contacts, comms, post-incident: what
a ``_defaults.yaml`` can give) and ``generator.model.runbook`` (``Runbook`` and ``Org``);
import them from here.
"""

from __future__ import annotations

from checks.model import Risk, SourceLocation, Variable
from generator.model.page import (
    EXPECT_EXIT_0,
    NOWHERE,
    Callout,
    ChecklistItem,
    Diagram,
    Expect,
    Resolution,
    Scenario,
    Section,
    Step,
    Table,
)
from generator.model.reference import (
    CommsChannel,
    CommsTemplate,
    Communications,
    Contact,
    EscalationLevel,
    Link,
    LintConfig,
    Maintenance,
    PostIncident,
    Role,
    SeverityLevel,
    SeverityScheme,
    Timeframe,
)
from generator.model.runbook import Org, Runbook

__all__ = [
    "EXPECT_EXIT_0",
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
