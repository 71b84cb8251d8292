"""The spec of a runbook's reference parts: severities, escalation, contacts, roles, links,
comms channels and templates, post-incident tasks, maintenance and lint exceptions (a
``_defaults.yaml`` usually sets them for a whole folder). ``generator.load.spec_parts`` has
the page parts; free-text keys carry an ``example`` as written in the YAML.
"""

from __future__ import annotations

from generator.load.spec_types import (
    MARKDOWN,
    STEPS,
    TEMPLATE_CHANNELS,
    TEXT,
    TEXTS,
    Duration,
    Enum,
    ListOf,
    MapOf,
    Obj,
    ObjectSpec,
    Scalar,
    Slug,
    Text,
    key,
)

__all__ = ["REFERENCE_PARTS"]

_WIKI = "https://wiki.example.com/data-platform"
_BODY = (
    "'{{ incident.title }} ({{ incident.severity }}) is {{ incident.status }}. {{ note }} "
    "Next update by {{ incident.next_update | time }}.'"
)

REFERENCE_PARTS: tuple[ObjectSpec, ...] = (
    ObjectSpec(
        "SeverityScheme",
        "severities",
        "A severity scheme: its name and levels.",
        (
            key("scheme", TEXT, "The scheme's name.", attr="name", example="SEV1-4"),
            key(
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
            key("id", Text(numbers=True), "SEV1, SEV-0, P2 ...", required=True, example="SEV2"),
            key("label", TEXT, "Critical, High ...", example="High"),
            key(
                "impact",
                MARKDOWN,
                "What this level means.",
                example="A core feature is degraded for many customers.",
            ),
            key(
                "criteria",
                TEXTS,
                "Conditions that make an incident this level.",
                example="[Checkout errors above 5%, Replication lag above 5 minutes]",
            ),
            key(
                "examples",
                TEXTS,
                "Example incidents.",
                example="[Order history shows stale data for every customer]",
            ),
            key("response", TEXT, "Response time as written.", example="15 minutes"),
            key(
                "escalation",
                TEXTS,
                "Who is involved, in order.",
                example="[On-call engineer, Incident commander]",
            ),
            key("update_every", Duration(), "Status update cadence.", example="30m"),
        ),
        ident="id",
    ),
    ObjectSpec(
        "EscalationLevel",
        "escalation level",
        "One escalation level.",
        (
            key("level", Text(numbers=True), "L1, Level 2 ...", required=True, example="L2"),
            key(
                "who",
                TEXT,
                "Who is engaged.",
                required=True,
                example="Database team on-call",
            ),
            key(
                "after",
                Text(numbers=True),
                "When this level is engaged, as written.",
                example="30 minutes without mitigation",
            ),
            key(
                "until",
                Text(numbers=True),
                "How long it stays engaged.",
                example="The incident is resolved",
            ),
            key("when", TEXTS, "Conditions.", example="[Lag still growing after a mitigation]"),
            key("contact", TEXT, "How to reach them.", example="PagerDuty service data-platform"),
        ),
        ident="level",
    ),
    ObjectSpec(
        "Contact",
        "contact",
        "A person or channel to reach.",
        (
            key("role", TEXT, "The role.", required=True, example="Database on-call"),
            key("name", TEXT, "A name.", example="Priya Raman"),
            key("group", TEXT, "Internal, External, Leadership ...", example="Internal"),
            key("email", TEXT, "Email address.", example="dba-oncall@example.com"),
            key("phone", Text(numbers=True), "Phone number.", example="'+1 555 0100'"),
            key("pager", Text(numbers=True), "Pager.", example="PagerDuty data-platform"),
            key("slack", TEXT, "Slack channel or handle.", example="'#data-platform'"),
            key("url", TEXT, "A URL.", example=f"{_WIKI}/team"),
            key(
                "notes",
                MARKDOWN,
                "Notes.",
                example="Call if the Slack channel is quiet for 10 minutes.",
            ),
        ),
        ident="role",
    ),
    ObjectSpec(
        "Role",
        "role",
        "An incident role.",
        (
            key("name", TEXT, "The role's name.", required=True, example="Incident commander"),
            key(
                "duties",
                TEXTS,
                "Its duties.",
                example="[Owns decisions and the timeline, Asks for an update every 30 minutes]",
            ),
        ),
        ident="name",
    ),
    ObjectSpec(
        "Link",
        "link",
        "A dashboard, console or document: a url, or a path shown as text.",
        (
            key("title", TEXT, "The link text.", required=True, example="Replication dashboard"),
            key("url", TEXT, "A URL.", example="https://grafana.example.com/d/pg-replication"),
            key("path", TEXT, "A path, shown as text.", example="ops/postgres/replication.md"),
            key("notes", MARKDOWN, "Notes.", example="The Replay lag panel shows each replica."),
        ),
        ident="title",
    ),
    ObjectSpec(
        "Communications",
        "communications",
        "Comms channels and message templates.",
        (
            key("channels", ListOf(Obj("CommsChannel")), "Where and how often to update."),
            key("templates", ListOf(Obj("CommsTemplate")), "Message templates (Jinja2)."),
        ),
    ),
    ObjectSpec(
        "CommsChannel",
        "channel",
        "Where and how often updates go.",
        (
            key(
                "channel",
                TEXT,
                "Where updates go (free text: #incidents, Twitter ...).",
                required=True,
                example="'#incidents'",
            ),
            key("audience", TEXT, "Who reads it.", example="Everyone in engineering"),
            key("cadence", Text(numbers=True), "How often.", example="every 30 minutes"),
            key("notes", MARKDOWN, "Notes.", example="Reply in the thread of the first update."),
            key("template", TEXT, "Id of the template used.", example="internal-update"),
        ),
        ident="channel",
    ),
    ObjectSpec(
        "CommsTemplate",
        "template",
        "A message template, rendered in a Jinja2 sandbox.",
        (
            key(
                "id", Slug(), "Unique within the runbook.", required=True, example="internal-update"
            ),
            key(
                "channel",
                Enum(TEMPLATE_CHANNELS),
                "Where the message goes; slack escapes values for Slack mrkdwn.",
            ),
            key("audience", TEXT, "internal, customers ...", example="internal"),
            key("status", TEXT, "Status page state (investigating ...).", example="investigating"),
            key("title", TEXT, "A human title.", example="Internal update"),
            key(
                "subject",
                TEXT,
                "Email subject (Jinja2).",
                example="'[{{ incident.severity }}] {{ incident.title }}'",
            ),
            key("body", TEXT, "Jinja2 source.", example=_BODY),
            key("format", Enum(("text", "html")), "text or html."),
            key(
                "examples",
                MapOf(Scalar()),
                "Example values for the docs.",
                example="{note: Order history is up to 10 minutes old.}",
            ),
        ),
        ident="id",
    ),
    ObjectSpec(
        "PostIncident",
        "post_incident",
        "What happens after the incident.",
        (
            key("timeframes", ListOf(Obj("Timeframe")), "Tasks by deadline."),
            key(
                "postmortem_template",
                TEXT,
                "A postmortem template.",
                example=f"{_WIKI}/postmortem-template",
            ),
            key(
                "timeline_template",
                TEXT,
                "A timeline template.",
                example=f"{_WIKI}/timeline-template",
            ),
            key(
                "metrics", TEXTS, "Metrics to track.", example="[Time to detect, Time to mitigate]"
            ),
        ),
    ),
    ObjectSpec(
        "Timeframe",
        "timeframe",
        "Tasks due within a time.",
        (
            key(
                "within",
                Text(numbers=True),
                "1 hour, 24 hours ...",
                required=True,
                example="24 hours",
            ),
            key("title", TEXT, "A heading.", example="Within a day"),
            key(
                "tasks",
                TEXTS,
                "Tasks.",
                example="[Open the postmortem document, File tickets for the action items]",
            ),
            key("steps", STEPS, "Steps."),
        ),
        ident="within",
    ),
    ObjectSpec(
        "Maintenance",
        "maintenance",
        "How the runbook is kept current.",
        (
            key(
                "review",
                TEXT,
                "Review cadence as written.",
                example="Every quarter, and after each incident that used it",
            ),
            key("owner", TEXT, "Who maintains it.", example="team-data-platform"),
            key("next_review", Text(numbers=True), "Next review date.", example="2027-01-15"),
            key(
                "update_triggers",
                TEXTS,
                "Events that require an update.",
                example="[A PostgreSQL major upgrade, A new replica]",
            ),
            key(
                "distribution",
                TEXT,
                "Where it is distributed.",
                example="The runbook site and the team wiki",
            ),
        ),
    ),
    ObjectSpec(
        "LintConfig",
        "lint",
        "Deliberate lint exceptions.",
        (key("allow", TEXTS, "Rule names accepted deliberately.", example="[strict-exit-status]"),),
    ),
)
