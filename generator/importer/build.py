"""One Markdown file -> a draft runbook: fields, a section tree, steps, warnings.

Headings become sections (relative nesting; a skipped level attaches to the nearest
shallower heading); the H1 (or front matter) gives the title; the text before the first
section the summary. A page written by ``runbook render`` reads back as the steps it came
from: its step headings and meta lines are recognised, not turned into sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from generator.importer.carve import Carver
from generator.importer.drafts import SectionDraft, Warning_
from generator.importer.fields import FrontFields, map_front_matter
from generator.importer.markdown import Heading, Parsed, parse_body
from generator.importer.naming import (
    Ids,
    alert_name,
    heading_slugs,
    id_from_path,
    slugify,
    stem_of,
    title_from_stem,
)
from generator.importer.options import ImportOptions
from generator.importer.source import read_source
from generator.importer.table import CommandTable

__all__ = ["Draft", "build_draft"]

_STEP_META = re.compile(r"^\*\*(?:check|action|destructive|manual)\*\*.*$")
_META_ATTR = re.compile(r"^\{: \.runbook-(?:meta|section-meta|inherited)\b[^}]*\}\s*$")
_SECTION_META = re.compile(r"^(?:window |severity |alerts ).*$")
_ORG_TITLES = (
    (
        re.compile(
            r"severit(?:y|ies)\s+(?:level|matri|definition|scheme|table)|^severit(?:y|ies)$", re.I
        ),
        "a severity matrix: a candidate for 'severities' in _defaults.yaml",
    ),
    (
        re.compile(r"escalation|on-?call rotation", re.I),
        "escalation: a candidate for 'escalation' in _defaults.yaml",
    ),
    (
        re.compile(r"contacts?\b|who to (?:call|contact)", re.I),
        "contacts: a candidate for 'contacts' in _defaults.yaml",
    ),
    (
        re.compile(
            r"(?:message|comms?|communication|status ?page|slack|email)\s+templates?"
            r"|templates? for",
            re.I,
        ),
        "message templates: a candidate for comms templates ('communications.templates')",
    ),
    (
        re.compile(
            r"post-?mortem|post-incident review|incident report template|retrospective", re.I
        ),
        "a postmortem template: a candidate for 'post_incident.postmortem_template'",
    ),
    (
        re.compile(r"^roles?\b|incident roles|responsibilities", re.I),
        "roles: a candidate for 'roles' in _defaults.yaml",
    ),
)
_TABLE_ALERT = re.compile(r"^\|?\s*`?\[?([A-Za-z][A-Za-z0-9_:.]*)\]?(?:\([^)]*\))?`?\s*\|")


@dataclass(slots=True)
class Draft:
    """Everything one file gives, before bash syntax is known and before YAML."""

    source: str
    """The input path as given (for messages and provenance)."""
    id: str
    id_from: str
    fields: dict[str, Any]
    front_comments: list[str]
    top_comments: list[str]
    sections: list[SectionDraft]
    declared: dict[str, dict[str, Any]]
    warnings: list[Warning_]
    anchors: dict[str, str]
    """Old heading anchors -> new section ids (for in-page links)."""
    snippets: int = 0
    generated_title: bool = False
    stats: dict[str, int] = field(default_factory=dict)


def build_draft(path: str, data: bytes, opts: ImportOptions, table: CommandTable) -> Draft:
    """Read ``data`` (the bytes of ``path``) into a draft; never raises for any input."""
    src = read_source(data)
    warnings = [Warning_(1, 1, "encoding", note) for note in src.notes]
    front = (
        map_front_matter(src.front, opts.severity_map) if src.front is not None else FrontFields()
    )
    warnings.extend(Warning_(n.line, 1, n.code, n.message) for n in front.notes)
    parsed = parse_body(src.text)
    builder = _Builder(path, parsed, src.line_offset, opts, table, warnings)
    return builder.build(front)


class _Builder:
    def __init__(
        self,
        path: str,
        parsed: Parsed,
        offset: int,
        opts: ImportOptions,
        table: CommandTable,
        warnings: list[Warning_],
    ) -> None:
        self.path = path
        self.parsed = parsed
        self.offset = offset
        self.warnings = warnings
        self.section_ids = Ids()
        self.rendered_id: str | None = None
        self.carver = Carver(
            parsed.lines, parsed.fences, offset, table, opts, Ids(), lambda: self.rendered_id or ""
        )

    def build(self, front: FrontFields) -> Draft:
        parsed = self.parsed
        headings = list(parsed.headings)
        step_headings = self._rendered_steps(headings)
        headings = [h for h in headings if h.start not in step_headings]
        fields = dict(front.values)
        title_heading = self._title_heading(headings, fields.get("title"))
        generated_title = False
        if title_heading is not None:
            if "title" not in fields:
                fields["title"] = title_heading.title
            headings.remove(title_heading)
        if not fields.get("title"):
            fields["title"] = title_from_stem(self.path)
            generated_title = True
        self._alerts(fields, title_heading)
        first = headings[0].start if headings else len(parsed.lines)
        top_comments: list[str] = []
        preamble = SectionDraft("overview", "Overview", self.offset + 1, title_generated=True)
        start = (
            title_heading.end if title_heading is not None and title_heading.start < first else 0
        )
        before = ""
        if title_heading is not None and start and title_heading.start > 0:
            before = "\n".join(parsed.lines[: title_heading.start]).strip()
        self.carver.carve(preamble, start, first)
        sections: list[SectionDraft] = []
        summary_parts = [before] if before else []
        if preamble.steps or preamble.diagram is not None:
            preamble.id = self.section_ids.claim("overview")
            sections.append(preamble)
        else:
            summary_parts.append(preamble.body)
        summary = "\n\n".join(p for p in summary_parts if p.strip())
        if summary.strip():
            existing = str(fields.get("summary", ""))
            if existing and not " ".join(summary.split()).startswith(" ".join(existing.split())):
                fields["summary"] = existing + "\n\n" + summary
            else:
                fields["summary"] = summary
        sections.extend(self._sections(headings))
        anchors = self._anchors(list(parsed.headings), sections)
        rid = self.rendered_id or id_from_path(self.path)
        id_from = (
            "block ids"
            if self.rendered_id
            else ("folder" if slugify(stem_of(self.path)) != rid else "file name")
        )
        self._org_content(sections, fields)
        return Draft(
            source=self.path,
            id=rid,
            id_from=id_from,
            fields=fields,
            front_comments=front.comments,
            top_comments=top_comments,
            sections=sections,
            declared=self.carver.declared,
            warnings=self.warnings + self.carver.warnings,
            anchors=anchors,
            snippets=self.carver.snippets,
            generated_title=generated_title,
        )

    def _rendered_steps(self, headings: list[Heading]) -> set[int]:
        """Headings ``runbook render`` wrote for steps (a meta line follows them)."""
        lines = self.parsed.lines
        found: set[int] = set()
        for heading in headings:
            i = heading.end
            while i < len(lines) and not lines[i].strip():
                i += 1
            if i + 1 < len(lines) and _STEP_META.match(lines[i]) and _META_ATTR.match(lines[i + 1]):
                found.add(heading.start)
                self.carver.step_titles[heading.start] = heading.title
                self.carver.drop.update(range(heading.start, heading.end))
                self.carver.drop.update((i, i + 1))
            elif (
                i + 1 < len(lines)
                and _SECTION_META.match(lines[i])
                and _META_ATTR.match(lines[i + 1])
            ):
                self.carver.drop.update((i, i + 1))
        for fence in self.parsed.fences:
            if "{" in fence.info and "--" in fence.info and found:
                match = re.search(r"#([a-z0-9][a-z0-9-]*?)--", fence.info)
                if match is not None and self.rendered_id is None:
                    self.rendered_id = match.group(1)
        return found

    def _title_heading(self, headings: list[Heading], title: object) -> Heading | None:
        if not headings or headings[0].level != 1:
            return None
        first = headings[0]
        if title and " ".join(str(title).split()).lower() != " ".join(first.title.split()).lower():
            return None
        return first

    def _alerts(self, fields: dict[str, Any], title_heading: Heading | None) -> None:
        if fields.get("alerts"):
            return
        for candidate in (title_heading.title if title_heading else "", stem_of(self.path)):
            name = alert_name(candidate)
            if name is not None:
                fields["alerts"] = [name]
                return

    def _sections(self, headings: list[Heading]) -> list[SectionDraft]:
        top: list[SectionDraft] = []
        stack: list[tuple[int, SectionDraft]] = []
        lines = self.parsed.lines
        for index, heading in enumerate(headings):
            end = headings[index + 1].start if index + 1 < len(headings) else len(lines)
            title = heading.title.strip()
            generated = not title
            if generated:
                title = "Untitled section"
                self.warnings.append(
                    Warning_(
                        heading.start + 1 + self.offset,
                        1,
                        "heading",
                        "a heading without text; titled 'Untitled section'",
                    )
                )
            wanted = slugify(heading.anchor or title)
            section = SectionDraft(
                self.section_ids.claim(wanted), title, heading.start + 1 + self.offset, generated
            )
            name = alert_name(title)
            if name is not None:
                section.alerts.append(name)
            self.carver.carve(section, heading.end, end)
            if not section.alerts:
                section.alerts.extend(_table_alerts(section.body + "\n" + section.footer))
            empty = not (section.body or section.steps or section.footer or section.diagram)
            leaf = index + 1 == len(headings) or headings[index + 1].level <= heading.level
            if empty and section.declares_variables and leaf:
                continue  # only the variables block: it became `variables:`
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            (stack[-1][1].children if stack else top).append(section)
            stack.append((heading.level, section))
        return top

    def _anchors(self, headings: list[Heading], sections: list[SectionDraft]) -> dict[str, str]:
        by_line = {s.line: s.id for s in _walk(sections)}
        anchors: dict[str, str] = {}
        seen: dict[str, int] = {}
        for heading in headings:
            new = by_line.get(heading.start + 1 + self.offset)
            for n, slug in enumerate(heading_slugs(heading.title)):
                count = seen.get(f"{n}:{slug}", 0)
                seen[f"{n}:{slug}"] = count + 1
                old = slug if count == 0 else (f"{slug}-{count}" if n == 0 else f"{slug}_{count}")
                if new is not None and old and old != new:
                    anchors.setdefault(old, new)
            if new is not None and heading.anchor and heading.anchor != new:
                anchors[heading.anchor] = new
        return anchors

    def _org_content(self, sections: list[SectionDraft], fields: dict[str, Any]) -> None:
        for section in _walk(sections):
            for pattern, what in _ORG_TITLES:
                if pattern.search(section.title):
                    self.warnings.append(
                        Warning_(
                            section.line,
                            1,
                            "org-content",
                            f"section '{section.title}' looks like {what}; kept as prose",
                        )
                    )
                    break


def _walk(sections: list[SectionDraft]) -> list[SectionDraft]:
    out: list[SectionDraft] = []
    for section in sections:
        out.append(section)
        out.extend(_walk(section.children))
    return out


def _table_alerts(text: str) -> list[str]:
    """Alert names in the first column of a table whose first header cell says 'alert'."""
    if "|" not in text:
        return []
    out: list[str] = []
    in_table = False
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped.startswith("|") and "|" not in stripped:
            in_table = False
            continue
        first = stripped.strip("|").split("|", 1)[0].strip().lower()
        if not in_table:
            in_table = "alert" in first
            continue
        if set(first) <= set("-: "):
            continue
        match = _TABLE_ALERT.match(stripped if stripped.startswith("|") else "|" + stripped)
        if match is not None:
            name = alert_name(match.group(1))
            if name is not None and name not in out:
                out.append(name)
    return out
