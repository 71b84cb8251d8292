"""The reference parts at the end of a runbook page: escalation, contacts, roles, links,
communications (templates rendered with their examples), post-incident and maintenance.

Called by ``generator.render.page`` with its page builder; pure, like the rest of the renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks.problems import Problem, Severity
from generator.errors import RunbookError
from generator.model import CommsTemplate, Contact, Link
from generator.render.blocks import fenced
from generator.render.text import (
    bullets,
    code_span,
    escape_cell,
    escape_inline,
    indent,
    link,
)

if TYPE_CHECKING:
    from generator.render.page import PageBuilder


def add_reference_parts(page: PageBuilder) -> None:
    """Every reference part the runbook has, in page order."""
    escalation(page)
    contacts(page)
    roles(page)
    links(page)
    communications(page)
    post_incident(page)
    maintenance(page)


# -- people and places ----------------------------------------------------------------


def escalation(page: PageBuilder) -> None:
    levels = page.rb.escalation
    if not levels:
        return
    page.part("Escalation", "escalation")
    lines = [
        "| Level | Who | After | Until | When | Contact |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for lv in levels:
        cells = [
            lv.level,
            lv.who,
            lv.after or "",
            lv.until or "",
            "; ".join(lv.when),
            lv.contact or "",
        ]
        lines.append("| " + " | ".join(escape_cell(c) for c in cells) + " |")
    page.add("\n".join(lines))


def contacts(page: PageBuilder) -> None:
    contacts = page.rb.contacts
    if not contacts:
        return
    page.part("Contacts", "contacts")
    groups: dict[str, list[Contact]] = {}
    for c in contacts:
        groups.setdefault(c.group or "", []).append(c)
    for name, members in groups.items():
        if name:
            page.add(f"### {escape_inline(name)}")
        lines = ["| Role | Name | Reach | Notes |", "| --- | --- | --- | --- |"]
        for c in members:
            reach = " · ".join(_reach(c))
            cells = [escape_cell(c.role), escape_cell(c.name or ""), reach.replace("|", "\\|"),
                     escape_cell(c.notes or "")]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
        page.add("\n".join(lines))


def roles(page: PageBuilder) -> None:
    if not page.rb.roles:
        return
    page.part("Roles", "roles")
    lines: list[str] = []
    for role in page.rb.roles:
        lines.append(f"- **{escape_inline(role.name)}**")
        lines.extend(f"    - {escape_inline(d)}" for d in role.duties)
    page.add("\n".join(lines))


def links(page: PageBuilder) -> None:
    if not page.rb.links:
        return
    page.part("Links", "links")
    page.add("\n".join(_link_item(lk) for lk in page.rb.links))


# -- communications -------------------------------------------------------------------


def communications(page: PageBuilder) -> None:
    comms = page.rb.communications
    if not comms.channels and not comms.templates:
        return
    page.part("Communications", "communications")
    if comms.channels:
        lines = [
            "| Channel | Audience | Cadence | Template | Notes |",
            "| --- | --- | --- | --- | --- |",
        ]
        for ch in comms.channels:
            cells = [
                escape_cell(ch.channel),
                escape_cell(ch.audience),
                escape_cell(ch.cadence or ""),
                code_span(ch.template).replace("|", "\\|") if ch.template else "",
                escape_cell(ch.notes or ""),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        page.add("\n".join(lines))
    for tpl in comms.templates:
        template(page, tpl)


def template(page: PageBuilder, tpl: CommsTemplate) -> None:
    page.heading(3, tpl.title or tpl.id)
    meta = [escape_inline(tpl.channel), escape_inline(tpl.audience)]
    if tpl.status:
        meta.append("status " + escape_inline(tpl.status))
    meta.append("template " + code_span(tpl.id))
    page.add(" · ".join(meta) + "\n{: .runbook-section-meta }")
    from generator.comms.templates import render_example

    lang = "html" if tpl.format == "html" else "text"
    try:
        subject, body = render_example(page.rb, tpl)
    except RunbookError as exc:
        page.problems.extend(
            exc.problems or (Problem(tpl.location, Severity.ERROR, exc.message, "comms"),)
        )
        page.add(
            '!!! note "Template source"\n\n'
            + indent(f"The example could not be rendered: {escape_inline(exc.format())}")
        )
        if tpl.subject is not None:
            page.add(fenced(tpl.subject, "jinja"))
        page.add(fenced(tpl.body, "jinja"))
        return
    if subject is not None:
        page.add("Subject:")
        page.add(fenced(subject, "text"))
    page.add(fenced(body, lang))


# -- after ----------------------------------------------------------------------------


def post_incident(page: PageBuilder) -> None:
    pi = page.rb.post_incident
    if pi is None:
        return
    page.add("## Post-incident")
    for tf in pi.timeframes:
        page.add(f"### {escape_inline(tf.title or 'Within ' + tf.within)}")
        if tf.title:
            page.add(f"within {escape_inline(tf.within)}\n{{: .runbook-section-meta }}")
        if tf.tasks:
            page.add("\n".join(f"- [ ] {escape_inline(t)}" for t in tf.tasks))
        page.steps(tf.steps, 4)
    if pi.postmortem_template:
        page.add("### Postmortem template")
        page.add(fenced(pi.postmortem_template, "markdown"))
    if pi.timeline_template:
        page.add("### Timeline template")
        page.add(fenced(pi.timeline_template, "text"))
    if pi.metrics:
        page.add("### Metrics to track")
        page.add(bullets(pi.metrics))


def maintenance(page: PageBuilder) -> None:
    m = page.rb.maintenance
    if m is None:
        return
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
    if lines:
        page.add("## Maintenance")
        page.add("\n".join(lines))


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
