"""Markdown -> checks: the tagged fences of a page, its outputs and its variables.

What runs is exactly what the page shows, so a tagged fence the site would not show as
a code block (inside a list item or a block quote, glued to a paragraph, indented inside
an admonition) is a located problem, never a silently ignored block. Content tabs
(pymdownx.tabbed, ``=== "Title"`` at the top level) are read the way the site reads
them: their content is a document of its own, so a fence there runs like a top-level one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from checks.encoding import NotUtf8, decode_utf8
from checks.header import BlockHeader, HeaderError, is_tagged, parse_header
from checks.model import Check, SourceLocation, Variable
from checks.page_variables import block_problem, parse_variables
from checks.problems import Problem, did_you_mean

_FENCE_OPEN = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(.*)$")
_TOP_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# pymdownx.tabbed's tab start (TabbedProcessor.START), one line at the top level.
_TAB_START = re.compile(r'^={3}(?:\+|\+!|!\+|!)? +".*?" *\r?$', re.M)
_HEADING_ID = re.compile(r"\s*\{([^}]*)\}\s*$")


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything executable a page declares."""

    checks: tuple[Check, ...] = ()
    """Executable and manual blocks in page order."""
    variables: tuple[Variable, ...] = ()
    """From the page's ``{.runbook-variables}`` block."""
    problems: tuple[Problem, ...] = ()
    """Located errors (rule ``block``); a page with problems must not run."""
    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Block id -> ids of the headings that enclose it, outermost first."""
    untagged: int = 0
    """Fenced code blocks without a block header: the site shows them, nothing runs them
    (so a page of plain Markdown can be told how to make one run)."""


def extract_file(path: str) -> Extraction:
    """Read a Markdown file and extract it (path is kept as given in locations). A file
    that is not UTF-8 is one located problem (MkDocs reads pages as UTF-8 too, a byte
    order mark allowed)."""
    with open(path, "rb") as handle:
        data = handle.read()
    return extract_bytes(data, path)


def extract_bytes(data: bytes, path: str) -> Extraction:
    """``extract_file`` of a file's bytes already read."""
    try:
        text = decode_utf8(data, path)
    except NotUtf8 as exc:
        return Extraction(problems=(block_problem(exc.location, exc.message),))
    return extract_markdown(text, path)


def extract_markdown(text: str, path: str) -> Extraction:
    """Extract checks, outputs and variables from page Markdown."""
    from markdown_it import MarkdownIt

    lines = text.splitlines()
    state = _State(path=path, lines=lines)
    parsed = text
    if _TAB_START.search(text):
        untabbed, state.tab_titles = untab(text.split("\n"))
        parsed = "\n".join(untabbed)
    tokens = MarkdownIt("commonmark").parse(parsed)
    containers: list[str] = []
    headings: list[tuple[int, str, str]] = []  # (level, title, id)
    pending_heading: int | None = None
    for tok in tokens:
        if tok.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            containers.append("a block quote" if tok.type == "blockquote_open" else "a list item")
        elif tok.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            containers.pop()
        elif tok.type == "heading_open":
            pending_heading = int(tok.tag[1:])
        elif tok.type == "inline" and pending_heading is not None:
            title, ident = _split_heading(tok.content)
            headings = [h for h in headings if h[0] < pending_heading]
            headings.append((pending_heading, title, ident))
            pending_heading = None
        elif tok.type == "html_block" and tok.map is not None:
            state.in_html.update(range(*tok.map))
        elif tok.type == "fence" and tok.map is not None:
            state.handled.add(tok.map[0])
            if not is_tagged(tok.info):
                state.untagged += 1
            else:
                closed = _closes(state.lines, tok.map[1] - 1, tok.markup, tok.map[0])
                if closed:
                    state.add_fence(tok.info, tok.content, tok.map[0], containers, headings)
                else:
                    col = len(state.lines[tok.map[0]]) - len(state.lines[tok.map[0]].lstrip())
                    state.error(
                        tok.map[0],
                        col,
                        f"tagged block is not closed by a line of exactly '{tok.markup}': "
                        "the site would show it as text, so it never runs",
                    )
    state.flag_unrendered()
    return state.finish()


def _closes(lines: list[str], last: int, markup: str, first: int) -> bool:
    """True when line ``last`` closes the fence opened at ``first`` the way Python-Markdown
    (SuperFences) needs: the same fence characters, exactly as many. markdown-it also
    accepts a longer closing fence, or none at the end of the document."""
    return last > first and last < len(lines) and lines[last].strip() == markup


@dataclass
class _State:
    """What one page has given so far, as its tokens are read in order."""

    path: str
    lines: list[str]
    checks: list[Check] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outputs: list[tuple[BlockHeader, str, SourceLocation]] = field(default_factory=list)
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    handled: set[int] = field(default_factory=set)
    in_html: set[int] = field(default_factory=set)
    """0-based lines markdown-it reads as raw HTML (a ``<div>``, ``<pre>``, any element)."""
    seen_variables_block: SourceLocation | None = None
    tab_titles: frozenset[int] = frozenset()
    """0-based lines of content tab titles (``=== "Title"``)."""
    untagged: int = 0

    def locate(self, line0: int, col0: int) -> SourceLocation:
        """The one conversion of markdown-it's 0-based line (``token.map``) and a 0-based
        column on that line into a 1-based location."""
        return SourceLocation(self.path, line0 + 1, col0 + 1)

    def error(self, line0: int, col0: int, message: str) -> None:
        self.problems.append(block_problem(self.locate(line0, col0), message))

    def add_fence(
        self,
        info: str,
        content: str,
        line0: int,
        containers: list[str],
        headings: list[tuple[int, str, str]],
    ) -> None:
        raw = self.lines[line0]
        fence_col = len(raw) - len(raw.lstrip())
        where = self.locate(line0, fence_col)
        if containers:
            self.error(
                line0,
                fence_col,
                f"tagged block inside {containers[-1]}: the site does not show it as a "
                "runnable code block; move it to the top level",
            )
            return
        if line0 > 0 and self.lines[line0 - 1].strip() and line0 - 1 not in self.tab_titles:
            self.error(
                line0,
                fence_col,
                "tagged block needs a blank line before it (the site would glue it to the "
                "text above)",
            )
            return
        try:
            header = parse_header(info)
        except HeaderError as exc:
            info_at = self.locate(line0, _info_column(raw))
            self.problems.append(block_problem(exc.located(info_at), exc.message))
            return
        role = header.role
        if role == "step":
            self.add_check(header, content, where, headings)
        elif role in ("expected-output", "sample-output"):
            self.outputs.append((header, content, where))
        elif role == "variables":
            self.add_variables(content, line0, where)

    def add_check(
        self,
        header: BlockHeader,
        content: str,
        where: SourceLocation,
        headings: list[tuple[int, str, str]],
    ) -> None:
        assert header.id is not None and header.risk is not None
        if header.id in self.sections:  # one entry per block added: a set lookup
            first = next(c for c in self.checks if c.id == header.id)
            message = f"duplicate block id '{header.id}' (first at {first.location})"
            self.problems.append(block_problem(where, message))
            return
        step = header.id.split("--", 1)[-1]
        enclosing = [h for h in headings if h[2] not in (header.id, step)]
        title = headings[-1][1] if headings else ""
        self.sections[header.id] = tuple(h[2] for h in enclosing if h[2])
        self.checks.append(
            Check(
                id=header.id,
                risk=header.risk,
                lang=header.lang,
                command=content,
                options=header.options,
                location=where,
                title=title,
                section=next((h[2] for h in reversed(enclosing) if h[2]), ""),
            )
        )

    def add_variables(self, content: str, line0: int, where: SourceLocation) -> None:
        if self.seen_variables_block is not None:
            first_at = self.seen_variables_block
            message = f"second .runbook-variables block (the first is at {first_at})"
            self.problems.append(block_problem(where, message))
            return
        self.seen_variables_block = where
        variables, problems = parse_variables(content, self.path, where.line + 1)
        self.variables.extend(variables)
        self.problems.extend(problems)

    def flag_unrendered(self) -> None:
        """Tagged fence openings that markdown-it did not see as fences at all."""
        inside: tuple[str, int] | None = None
        for i, raw in enumerate(self.lines):
            m = _FENCE_OPEN.match(raw)
            if inside is not None:
                closes = m and m.group(2)[0] == inside[0] and len(m.group(2)) >= inside[1]
                if closes and m and not m.group(3).strip():
                    inside = None
                continue
            if not m:
                continue
            if i in self.handled:
                inside = (m.group(2)[0], len(m.group(2)))
                continue
            if is_tagged(m.group(3)) and i in self.in_html:
                # pymdownx.superfences finds fences before Python-Markdown sees the HTML,
                # so the site shows this block as code; markdown-it reads it as HTML.
                self.error(
                    i,
                    len(m.group(1)),
                    "tagged block inside an HTML element (<div>, <pre> ...): the site shows "
                    "it as code but it is not extracted, so it never runs; move it out of "
                    "the element",
                )
            elif is_tagged(m.group(3)) and m.group(1):
                self.error(
                    i,
                    len(m.group(1)),
                    "tagged block is indented (inside an admonition or code block): it is "
                    "not extracted; move it to the top level or into a top-level content tab",
                )

    def finish(self) -> Extraction:
        by_id = {c.id: i for i, c in enumerate(self.checks)}
        checks = list(self.checks)
        for header, content, where in self.outputs:
            target = header.for_id or ""
            index = by_id.get(target)
            if index is None:
                hint = did_you_mean(target, by_id) if by_id else " (the page has no blocks)"
                self.problems.append(
                    block_problem(where, f"for='{target}' names no block on this page{hint}")
                )
                continue
            if header.role == "expected-output":
                checks[index] = replace(checks[index], expected_output=content)
            else:
                checks[index] = replace(checks[index], sample_output=content)
        self.problems.sort(key=lambda p: (p.location.line, p.location.col))
        return Extraction(
            checks=tuple(checks),
            variables=tuple(self.variables),
            problems=tuple(self.problems),
            sections=dict(self.sections),
            untagged=self.untagged,
        )


def untab(lines: list[str]) -> tuple[list[str], frozenset[int]]:
    """Content tabs (pymdownx.tabbed) opened up for markdown-it, line for line.

    A ``=== "Title"`` line at the top level (outside fences) starts a tab; the lines after
    it that are blank or indented by four spaces are its content, which Python-Markdown
    parses as a document of its own. Those lines lose four spaces (the title line becomes
    blank), so markdown-it sees their fences where the site shows them, at the same line
    numbers. Anything indented further stays indented, and so stays unextracted.
    Returns the new lines and the indices of the title lines.
    """
    out = list(lines)
    titles: set[int] = set()
    _untab_into(out, 0, len(out), titles)
    return out, frozenset(titles)


def _untab_into(lines: list[str], start: int, end: int, titles: set[int]) -> None:
    i = start
    fence: tuple[str, int] | None = None
    while i < end:
        line = lines[i]
        m = _TOP_FENCE.match(line)
        if fence is not None:
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]
            if closes and m and not m.group(2).strip():
                fence = None
            i += 1
            continue
        if m:
            fence = (m.group(1)[0], len(m.group(1)))
            i += 1
            continue
        if not _TAB_START.match(line):
            i += 1
            continue
        titles.add(i)
        lines[i] = ""
        j = i + 1
        while j < end and (not lines[j].strip() or lines[j].startswith("    ")):
            lines[j] = lines[j][4:] if lines[j].startswith("    ") else ""
            j += 1
        _untab_into(lines, i + 1, j, titles)  # tabs nest
        i = j


def _split_heading(content: str) -> tuple[str, str]:
    """``Title {#id .class}`` -> (``Title``, ``id``)."""
    m = _HEADING_ID.search(content)
    if not m:
        return content.strip(), ""
    ident = next((t[1:] for t in m.group(1).split() if t.startswith("#")), "")
    return content[: m.start()].strip(), ident


def _info_column(raw: str) -> int:
    """0-based column where the fence's info string starts on its opening line."""
    m = _FENCE_OPEN.match(raw)
    if not m:
        return 0
    start = m.end(2)
    while start < len(raw) and raw[start] in " \t":
        start += 1
    return start
