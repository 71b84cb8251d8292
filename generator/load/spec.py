"""The declarative field spec of the runbook YAML: one source for the loader and the schema.

Each YAML object is an ``ObjectSpec``: its keys (``Field``) with a type, whether they are
required, a description and, where the model's attribute differs, the attribute name (the
vocabulary is ``generator.load.spec_types``). ``generator.load.tree`` converts YAML nodes by walking
this spec; ``generator.schema`` turns the same spec into JSON Schema, so the two cannot drift.
"""

from __future__ import annotations

from generator.load.spec_types import (
    CALLOUT_TYPES,
    KINDS,
    TEMPLATE_CHANNELS,
    VARIABLE_NAME_PATTERN,
    Bool,
    Date,
    Duration,
    Enum,
    ExitCode,
    Field,
    FieldType,
    ListOf,
    MapOf,
    Obj,
    ObjectSpec,
    OneOrList,
    Regex,
    Scalar,
    Slug,
    Text,
)

__all__ = ["INHERITABLE", "MARKDOWN", "OBJECTS", "STEPS", "TEXT", "TEXTS"]


def _f(name: str, type_: FieldType, description: str = "", **kw: object) -> Field:
    return Field(name, type_, description, **kw)  # type: ignore[arg-type]


TEXT = Text()
MARKDOWN = Text()
TEXTS = ListOf(Text())
STEPS = ListOf(Obj("Step"))

# Keys a runbook may inherit from a _defaults.yaml, with their spec (shared by both objects).
_INHERITABLE: tuple[Field, ...] = (
    _f("service", TEXT, "The service this runbook is about."),
    _f("owner", TEXT, "The owning team."),
    _f("tags", TEXTS, "Free labels for search and selection."),
    _f("audience", TEXT, "Who should use this runbook."),
    _f("oncall", TEXT, "Where to find the on-call rotation."),
    _f("review_every", Duration(), "Review cadence; lint warns when last_reviewed is older."),
    _f("lint", Obj("LintConfig"), "Deliberate lint exceptions."),
    _f(
        "variables",
        MapOf(Obj("Variable"), VARIABLE_NAME_PATTERN, "variable"),
        "Environment variables the commands read: name -> declaration (or a description).",
    ),
    _f("severities", Obj("SeverityScheme"), "The severity scheme in force."),
    _f("escalation", ListOf(Obj("EscalationLevel")), "Escalation levels, in order."),
    _f("contacts", ListOf(Obj("Contact")), "People and channels to reach."),
    _f("roles", ListOf(Obj("Role")), "Incident roles and their duties."),
    _f("links", ListOf(Obj("Link")), "Dashboards, consoles and documents."),
    _f("communications", Obj("Communications"), "Comms channels and message templates."),
    _f("post_incident", Obj("PostIncident"), "What happens after the incident."),
    _f("maintenance", Obj("Maintenance"), "How this runbook is kept current."),
)
INHERITABLE: tuple[str, ...] = tuple(f.name for f in _INHERITABLE)

OBJECTS: dict[str, ObjectSpec] = {
    spec.name: spec
    for spec in (
        ObjectSpec(
            "Runbook",
            "runbook",
            "An incident runbook (runbook-docs v1).",
            (
                _f(
                    "id",
                    Slug(),
                    "Unique slug: page URL, CLI handle, block id prefix.",
                    required=True,
                ),
                _f("title", TEXT, "The page title.", required=True),
                _f("summary", MARKDOWN, "One paragraph: what this runbook is for."),
                _f("alerts", TEXTS, "Alert names that link here (alerts/<name>/ pages)."),
                _f("severity", Text(numbers=True), "The usual severity (in the scheme in force)."),
                _f("version", Text(numbers=True), "The runbook's version."),
                _f("status", TEXT, "Free text: active, draft, deprecated."),
                _f("last_reviewed", Date(), "When the runbook was last reviewed."),
                *_INHERITABLE,
                _f("sections", ListOf(Obj("Section")), "The page's sections, in order."),
                _f("scenarios", ListOf(Obj("Scenario")), "Symptom -> diagnosis -> resolution."),
                _f("closing", MARKDOWN, "Markdown shown at the end of the page."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "Defaults",
            "defaults",
            "A _defaults.yaml: an organisation page and values its folder's runbooks inherit.",
            (
                _f("title", TEXT, "The organisation page title (not inherited)."),
                _f("summary", MARKDOWN, "The organisation page summary (not inherited)."),
                *_INHERITABLE,
            ),
        ),
        ObjectSpec(
            "Variable",
            "variable",
            "An environment variable the commands read; a plain string is its description.",
            (
                _f("description", MARKDOWN, "What the value is."),
                _f("default", Scalar(), "Used when no other source gives a value."),
                _f("required", Bool(), "A missing value is an error (prompted for on a TTY)."),
                _f("secret", Bool(), "Masked when prompted; redacted from every output."),
                _f("pattern", Regex(), "A Python regex the whole value must match."),
                _f("choices", ListOf(Scalar()), "The only allowed values."),
                _f("example", Scalar(), "A realistic value for the docs (never used)."),
            ),
            shorthand="description",
        ),
        ObjectSpec(
            "Section",
            "section",
            "A part of the page; sections nest.",
            (
                _f(
                    "id",
                    Slug(),
                    "Unique within the runbook (sections and scenarios).",
                    required=True,
                ),
                _f("title", TEXT, "The heading.", required=True),
                _f("window", Text(numbers=True), "A time window such as '5-15 min'."),
                _f("severity", Text(numbers=True), "The severity this section is for."),
                _f("alerts", TEXTS, "Alerts whose pages link to this section."),
                _f("body", MARKDOWN, "Markdown shown under the heading."),
                _f("callout", Obj("Callout"), "An admonition."),
                _f("steps", STEPS, "Commands and manual steps, in order."),
                _f("checklist", ListOf(Obj("ChecklistItem")), "A task list."),
                _f("table", Obj("Table"), "A table."),
                _f("diagram", Obj("Diagram"), "A Mermaid diagram."),
                _f("sections", ListOf(Obj("Section")), "Nested sections."),
                _f("footer", MARKDOWN, "Markdown after the steps."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "Step",
            "step",
            "One command (or manual instruction).",
            (
                _f("id", Slug(), "Unique within the runbook, scenarios included.", required=True),
                _f("title", TEXT, "The step's heading."),
                _f("body", MARKDOWN, "Markdown shown above the block."),
                _f("kind", Enum(KINDS), "Risk: check, action, destructive or manual."),
                _f("lang", TEXT, "The block language (bash, sh, sql, python, text ...)."),
                _f("shell", TEXT, "A shell to run the block with (not with interpreter)."),
                _f("interpreter", TEXT, "A command that reads the block on stdin."),
                _f("run", MARKDOWN, "The command text, exactly as shown and run."),
                _f("expect", Obj("Expect"), "What the run must show to pass."),
                _f("expected_output", Scalar(), "Asserted output (exact, after normalising)."),
                _f("sample_output", Scalar(), "Example output, shown only."),
                _f("timeout", Duration(), "Stop the block after this long."),
                _f("strict", Bool(), "bash -e -o pipefail (default true)."),
                _f("interactive", Bool(), "Needs a TTY; never run in CI."),
                _f("follow", Bool(), "Streams until stopped; the timeout is its normal end."),
                _f("requires", TEXTS, "Executables, ./paths or env:VAR that must exist."),
                _f("ci", Bool(), "false keeps the step out of `runbook check`."),
                _f("ci_reason", TEXT, "Why the step is kept out of CI."),
                _f("tags", TEXTS, "Labels for --tag selection."),
                _f("env", MapOf(Scalar()), "Fixed environment for this step."),
                _f("cwd", TEXT, "Working directory."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "Expect",
            "expect",
            "What a step's run must show to pass.",
            (
                _f("exit", OneOrList(ExitCode()), "Accepted exit code(s)."),
                _f("stdout", Regex(), "A Python regex searched in stdout."),
                _f("contains", Scalar(), "Literal text stdout must contain."),
            ),
        ),
        ObjectSpec(
            "Callout",
            "callout",
            "An admonition.",
            (
                _f("type", Enum(CALLOUT_TYPES), "The admonition type."),
                _f("text", MARKDOWN, "The admonition's Markdown.", required=True),
                _f("title", TEXT, "A title instead of the type's name."),
            ),
        ),
        ObjectSpec(
            "ChecklistItem",
            "checklist item",
            "A task-list line; a plain string is its text.",
            (
                _f("text", MARKDOWN, "The task.", required=True),
                _f("done", Bool(), "Rendered ticked."),
            ),
            shorthand="text",
        ),
        ObjectSpec(
            "Table",
            "table",
            "A table.",
            (
                _f("columns", ListOf(Scalar()), "Column headings.", required=True),
                _f("rows", ListOf(ListOf(Scalar())), "Rows of cells."),
                _f("caption", TEXT, "A caption."),
            ),
        ),
        ObjectSpec(
            "Diagram",
            "diagram",
            "A Mermaid diagram.",
            (
                _f("mermaid", TEXT, "Mermaid source.", required=True),
                _f("title", TEXT, "A caption."),
            ),
        ),
        ObjectSpec(
            "Scenario",
            "scenario",
            "Symptom -> diagnosis -> causes -> resolution options.",
            (
                _f(
                    "id",
                    Slug(),
                    "Unique within the runbook (sections and scenarios).",
                    required=True,
                ),
                _f("title", TEXT, "The heading.", required=True),
                _f("severity", Text(numbers=True), "The usual severity."),
                _f("alerts", TEXTS, "Alerts whose pages link to this scenario."),
                _f("body", MARKDOWN, "Markdown shown under the heading."),
                _f("symptoms", TEXTS, "What responders see."),
                _f("diagnosis", STEPS, "Steps that confirm the scenario."),
                _f("causes", TEXTS, "Likely causes."),
                _f("resolution", ListOf(Obj("Resolution")), "Resolution options."),
                _f("long_term", MARKDOWN, "Long-term fixes."),
                _f("post_incident", TEXTS, "Follow-up tasks."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "Resolution",
            "resolution",
            "One resolution option of a scenario.",
            (
                _f("when", TEXT, "When this option applies.", required=True),
                _f("body", MARKDOWN, "Markdown."),
                _f("steps", STEPS, "The steps."),
            ),
            ident="when",
        ),
        ObjectSpec(
            "SeverityScheme",
            "severities",
            "A severity scheme: its name and levels.",
            (
                _f("scheme", TEXT, "The scheme's name.", attr="name"),
                _f(
                    "levels",
                    ListOf(Obj("SeverityLevel")),
                    "The levels, worst first.",
                    required=True,
                ),
            ),
        ),
        ObjectSpec(
            "SeverityLevel",
            "severity level",
            "One level of a severity scheme.",
            (
                _f("id", Text(numbers=True), "SEV1, SEV-0, P2 ...", required=True),
                _f("label", TEXT, "Critical, High ..."),
                _f("impact", MARKDOWN, "What this level means."),
                _f("criteria", TEXTS, "Conditions that make an incident this level."),
                _f("examples", TEXTS, "Example incidents."),
                _f("response", TEXT, "Response time as written."),
                _f("escalation", TEXTS, "Who is involved, in order."),
                _f("update_every", Duration(), "Status update cadence."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "EscalationLevel",
            "escalation level",
            "One escalation level.",
            (
                _f("level", Text(numbers=True), "L1, Level 2 ...", required=True),
                _f("who", TEXT, "Who is engaged.", required=True),
                _f("after", Text(numbers=True), "When this level is engaged, as written."),
                _f("until", Text(numbers=True), "How long it stays engaged."),
                _f("when", TEXTS, "Conditions."),
                _f("contact", TEXT, "How to reach them."),
            ),
            ident="level",
        ),
        ObjectSpec(
            "Contact",
            "contact",
            "A person or channel to reach.",
            (
                _f("role", TEXT, "The role.", required=True),
                _f("name", TEXT, "A name."),
                _f("group", TEXT, "Internal, External, Leadership ..."),
                _f("email", TEXT, "Email address."),
                _f("phone", Text(numbers=True), "Phone number."),
                _f("pager", Text(numbers=True), "Pager."),
                _f("slack", TEXT, "Slack channel or handle."),
                _f("url", TEXT, "A URL."),
                _f("notes", MARKDOWN, "Notes."),
            ),
            ident="role",
        ),
        ObjectSpec(
            "Role",
            "role",
            "An incident role.",
            (
                _f("name", TEXT, "The role's name.", required=True),
                _f("duties", TEXTS, "Its duties."),
            ),
            ident="name",
        ),
        ObjectSpec(
            "Link",
            "link",
            "A dashboard, console or document: a url, or a path shown as text.",
            (
                _f("title", TEXT, "The link text.", required=True),
                _f("url", TEXT, "A URL."),
                _f("path", TEXT, "A path, shown as text."),
                _f("notes", MARKDOWN, "Notes."),
            ),
            ident="title",
        ),
        ObjectSpec(
            "Communications",
            "communications",
            "Comms channels and message templates.",
            (
                _f("channels", ListOf(Obj("CommsChannel")), "Where and how often to update."),
                _f("templates", ListOf(Obj("CommsTemplate")), "Message templates (Jinja2)."),
            ),
        ),
        ObjectSpec(
            "CommsChannel",
            "channel",
            "Where and how often updates go.",
            (
                _f(
                    "channel",
                    TEXT,
                    "Where updates go (free text: #incidents, Twitter ...).",
                    required=True,
                ),
                _f("audience", TEXT, "Who reads it."),
                _f("cadence", Text(numbers=True), "How often."),
                _f("notes", MARKDOWN, "Notes."),
                _f("template", TEXT, "Id of the template used."),
            ),
            ident="channel",
        ),
        ObjectSpec(
            "CommsTemplate",
            "template",
            "A message template, rendered in a Jinja2 sandbox.",
            (
                _f("id", Slug(), "Unique within the runbook.", required=True),
                _f(
                    "channel",
                    Enum(TEMPLATE_CHANNELS),
                    "Where the message goes; slack escapes values for Slack mrkdwn.",
                ),
                _f("audience", TEXT, "internal, customers ..."),
                _f("status", TEXT, "Status page state (investigating ...)."),
                _f("title", TEXT, "A human title."),
                _f("subject", TEXT, "Email subject (Jinja2)."),
                _f("body", TEXT, "Jinja2 source."),
                _f("format", Enum(("text", "html")), "text or html."),
                _f("examples", MapOf(Scalar()), "Example values for the docs."),
            ),
            ident="id",
        ),
        ObjectSpec(
            "PostIncident",
            "post_incident",
            "What happens after the incident.",
            (
                _f("timeframes", ListOf(Obj("Timeframe")), "Tasks by deadline."),
                _f("postmortem_template", TEXT, "A postmortem template."),
                _f("timeline_template", TEXT, "A timeline template."),
                _f("metrics", TEXTS, "Metrics to track."),
            ),
        ),
        ObjectSpec(
            "Timeframe",
            "timeframe",
            "Tasks due within a time.",
            (
                _f("within", Text(numbers=True), "1 hour, 24 hours ...", required=True),
                _f("title", TEXT, "A heading."),
                _f("tasks", TEXTS, "Tasks."),
                _f("steps", STEPS, "Steps."),
            ),
            ident="within",
        ),
        ObjectSpec(
            "Maintenance",
            "maintenance",
            "How the runbook is kept current.",
            (
                _f("review", TEXT, "Review cadence as written."),
                _f("owner", TEXT, "Who maintains it."),
                _f("next_review", Text(numbers=True), "Next review date."),
                _f("update_triggers", TEXTS, "Events that require an update."),
                _f("distribution", TEXT, "Where it is distributed."),
            ),
        ),
        ObjectSpec(
            "LintConfig",
            "lint",
            "Deliberate lint exceptions.",
            (_f("allow", TEXTS, "Rule names accepted deliberately."),),
        ),
    )
}
