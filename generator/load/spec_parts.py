"""The spec of the objects a runbook page is made of: variables, sections, steps and what
they hold, scenarios and their resolutions. ``generator.load.spec_reference`` holds the
reference parts (severities, escalation, contacts, comms ...), and ``generator.load.spec``
adds the two file-level objects, ``Runbook`` and ``Defaults``.

Every key that takes free text carries an ``example``: a value as written in the YAML,
from a PostgreSQL replication-lag runbook, shown in REFERENCE.md (a test builds a runbook
from the examples and lints it).
"""

from __future__ import annotations

from generator.load.spec_reference import REFERENCE_PARTS
from generator.load.spec_types import (
    CALLOUT_TYPES,
    KINDS,
    MARKDOWN,
    STEPS,
    TEXT,
    TEXTS,
    Bool,
    Duration,
    Enum,
    ExitCode,
    ListOf,
    MapOf,
    Obj,
    ObjectSpec,
    OneOrList,
    Regex,
    Scalar,
    Slug,
    Text,
    key,
)

__all__ = ["PARTS"]

_ALERTS = "[PostgresReplicationLagHigh]"
_RUN = 'psql -h "$REPLICA_HOST" -Atc "select now() - pg_last_xact_replay_timestamp()"'

PAGE_PARTS: tuple[ObjectSpec, ...] = (
    ObjectSpec(
        "Variable",
        "variable",
        "An environment variable the commands read; a plain string is its description.",
        (
            key(
                "description",
                MARKDOWN,
                "What the value is.",
                example="Host name of the lagging replica, as in the alert's instance label.",
            ),
            key(
                "default",
                Scalar(),
                "Used when no other source gives a value.",
                example="db-replica-1.internal",
            ),
            key("required", Bool(), "A missing value is an error (prompted for on a TTY)."),
            key("secret", Bool(), "Masked when prompted; redacted from every output."),
            key(
                "pattern",
                Regex(),
                "A Python regex the whole value must match.",
                example=r"'^db-replica-\d+\.internal$'",
            ),
            key(
                "choices",
                ListOf(Scalar()),
                "The only allowed values.",
                example="[db-replica-1.internal, db-replica-2.internal]",
            ),
            key(
                "example",
                Scalar(),
                "A realistic value for the docs (never used).",
                example="db-replica-2.internal",
            ),
        ),
        shorthand="description",
    ),
    ObjectSpec(
        "Section",
        "section",
        "A part of the page; sections nest.",
        (
            key(
                "id",
                Slug(),
                "Unique within the runbook (sections and scenarios).",
                required=True,
                example="diagnose",
            ),
            key("title", TEXT, "The heading.", required=True, example="Diagnose"),
            key(
                "window",
                Text(numbers=True),
                "A time window such as '5-15 min'.",
                example="5-15 min",
            ),
            key(
                "severity", Text(numbers=True), "The severity this section is for.", example="SEV2"
            ),
            key("alerts", TEXTS, "Alerts whose pages link to this section.", example=_ALERTS),
            key(
                "body",
                MARKDOWN,
                "Markdown shown under the heading.",
                example="Is the replica behind on receiving WAL, or on replaying it?",
            ),
            key("callout", Obj("Callout"), "An admonition."),
            key("steps", STEPS, "Commands and manual steps, in order."),
            key("checklist", ListOf(Obj("ChecklistItem")), "A task list."),
            key("table", Obj("Table"), "A table."),
            key("diagram", Obj("Diagram"), "A Mermaid diagram."),
            key("sections", ListOf(Obj("Section")), "Nested sections."),
            key(
                "footer",
                MARKDOWN,
                "Markdown after the steps.",
                example="Lag still growing? Go on to Mitigation.",
            ),
        ),
        ident="id",
    ),
    ObjectSpec(
        "Step",
        "step",
        "One command (or manual instruction).",
        (
            key(
                "id",
                Slug(),
                "Unique within the runbook, scenarios included.",
                required=True,
                example="replay-lag",
            ),
            key("title", TEXT, "The step's heading.", example="How far behind is the replica?"),
            key(
                "body",
                MARKDOWN,
                "Markdown shown above the block.",
                example="More than 30 seconds means readers see stale orders.",
            ),
            key("kind", Enum(KINDS), "Risk: check, action, destructive or manual."),
            key(
                "lang",
                TEXT,
                "The block language (bash, sh, sql, python, text ...).",
                example="bash",
            ),
            key(
                "shell", TEXT, "A shell to run the block with (not with interpreter).", example="sh"
            ),
            key(
                "interpreter",
                TEXT,
                "A command that reads the block on stdin.",
                example="psql -X -At",
            ),
            key("run", MARKDOWN, "The command text, exactly as shown and run.", example=_RUN),
            key("expect", Obj("Expect"), "What the run must show to pass."),
            key(
                "expected_output",
                Scalar(),
                "Asserted output (exact, after normalising).",
                example="streaming",
            ),
            key("sample_output", Scalar(), "Example output, shown only.", example="'00:00:02.318'"),
            key("timeout", Duration(), "Stop the block after this long.", example="30s"),
            key("strict", Bool(), "bash -e -o pipefail (default true)."),
            key("interactive", Bool(), "Needs a TTY; never run in CI."),
            key("follow", Bool(), "Streams until stopped; the timeout is its normal end."),
            key(
                "requires",
                TEXTS,
                "Executables, ./paths or env:VAR that must exist.",
                example="[psql, env:PGPASSWORD]",
            ),
            key("ci", Bool(), "false keeps the step out of `runbook check`."),
            key(
                "ci_reason",
                TEXT,
                "Why the step is kept out of CI.",
                example="Needs a real replica, and CI has none.",
            ),
            key("tags", TEXTS, "Labels for --tag selection.", example="[replication]"),
            key(
                "env",
                MapOf(Scalar()),
                "Fixed environment for this step.",
                example="{PGCONNECT_TIMEOUT: 5}",
            ),
            key(
                "outputs",
                TEXTS,
                "Variable names this step hands on: NAME=value lines it writes to the file "
                "$RUNBOOK_OUTPUT names are environment for the later steps of the run.",
                example="[LEADER]",
            ),
            key("cwd", TEXT, "Working directory.", example="/var/lib/postgresql"),
        ),
        ident="id",
    ),
    ObjectSpec(
        "Expect",
        "expect",
        "What a step's run must show to pass.",
        (
            key("exit", OneOrList(ExitCode()), "Accepted exit code(s)."),
            key(
                "stdout",
                Regex(),
                "A Python regex searched in stdout.",
                example=r"'^\d{2}:\d{2}:\d{2}'",
            ),
            key("contains", Scalar(), "Literal text stdout must contain.", example="'00:00:'"),
        ),
    ),
    ObjectSpec(
        "Callout",
        "callout",
        "An admonition.",
        (
            key("type", Enum(CALLOUT_TYPES), "The admonition type."),
            key(
                "text",
                MARKDOWN,
                "The admonition's Markdown.",
                required=True,
                example="Promoting a replica ends replication; the old primary must be rebuilt.",
            ),
            key("title", TEXT, "A title instead of the type's name.", example="Before you promote"),
        ),
    ),
    ObjectSpec(
        "ChecklistItem",
        "checklist item",
        "A task-list line; a plain string is its text.",
        (
            key(
                "text",
                MARKDOWN,
                "The task.",
                required=True,
                example="Acknowledge the page and say in the incident channel that you are on it",
            ),
            key("done", Bool(), "Rendered ticked."),
        ),
        shorthand="text",
    ),
    ObjectSpec(
        "Table",
        "table",
        "A table.",
        (
            key(
                "columns",
                ListOf(Scalar()),
                "Column headings.",
                required=True,
                example="[Lag, Meaning, Action]",
            ),
            key(
                "rows",
                ListOf(ListOf(Scalar())),
                "Rows of cells.",
                example="[[under 5 s, normal, none], [over 30 s, stale reads, drain the replica]]",
            ),
            key("caption", TEXT, "A caption.", example="What the lag means"),
        ),
    ),
    ObjectSpec(
        "Diagram",
        "diagram",
        "A Mermaid diagram.",
        (
            key(
                "mermaid",
                TEXT,
                "Mermaid source.",
                required=True,
                example="graph LR; primary --> replica1; primary --> replica2",
            ),
            key("title", TEXT, "A caption.", example="Replication topology"),
        ),
    ),
    ObjectSpec(
        "Scenario",
        "scenario",
        "Symptom -> diagnosis -> causes -> resolution options.",
        (
            key(
                "id",
                Slug(),
                "Unique within the runbook (sections and scenarios).",
                required=True,
                example="replay-stalled",
            ),
            key(
                "title",
                TEXT,
                "The heading.",
                required=True,
                example="Replay stalled on the replica",
            ),
            key("severity", Text(numbers=True), "The usual severity.", example="SEV2"),
            key("alerts", TEXTS, "Alerts whose pages link to this scenario.", example=_ALERTS),
            key(
                "body",
                MARKDOWN,
                "Markdown shown under the heading.",
                example="Lag grows steadily while the primary's write rate is normal.",
            ),
            key(
                "symptoms",
                TEXTS,
                "What responders see.",
                example="[Lag grows by a second every second, Customers see old order states]",
            ),
            key("diagnosis", STEPS, "Steps that confirm the scenario."),
            key(
                "causes",
                TEXTS,
                "Likely causes.",
                example="[A long query holds back replay, The replica's disk is full]",
            ),
            key("resolution", ListOf(Obj("Resolution")), "Resolution options."),
            key(
                "long_term",
                MARKDOWN,
                "Long-term fixes.",
                example="Lower max_standby_streaming_delay so no query can stall replay for long.",
            ),
            key(
                "post_incident", TEXTS, "Follow-up tasks.", example="[Alert when replay is paused]"
            ),
        ),
        ident="id",
    ),
    ObjectSpec(
        "Resolution",
        "resolution",
        "One resolution option of a scenario.",
        (
            key(
                "when",
                TEXT,
                "When this option applies.",
                required=True,
                example="A query on the replica blocks replay",
            ),
            key("body", MARKDOWN, "Markdown.", example="Cancel the query; replay resumes at once."),
            key("steps", STEPS, "The steps."),
        ),
        ident="when",
    ),
)

PARTS: tuple[ObjectSpec, ...] = PAGE_PARTS + REFERENCE_PARTS
"""Every object inside a runbook, page parts first."""
