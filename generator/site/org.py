"""Markdown of an organisation page: what one ``_defaults.yaml`` declares.

Severity matrix (one per scheme in force among the organisation's runbooks), escalation,
contacts, roles, links, comms channels, and each comms template rendered with its
examples through the same function the CLI uses (``render_example``), so a template that
cannot render fails the build with its location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from generator.model import CommsTemplate, Org, SeverityScheme
from generator.render.reference import channels_table, inherited_parts
from generator.render.text import (
    escape_cell,
    escape_inline,
    fenced,
    indent_verbatim,
    literal_text,
    safe_markdown,
)
from generator.site.layout import OrgGroup, relative_link, runbook_uri, slugify
from generator.site.pages import Results, last_verified_cell

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
    return escape_cell(text) if text else ""


def severity_matrix(scheme: SeverityScheme) -> list[str]:
    """One table row per level: label, impact, response, update cadence, escalation."""
    out = [
        f"### Severity scheme: {escape_inline(scheme.name)}",
        "",
        "| Level | Label | Impact | Response | Updates every | Escalation | Examples |",
        "|---|---|---|---|---|---|---|",
    ]
    for lv in scheme.levels:
        impact = " ".join(x for x in (lv.impact, *lv.criteria) if x)
        out.append(
            f"| **{escape_cell(lv.id)}** | {_cell(lv.label)} | {_cell(impact)} "
            f"| {_cell(lv.response)} | {format_seconds(lv.update_every)} "
            f"| {_cell(' → '.join(lv.escalation))} | {_cell('; '.join(lv.examples))} |"
        )
    out.append("")
    return out


def org_markdown(
    group: OrgGroup,
    schemes: Sequence[SeverityScheme],
    render_example: RenderExample,
    results: Results = None,
) -> str:
    """The organisation page (``group.org`` must not be None); with a check report's
    ``results``, each runbook says when it was last verified."""
    org = group.org
    assert org is not None
    uri = group.uri
    out = [f"# {escape_inline(org.title)}", ""]
    if org.summary.strip():
        out += [safe_markdown(org.summary, heading_floor=1), ""]
    if org.path:
        out += [f"Defaults from `{org.path}`, inherited by the runbooks below.", ""]

    out += ["## Severity levels", ""]
    for scheme in schemes:
        out += severity_matrix(scheme)
    for part in inherited_parts(org):
        out += [f"## {part.title}", ""]
        for block in part.blocks:
            out += [block, ""]
    out += _communications(org, render_example)
    out += _runbooks(group, uri, results)
    return "\n".join(out)


def _communications(org: Org, render_example: RenderExample) -> list[str]:
    comms = org.communications
    if not comms.channels and not comms.templates:
        return []
    out = ["## Communications", ""]
    if comms.channels:
        out += [channels_table(comms.channels), ""]
    for tpl in comms.templates:
        subject, body = render_example(tpl)
        title = tpl.title or tpl.id
        meta = ", ".join(x for x in (tpl.channel, tpl.audience, tpl.status or "") if x)
        out += [
            f"### {escape_inline(title)} {{#template-{slugify(tpl.id).lower()}}}",
            "",
            f"*{escape_inline(meta)}*",
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


def _runbooks(group: OrgGroup, uri: str, results: Results) -> list[str]:
    out = ["## Runbooks", ""]
    if not group.runbooks():
        return [*out, "No runbook inherits these defaults yet.", ""]
    for svc in group.services:
        out += [f"### [{literal_text(svc.title)}]({relative_link(uri, svc.uri)})", ""]
        for rb in svc.runbooks:
            link = relative_link(uri, runbook_uri(rb.id))
            last = ""
            if results is not None:
                last = f" · last verified: {last_verified_cell(rb, results, link)}"
            out.append(f"- [{literal_text(rb.title)}]({link}){last}")
        out.append("")
    return out
