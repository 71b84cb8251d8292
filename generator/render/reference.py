"""The reference parts of a page: escalation, contacts, roles, links, communications
(templates rendered with their examples), post-incident and maintenance.

Pure: model in, Markdown blocks out. ``generator.render.page`` places them at the end of
a runbook page; the organisation page (``generator.site.org``) shows the same parts of a
``_defaults.yaml`` with the same functions, so what a runbook inherits reads the same on
both pages. Text fields keep their Markdown (``generator.render.text``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checks.problems import Problem, Severity
from generator.errors import RunbookError
from generator.model import (
    CommsChannel,
    CommsTemplate,
    Contact,
    EscalationLevel,
    Link,
    Maintenance,
    Org,
    PostIncident,
    Role,
    Runbook,
)
from generator.render.blocks import render_step
from generator.render.text import (
    bullets,
    code_span,
    escape_cell,
    escape_inline,
    fenced,
    indent,
    link,
    table,
)

__all__ = [
    "Part",
    "channels_table",
    "contact_tables",
    "escalation_table",
    "inherited_parts",
    "links_list",
    "reference_parts",
    "roles_list",
]


@dataclass(frozen=True, slots=True)
class Part:
    """One top-level part of a page: a ``##`` heading and the blocks under it."""

    title: str
    key: str | None
    """The runbook field it shows, so the page can say when a ``_defaults.yaml`` set it;
    None for parts that are never inherited."""
    blocks: tuple[str, ...]
    problems: tuple[Problem, ...] = ()
    """Comms templates that could not render (the part shows their source instead)."""


def reference_parts(runbook: Runbook, results: Mapping[str, tuple[str, str]]) -> list[Part]:
    """Every reference part the runbook has, in page order; ``results`` as in
    ``PageContext.last_results`` (for the steps of post-incident timeframes)."""
    rb = runbook
    parts = inherited_parts(rb)
    comms = rb.communications
    if comms.channels or comms.templates:
        blocks = [channels_table(comms.channels)] if comms.channels else []
        problems: list[Problem] = []
        for tpl in comms.templates:
            blocks += _template(rb, tpl, problems)
        parts.append(Part("Communications", "communications", tuple(blocks), tuple(problems)))
    if rb.post_incident is not None:
        blocks = _post_incident(rb, rb.post_incident, results)
        parts.append(Part("Post-incident", None, tuple(blocks)))
    if rb.maintenance is not None:
        lines = _maintenance(rb.maintenance)
        if lines:
            parts.append(Part("Maintenance", None, ("\n".join(lines),)))
    return parts


# -- people and places ----------------------------------------------------------------


def inherited_parts(holder: Runbook | Org) -> list[Part]:
    """Escalation, contacts, roles and links (what a ``_defaults.yaml`` hands down): the
    organisation page shows them exactly as the runbook pages that inherit them do."""
    parts: list[Part] = []
    if holder.escalation:
        parts.append(Part("Escalation", "escalation", (escalation_table(holder.escalation),)))
    if holder.contacts:
        parts.append(Part("Contacts", "contacts", tuple(contact_tables(holder.contacts))))
    if holder.roles:
        parts.append(Part("Roles", "roles", (roles_list(holder.roles),)))
    if holder.links:
        parts.append(Part("Links", "links", (links_list(holder.links),)))
    return parts


def escalation_table(levels: Sequence[EscalationLevel]) -> str:
    """Level, who, after, until, when, contact: one row per level."""
    rows = (
        [lv.level, lv.who, lv.after or "", lv.until or "", "; ".join(lv.when), lv.contact or ""]
        for lv in levels
    )
    header = ["Level", "Who", "After", "Until", "When", "Contact"]
    return table(header, ([escape_cell(c) for c in cells] for cells in rows))


def contact_tables(contacts: Sequence[Contact]) -> list[str]:
    """One table per contact group (with its ``###`` heading when it has a name)."""
    groups: dict[str, list[Contact]] = {}
    for c in contacts:
        groups.setdefault(c.group or "", []).append(c)
    blocks: list[str] = []
    for name, members in groups.items():
        if name:
            blocks.append(f"### {escape_inline(name)}")
        rows = (
            [escape_cell(c.role), escape_cell(c.name or ""),
             " · ".join(_reach(c)).replace("|", "\\|"), escape_cell(c.notes or "")]
            for c in members
        )  # fmt: skip
        blocks.append(table(["Role", "Name", "Reach", "Notes"], rows))
    return blocks


def roles_list(roles: Sequence[Role]) -> str:
    """Each role in bold with its duties below it."""
    lines: list[str] = []
    for role in roles:
        lines.append(f"- **{escape_inline(role.name)}**")
        lines.extend(f"    - {escape_inline(d)}" for d in role.duties)
    return "\n".join(lines)


def links_list(links: Sequence[Link]) -> str:
    """One list item per link: a live link when its URL is safe, else the URL as code."""
    return "\n".join(_link_item(lk) for lk in links)


def channels_table(channels: Sequence[CommsChannel]) -> str:
    """Channel, audience, cadence, template, notes: one row per channel."""
    rows = (
        [
            escape_cell(ch.channel),
            escape_cell(ch.audience),
            escape_cell(ch.cadence or ""),
            code_span(ch.template).replace("|", "\\|") if ch.template else "",
            escape_cell(ch.notes or ""),
        ]
        for ch in channels
    )
    return table(["Channel", "Audience", "Cadence", "Template", "Notes"], rows)


# -- communications -------------------------------------------------------------------


def _template(runbook: Runbook, tpl: CommsTemplate, problems: list[Problem]) -> list[str]:
    """A template's heading, what it is for, and its example (or its source and why not)."""
    from generator.comms.templates import render_example

    blocks = [f"### {escape_inline(tpl.title or tpl.id)}"]
    meta = [escape_inline(tpl.channel), escape_inline(tpl.audience)]
    if tpl.status:
        meta.append("status " + escape_inline(tpl.status))
    meta.append("template " + code_span(tpl.id))
    blocks.append(" · ".join(meta) + "\n{: .runbook-section-meta }")
    lang = "html" if tpl.format == "html" else "text"
    try:
        subject, body = render_example(runbook, tpl)
    except RunbookError as exc:
        problems.extend(
            exc.problems or (Problem(tpl.location, Severity.ERROR, exc.message, "comms"),)
        )
        blocks.append(
            '!!! note "Template source"\n\n'
            + indent(f"The example could not be rendered: {escape_inline(exc.format())}")
        )
        if tpl.subject is not None:
            blocks.append(fenced(tpl.subject, "jinja"))
        blocks.append(fenced(tpl.body, "jinja"))
        return blocks
    blocks.append(
        "Filled in with example values, not a real incident's facts.\n{: .runbook-example-note }"
    )
    if subject is not None:
        blocks.append("Subject:")
        blocks.append(fenced(subject, "text"))
    blocks.append(fenced(body, lang))
    return blocks


# -- after ----------------------------------------------------------------------------


def _post_incident(
    runbook: Runbook, pi: PostIncident, results: Mapping[str, tuple[str, str]]
) -> list[str]:
    blocks: list[str] = []
    for tf in pi.timeframes:
        blocks.append(f"### {escape_inline(tf.title or 'Within ' + tf.within)}")
        if tf.title:
            blocks.append(f"within {escape_inline(tf.within)}\n{{: .runbook-section-meta }}")
        if tf.tasks:
            blocks.append("\n".join(f"- [ ] {escape_inline(t)}" for t in tf.tasks))
        for step in tf.steps:
            blocks.extend(render_step(runbook, step, 4, results.get(runbook.block_id(step))))
    if pi.postmortem_template:
        blocks.append("### Postmortem template")
        blocks.append(fenced(pi.postmortem_template, "markdown"))
    if pi.timeline_template:
        blocks.append("### Timeline template")
        blocks.append(fenced(pi.timeline_template, "text"))
    if pi.metrics:
        blocks.append("### Metrics to track")
        blocks.append(bullets(pi.metrics))
    return blocks


def _maintenance(m: Maintenance) -> list[str]:
    rows = [
        ("Review", m.review),
        ("Owner", m.owner),
        ("Next review", m.next_review),
        ("Distribution", m.distribution),
    ]
    lines = [f"- **{label}:** {escape_inline(v)}" for label, v in rows if v]
    if m.update_triggers:
        lines.append("- **Update when:**")
        lines.extend(f"    - {escape_inline(t)}" for t in m.update_triggers)
    return lines


def _reach(c: Contact) -> list[str]:
    out: list[str] = []
    if c.email:
        out.append(link(c.email, "mailto:" + c.email))
    if c.phone:
        tel = "".join(ch for ch in c.phone if ch.isdigit() or ch == "+")
        out.append(link(c.phone, "tel:" + tel) if tel else escape_inline(c.phone))
    if c.pager:
        out.append("pager " + escape_inline(c.pager))
    if c.slack:
        out.append("Slack " + escape_inline(c.slack))
    if c.url:
        out.append(link(c.url, c.url))
    return out


def _link_item(lk: Link) -> str:
    notes = f" — {escape_inline(lk.notes)}" if lk.notes else ""
    if lk.url:
        return f"- {link(lk.title, lk.url)}{notes}"
    if lk.path:
        return f"- {escape_inline(lk.title)}: {code_span(lk.path)}{notes}"
    return f"- {escape_inline(lk.title)}{notes}"
