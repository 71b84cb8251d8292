"""Runbook model -> the complete page Markdown (Material for MkDocs flavour).

Pure functions, no I/O and no MkDocs: the site plugin, ``runbook render --out`` and the
pytest plugin all use this. Every text field goes through ``render_text`` (raw HTML never
passes); every executable step becomes a top-level fence written by
``checks.header.format_header`` (``render_blocks``), so the executor runs exactly what the
page shows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from checks.problems import Problem
from generator.model import (
    Resolution,
    Runbook,
    Scenario,
    Section,
    SeverityScheme,
    Step,
    Table,
)
from generator.render.blocks import block_command, render_step, render_variables_block
from generator.render.reference import Part, reference_parts
from generator.render.text import (
    bullets,
    code_span,
    escape_cell,
    escape_inline,
    fenced,
    indent,
    indent_verbatim,
    link,
    safe_markdown,
)
from generator.render.text import table as markdown_table
from generator.render.verified import summarize, verified_markdown

__all__ = [
    "PageContext",
    "RenderedPage",
    "block_command",
    "render_page",
    "render_runbook",
    "render_steps_markdown",
]

_CALLOUT_TYPES = frozenset(
    {"note", "abstract", "info", "tip", "success", "question", "warning", "failure", "danger",
     "bug", "example", "quote", "caution", "important", "attention", "error", "hint"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a page needs beyond its runbook (all optional)."""

    org_url: str | None = None
    """Relative link to the organisation page."""
    org_title: str | None = None
    help_url: str | None = None
    """Relative link to the site's "How to use these runbooks" page."""
    last_results: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Block id -> (status, finished_at ISO) from a check report."""
    report: bool = False
    """True when the site was built with a check report: the page says what it holds
    for this runbook ("Last verified"), even that it holds nothing."""
    today: dt.date | None = None
    """For the stale marker; None shows no marker."""
    severity_scheme: SeverityScheme | None = None
    """The scheme in force (``loader.severity_scheme``); else the runbook's own."""


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A runbook page and what went wrong while making it."""

    markdown: str
    problems: tuple[Problem, ...] = ()
    """Comms templates that could not render, located at the template (the page shows
    their source and why instead). The site fails on these; other tools may not."""


def render_runbook(runbook: Runbook, context: PageContext | None = None) -> str:
    """The complete page Markdown for ``runbook``."""
    return render_page(runbook, context).markdown


def render_page(runbook: Runbook, context: PageContext | None = None) -> RenderedPage:
    """The complete page Markdown for ``runbook`` with the problems found on the way."""
    ctx = context if context is not None else PageContext()
    page = PageBuilder(runbook, ctx)
    page.front_matter()
    page.add(f"# {escape_inline(runbook.title)}")
    if runbook.summary.strip():
        page.add(safe_markdown(runbook.summary, heading_floor=1))
    if ctx.report:
        page.add(verified_markdown(summarize(runbook, ctx.last_results)))
    page.header()
    page.variables()
    for section in runbook.sections:
        page.section(section, 2)
    page.scenarios()
    for part in reference_parts(runbook, ctx.last_results):
        page.reference(part)
    if runbook.closing.strip():
        page.add("---")
        page.add(safe_markdown(runbook.closing, heading_floor=1))
    return RenderedPage(page.text(), tuple(page.problems))


def render_steps_markdown(runbook: Runbook) -> str:
    """Only the variables block and every step, in page order (for tools, not the site)."""
    page = PageBuilder(runbook, PageContext())
    page.add(f"# {escape_inline(runbook.title)}")
    page.variables(table=False)
    for step in runbook.all_steps():
        page.blocks.extend(render_step(runbook, step, 2))
    return page.text()


class PageBuilder:
    """Collects Markdown blocks; blocks are separated by one blank line."""

    def __init__(self, runbook: Runbook, ctx: PageContext) -> None:
        self.rb = runbook
        self.ctx = ctx
        self.blocks: list[str] = []
        self.problems: list[Problem] = []
        self.scheme = ctx.severity_scheme or runbook.severities

    def add(self, block: str) -> None:
        if block.strip():
            self.blocks.append(block.rstrip("\n"))

    def text(self) -> str:
        return "\n\n".join(self.blocks) + "\n"

    # -- head --------------------------------------------------------------------------

    def front_matter(self) -> None:
        rb = self.rb
        # JSON strings are valid YAML; titles are entity-escaped because themes print
        # page titles without escaping.
        lines = ["---", f"title: {json.dumps(_plain(rb.title))}"]
        if rb.summary.strip():
            lines.append(f"description: {json.dumps(_plain(rb.summary))}")
        if rb.tags:
            lines.append(f"tags: {json.dumps([_plain(t) for t in rb.tags])}")
        lines.append("---")
        self.blocks.append("\n".join(lines))

    def severity_text(self, level_id: str) -> str:
        level = self.scheme.level(level_id) if self.scheme else None
        text = f"**{escape_inline(level_id)}**"
        if level is not None and level.label:
            text += f" ({escape_inline(level.label)})"
        return text

    def header(self) -> None:
        rb = self.rb
        rows: list[str] = []

        def row(label: str, value: str | None) -> None:
            if value:
                rows.append(f"- **{label}:** {value}")

        row("Service", escape_inline(rb.service) if rb.service else None)
        row("Owner", escape_inline(rb.owner) if rb.owner else None)
        row("Severity", self.severity_text(rb.severity) if rb.severity else None)
        row("Alerts", ", ".join(code_span(a) for a in rb.alerts) if rb.alerts else None)
        row("Version", escape_inline(rb.version) if rb.version else None)
        row("Status", escape_inline(rb.status) if rb.status else None)
        row("Audience", escape_inline(rb.audience) if rb.audience else None)
        row("On-call", escape_inline(rb.oncall) if rb.oncall else None)
        row("Last reviewed", self.review_text())
        if self.ctx.org_title:
            title, url = self.ctx.org_title, self.ctx.org_url
            row("Organisation", link(title, url) if url else escape_inline(title))
        if self.ctx.help_url:
            row("Help", link("How to use these runbooks", self.ctx.help_url))
        if rows:
            self.add("\n".join(rows))

    def review_text(self) -> str | None:
        rb = self.rb
        if not rb.last_reviewed:
            return None
        text = escape_inline(rb.last_reviewed)
        due = review_due(rb, self.ctx.today)
        if due is not None:
            text += (
                f" · **stale**{{: .rb-badge .rb-badge--stale }} (review was due {due.isoformat()})"
            )
        return text

    def variables(self, *, table: bool = True) -> None:
        variables = self.rb.variables
        if not variables:
            return
        self.add("## Variables")
        self.add(render_variables_block(variables))
        if not table:
            return
        rows: list[list[str]] = []
        for var in variables:
            notes: list[str] = []
            if var.required:
                notes.append("required")
            if var.secret:
                notes.append("secret")
            if var.choices:
                notes.append("one of " + ", ".join(code_span(c) for c in var.choices))
            if var.pattern:
                notes.append("matches " + code_span(var.pattern))
            if var.example is not None and not var.secret:
                notes.append("e.g. " + code_span(var.example))
            default = code_span(var.default) if var.default and not var.secret else ""
            cells = [code_span(var.name), escape_cell(var.description), default, "; ".join(notes)]
            rows.append([c.replace("|", "\\|") for c in cells])
        self.add(markdown_table(["Name", "Description", "Default", "Notes"], rows))

    # -- sections ----------------------------------------------------------------------

    def part(self, title: str, key: str) -> None:
        """A top-level part; says where it came from when a ``_defaults.yaml`` set it."""
        self.add(f"## {title}")
        if key in self.rb.inherited and self.ctx.org_title:
            org = self.ctx.org_title
            source = link(org, self.ctx.org_url) if self.ctx.org_url else escape_inline(org)
            self.add(f"From {source}.\n{{: .runbook-inherited }}")

    def reference(self, part: Part) -> None:
        if part.key is None:
            self.add(f"## {part.title}")
        else:
            self.part(part.title, part.key)
        for block in part.blocks:
            self.add(block)
        self.problems.extend(part.problems)

    def heading(self, level: int, title: str, ident: str | None = None) -> None:
        anchor = f" {{#{ident}}}" if ident and _is_anchor(ident) else ""
        self.add(f"{'#' * min(level, 6)} {escape_inline(title)}{anchor}")

    def section(self, section: Section, level: int) -> None:
        self.heading(level, section.title, section.id)
        window = [f"window {escape_inline(section.window)}"] if section.window else []
        self.meta_line(window, section.severity, section.alerts)
        floor = min(level, 6)
        if section.callout is not None and section.callout.text.strip():
            self.callout(section.callout.type, section.callout.title, section.callout.text, floor)
        if section.body.strip():
            self.add(safe_markdown(section.body, heading_floor=floor))
        if section.checklist:  # what to do first ("Acknowledge the page") reads first
            self.add(
                "\n".join(
                    f"- [{'x' if item.done else ' '}] {escape_inline(item.text)}"
                    for item in section.checklist
                )
            )
        self.steps(section.steps, level + 1)
        if section.table is not None:
            self.table(section.table)
        if section.diagram is not None:
            if section.diagram.title:
                self.add(f"**{escape_inline(section.diagram.title)}**")
            self.add(fenced(section.diagram.mermaid, "mermaid"))
        if section.footer.strip():
            self.add(safe_markdown(section.footer, heading_floor=floor))
        for child in section.sections:
            self.section(child, level + 1)

    def meta_line(self, meta: list[str], severity: str | None, alerts: tuple[str, ...]) -> None:
        """The line under a section's or scenario's heading: ``meta``, severity, alerts."""
        if severity:
            meta.append("severity " + self.severity_text(severity))
        if alerts:
            meta.append("alerts " + ", ".join(code_span(a) for a in alerts))
        if meta:
            self.add(" · ".join(meta) + "\n{: .runbook-section-meta }")

    def steps(self, steps: tuple[Step, ...], level: int) -> None:
        results = self.ctx.last_results
        for step in steps:
            self.blocks.extend(
                render_step(self.rb, step, level, results.get(self.rb.block_id(step)))
            )

    def callout(self, kind: str, title: str | None, text: str, floor: int) -> None:
        kind = kind if kind in _CALLOUT_TYPES else "note"
        head = f"!!! {kind}"
        if title:
            head += f' "{escape_inline(title)}"'
        self.add(head + "\n\n" + indent(safe_markdown(text, heading_floor=floor)))

    def table(self, table: Table) -> None:
        if table.caption:
            self.add(f"**{escape_inline(table.caption)}**")
        width = max([len(table.columns), *(len(r) for r in table.rows)])
        columns = list(table.columns) + [""] * (width - len(table.columns))
        rows = ([escape_cell(c) for c in [*r, *[""] * (width - len(r))]] for r in table.rows)
        self.add(markdown_table([escape_cell(c) for c in columns], rows))

    # -- scenarios ---------------------------------------------------------------------

    def scenarios(self) -> None:
        if not self.rb.scenarios:
            return
        self.add("## Scenarios")
        for scenario in self.rb.scenarios:
            self.scenario(scenario)

    def scenario(self, sc: Scenario) -> None:
        self.heading(3, sc.title, sc.id)
        self.meta_line([], sc.severity, sc.alerts)
        if sc.body.strip():
            self.add(safe_markdown(sc.body, heading_floor=3))
        if sc.symptoms:
            self.add("#### Symptoms")
            self.add(bullets(sc.symptoms))
        if sc.diagnosis:
            self.add("#### Diagnosis")
            self.steps(sc.diagnosis, 5)
        if sc.causes:
            self.add("#### Likely causes")
            self.add(bullets(sc.causes))
        if sc.resolution:
            self.add("#### Resolution")
            self.resolution(sc.resolution)
        if sc.long_term.strip():
            self.add("#### Long-term fix")
            self.add(safe_markdown(sc.long_term, heading_floor=4))
        if sc.post_incident:
            self.add("#### After the incident")
            self.add(bullets(sc.post_incident))

    def resolution(self, options: tuple[Resolution, ...]) -> None:
        # One content tab per option. checks.extract reads a tab's content as top-level
        # Markdown (as pymdownx.tabbed does), so its steps' blocks stay runnable.
        tabs: list[str] = []
        results = self.ctx.last_results
        for opt in options:
            parts: list[str] = []
            if opt.body.strip():
                parts.append(safe_markdown(opt.body, heading_floor=5))
            for step in opt.steps:
                result = results.get(self.rb.block_id(step))
                parts.extend(b.rstrip("\n") for b in render_step(self.rb, step, 5, result))
            body = "\n\n".join(p for p in parts if p.strip()) or escape_inline(opt.when)
            title = escape_inline(opt.when).replace('"', "&quot;")
            tabs.append(f'=== "{title}"\n\n' + indent_verbatim(body))
        self.add("\n\n".join(tabs))


def review_due(runbook: Runbook, today: dt.date | None) -> dt.date | None:
    """The date a review became due, when the runbook is stale on ``today``; else None."""
    due = runbook.review_due()
    return due if today is not None and due is not None and today > due else None


def _plain(text: str) -> str:
    """Front matter text: one line, entities for ``<>&"``."""
    import html

    return html.escape(" ".join(text.split()), quote=True)


def _is_anchor(ident: str) -> bool:
    return bool(ident) and ident[0].isalnum() and all(c.isalnum() or c in "_-.:" for c in ident)
