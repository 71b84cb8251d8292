"""The declarative field spec of the runbook YAML: one source for the loader and the schema.

Each YAML object is an ``ObjectSpec``: its keys (``Field``) with a type, whether they are
required, a description and, where the model's attribute differs, the attribute name (the
vocabulary is ``generator.load.spec_types``; the objects inside a runbook are in
``generator.load.spec_parts`` and ``generator.load.spec_reference``; every free-text key
has an ``example``). ``generator.load.convert`` converts YAML nodes by walking this spec;
``generator.schema`` turns the same spec into JSON Schema, so the two cannot drift.
"""

from __future__ import annotations

from generator.load.spec_parts import PARTS
from generator.load.spec_types import (
    MARKDOWN,
    TEXT,
    TEXTS,
    VARIABLE_NAME_PATTERN,
    Date,
    Duration,
    Field,
    ListOf,
    MapOf,
    Obj,
    ObjectSpec,
    Slug,
    Text,
    key,
)

__all__ = ["INHERITABLE", "OBJECTS"]


# Keys a runbook may inherit from a _defaults.yaml, with their spec (shared by both objects).
_INHERITABLE: tuple[Field, ...] = (
    key("service", TEXT, "The service this runbook is about.", example="orders-db"),
    key("owner", TEXT, "The owning team.", example="team-data-platform"),
    key("tags", TEXTS, "Free labels for search and selection.", example="[postgres, replication]"),
    key(
        "audience",
        TEXT,
        "Who should use this runbook.",
        example="On-call SREs and database engineers",
    ),
    key(
        "oncall",
        TEXT,
        "Where to find the on-call rotation.",
        example="PagerDuty schedule data-platform-primary",
    ),
    key(
        "review_every",
        Duration(),
        "Review cadence; lint warns when last_reviewed is older.",
        example="90d",
    ),
    key("lint", Obj("LintConfig"), "Deliberate lint exceptions."),
    key(
        "variables",
        MapOf(Obj("Variable"), VARIABLE_NAME_PATTERN, "variable"),
        "Environment variables the commands read: name -> declaration (or a description).",
    ),
    key("severities", Obj("SeverityScheme"), "The severity scheme in force."),
    key("escalation", ListOf(Obj("EscalationLevel")), "Escalation levels, in order."),
    key("contacts", ListOf(Obj("Contact")), "People and channels to reach."),
    key("roles", ListOf(Obj("Role")), "Incident roles and their duties."),
    key("links", ListOf(Obj("Link")), "Dashboards, consoles and documents."),
    key("communications", Obj("Communications"), "Comms channels and message templates."),
    key("post_incident", Obj("PostIncident"), "What happens after the incident."),
    key("maintenance", Obj("Maintenance"), "How this runbook is kept current."),
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
                key(
                    "id",
                    Slug(),
                    "Unique slug: page URL, CLI handle, block id prefix.",
                    required=True,
                    example="postgres-replication-lag",
                ),
                key(
                    "title",
                    TEXT,
                    "The page title.",
                    required=True,
                    example="PostgreSQL replication lag",
                ),
                key(
                    "summary",
                    MARKDOWN,
                    "One paragraph: what this runbook is for.",
                    example="A replica falls behind; reads go stale and failover loses data.",
                ),
                key(
                    "alerts",
                    TEXTS,
                    "Alert names that link here (alerts/<name>/ pages).",
                    example="[PostgresReplicationLagHigh]",
                ),
                key(
                    "labels",
                    MapOf(Text(), VARIABLE_NAME_PATTERN, "label"),
                    "Alert label -> the variable it fills in on the page, when the names "
                    "differ (alerts/<name>/?instance=db-2 fills REPLICA_HOST; a label named "
                    "like a variable fills it without this, in any case).",
                    example="{instance: REPLICA_HOST}",
                ),
                key(
                    "severity",
                    Text(numbers=True),
                    "The usual severity (in the scheme in force).",
                    example="SEV2",
                ),
                key("version", Text(numbers=True), "The runbook's version.", example="1.4"),
                key("status", TEXT, "Free text: active, draft, deprecated.", example="active"),
                key("last_reviewed", Date(), "When the runbook was last reviewed."),
                *_INHERITABLE,
                key("sections", ListOf(Obj("Section")), "The page's sections, in order."),
                key("scenarios", ListOf(Obj("Scenario")), "Symptom -> diagnosis -> resolution."),
                key(
                    "closing",
                    MARKDOWN,
                    "Markdown shown at the end of the page.",
                    example="Still lagging after an hour? Page the database team lead.",
                ),
            ),
            ident="id",
        ),
        ObjectSpec(
            "Defaults",
            "defaults",
            "A _defaults.yaml: an organisation page and values its folder's runbooks inherit.",
            (
                key(
                    "title",
                    TEXT,
                    "The organisation page title (not inherited).",
                    example="Data platform",
                ),
                key(
                    "summary",
                    MARKDOWN,
                    "The organisation page summary (not inherited).",
                    example="Runbooks for the databases and queues the data platform team runs.",
                ),
                *_INHERITABLE,
            ),
        ),
        *PARTS,
    )
}
