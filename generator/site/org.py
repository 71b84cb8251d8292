"""Markdown of an organisation page: what one ``_defaults.yaml`` declares.

Severity matrix (one per scheme in force among the organisation's runbooks), escalation,
contacts, roles, links, comms channels, and each comms template rendered with its
examples through the same function the CLI uses (``render_example``), so a template that
cannot render fails the build with its location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from generator.model import CommsTemplate, Contact, Org, SeverityScheme
from generator.site.layout import OrgGroup, relative_link, runbook_uri, slugify
from generator.render.text import fenced, indent_verbatim, literal_text

RenderExample = Callable[[CommsTemplate], tuple[str, str]]
"""A template -> (subject, body) rendered with its examples (``comms.render_example``)."""

def format_seconds(seconds: float | None) -> str:
    """``1800`` -> ``30 min``; ``None`` -> ``""``."""
    if seconds is None:
        return ""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return f"{hours} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    return f"{seconds:g} s"


def _cell(text: str | None) -> str:
    return literal_text(text) if text else ""


def severity_matrix(scheme: SeverityScheme) -> list[str]:
    """One table row per level: label, impact, response, update cadence, escalation."""
    out = [
        f"### Severity scheme: {literal_text(scheme.name)}",
        "",
        "| Level | Label | Impact | Response | Updates every | Escalation | Examples |",
        "|---|---|---|---|---|---|---|",
    ]
    for lv in scheme.levels:
        impact = " ".join(x for x in (lv.impact, *lv.criteria) if x)
        out.append(
            f"| **{literal_text(lv.id)}** | {_cell(lv.label)} | {_cell(impact)} "
            f"| {_cell(lv.response)} | {format_seconds(lv.update_every)} "
            f"| {_cell(' → '.join(lv.escalation))} | {_cell('; '.join(lv.examples))} |"
        )
    out.append("")
    return out


_CONTACT_FIELDS = ("name", "email", "phone", "pager", "slack", "url", "notes")


def contacts_table(contacts: Sequence[Contact]) -> list[str]:
    """Contacts grouped by ``group``; only the columns some contact fills."""
    out: list[str] = []
    groups: dict[str, list[Contact]] = {}
    for contact in contacts:
        groups.setdefault(contact.group or "", []).append(contact)
    for group, members in groups.items():
        if group:
            out += [f"### {literal_text(group)}", ""]
        cols = [f for f in _CONTACT_FIELDS if any(getattr(c, f) for c in members)]
        out.append("| Role | " + " | ".join(c.capitalize() for c in cols) + " |")
        out.append("|---|" + "---|" * len(cols))
        for c in members:
            cells = [_cell(getattr(c, f)) for f in cols]
            out.append(f"| {literal_text(c.role)} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def org_markdown(
    group: OrgGroup,
    schemes: Sequence[SeverityScheme],
    render_example: RenderExample,
) -> str:
    """The organisation page (``group.org`` must not be None)."""
    org = group.org
    assert org is not None
    uri = group.uri
    out = [f"# {literal_text(org.title)}", ""]
    if org.summary:
        out += [literal_text(org.summary), ""]
    if org.path:
        out += [f"Defaults from `{org.path}`, inherited by the runbooks below.", ""]

    out += ["## Severity levels", ""]
    for scheme in schemes:
        out += severity_matrix(scheme)
    if org.escalation:
        out += [
            "## Escalation",
            "",
            "| Level | Who | After | Until | When | Contact |",
            "|---|---|---|---|---|---|",
        ]
        for lv in org.escalation:
            out.append(
                f"| {literal_text(lv.level)} | {literal_text(lv.who)} | {_cell(lv.after)} "
                f"| {_cell(lv.until)} | {_cell('; '.join(lv.when))} | {_cell(lv.contact)} |"
            )
        out.append("")
    if org.contacts:
        out += ["## Contacts", "", *contacts_table(org.contacts)]
    if org.roles:
        out += ["## Roles", ""]
        for role in org.roles:
            out += [f"### {literal_text(role.name)}", ""]
            out += [f"- {literal_text(duty)}" for duty in role.duties]
            out.append("")
    if org.links:
        out += ["## Links", ""]
        for link in org.links:
            out.append(_link_line(link.title, link.url, link.path, link.notes))
        out.append("")
    out += _communications(org, render_example)
    out += _runbooks(group, uri)
    return "\n".join(out)


def _link_line(title: str, url: str | None, path: str | None, notes: str | None) -> str:
    text = literal_text(title)
    if url and url.startswith(("https://", "http://")):
        # Angle brackets keep any character of the URL out of Markdown's way; nh3 still
        # checks the scheme.
        text = f"[{text}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"
    elif url:
        text = f"{text}: `{url}`"
    if path:
        text += f": `{path}`"
    if notes:
        text += f" ({literal_text(notes)})"
    return f"- {text}"


def _communications(org: Org, render_example: RenderExample) -> list[str]:
    comms = org.communications
    if not comms.channels and not comms.templates:
        return []
    out = ["## Communications", ""]
    if comms.channels:
        out += [
            "| Channel | Audience | Cadence | Template | Notes |",
            "|---|---|---|---|---|",
        ]
        for ch in comms.channels:
            out.append(
                f"| {literal_text(ch.channel)} | {_cell(ch.audience)} | {_cell(ch.cadence)} "
                f"| {_cell(ch.template)} | {_cell(ch.notes)} |"
            )
        out.append("")
    for tpl in comms.templates:
        subject, body = render_example(tpl)
        title = tpl.title or tpl.id
        meta = ", ".join(x for x in (tpl.channel, tpl.audience, tpl.status or "") if x)
        out += [
            f"### {literal_text(title)} {{#template-{slugify(tpl.id).lower()}}}",
            "",
            f"*{literal_text(meta)}*",
            "",
        ]
        example = (f"Subject: {subject}\n\n" if subject else "") + body
        source = (f"Subject: {tpl.subject}\n\n" if tpl.subject else "") + tpl.body
        out += ['=== "Example"', "", indent_verbatim(_fenced(example, "text"))]
        out += ["", '=== "Template"', "", indent_verbatim(_fenced(source, "jinja")), ""]
    return out


def _fenced(text: str, lang: str) -> str:
    # Trailing newlines are not shown; an empty text is one empty line.
    return fenced(text.rstrip("\n") or "\n", lang)


def _runbooks(group: OrgGroup, uri: str) -> list[str]:
    out = ["## Runbooks", ""]
    if not group.runbooks():
        return [*out, "No runbook inherits these defaults yet.", ""]
    for svc in group.services:
        out += [f"### [{literal_text(svc.title)}]({relative_link(uri, svc.uri)})", ""]
        for rb in svc.runbooks:
            out.append(f"- [{literal_text(rb.title)}]({relative_link(uri, runbook_uri(rb.id))})")
        out.append("")
    return out
