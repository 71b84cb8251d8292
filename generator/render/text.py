"""Text -> Markdown, under one of two contracts, each named for it.

- ``safe_markdown`` (with its one-line forms ``escape_inline`` and ``escape_cell``): a runbook
  text field is Markdown; its formatting is kept, raw HTML never.
- ``literal_text``: a plain value (a title in a listing, a tag, an alert name) shown exactly
  as written: every Markdown character is escaped.

And the code primitives both need: ``code_span``, ``fenced`` and ``fence_for``.

Text fields (bodies, titles, symptoms, table cells, contacts ...) are Markdown, but the
people who write runbooks are not the people who read the site, so nothing in them may
become live HTML: ``<``, ``>`` and ``&`` are escaped outside code, attr_list braces are
escaped (``{: onclick=...}`` would otherwise add attributes), link targets with a scheme
other than http, https, mailto or tel are defanged, and fences are re-emitted in a
canonical form (fence longer than any backtick run, language word only) so that what
the site shows as code is exactly what we treated as code.

Python-Markdown (the site's parser) is the reference: code spans never cross a line
here (a span we skip must be a span it renders), and anything we are unsure about is
escaped, which can only make text more literal, never more live.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

__all__ = [
    "SAFE_SCHEMES",
    "bullets",
    "code_span",
    "escape_cell",
    "escape_inline",
    "fence_for",
    "fenced",
    "indent",
    "indent_verbatim",
    "link",
    "literal_text",
    "safe_markdown",
    "safe_url",
    "table",
]

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Python-Markdown's ESCAPED_CHARS (with the extensions the site uses): only these may be
# backslash-escaped without leaving a visible backslash.
_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!|")
_FENCE_OPEN = re.compile(r"^( *)(`{3,}|~{3,})[ \t]*(.*?)[ \t]*$")
_LANG = re.compile(r"[A-Za-z0-9_#+.-]+")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_REF_DEF = re.compile(r"^( {0,3})\[([^\[\]]*)\]:(.*)$")
_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+")
_FENCE_LIKE = re.compile(r"^([ \t>]*)(`{3,}|~{3,})")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_NOISE = re.compile(r"[\x00-\x20\\<>\"'`]")
# Whitespace or brackets: a placeholder (``[Case URL]``) or prose, not a link destination.
_NOT_A_URL = re.compile(r"[\s\[\]<>]")
_BACKTICKS = re.compile(r"`+")
_TILDES = re.compile(r"~+")
# Python-Markdown's ESCAPED_CHARS plus `|` (the tables extension): escaping anything
# else would leave a visible backslash.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")
_LIST_MARKER = re.compile(r"^([-+*])(?=\s)|^(\d+)\.(?=\s)")
_SPACES = re.compile(r"\s+")
_SPECIAL = re.compile(r"[\\`<>&{}(]")
_SPECIAL_HASH = re.compile(r"[\\`<>&{}(#]")
# Characters kept as they are in link destinations; the rest is percent-encoded.
_URL_SAFE = "!#$%&'*+,-./:;=?@_~"


def safe_markdown(text: str, *, heading_floor: int = 0) -> str:
    """A Markdown text field made safe for the site; formatting is kept.

    ``heading_floor`` is the level of the heading the text sits under: headings in the
    text are pushed below it, so a body cannot break the page's outline (the executor
    reads sections from headings). Fences are re-emitted canonically.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[str] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        fence = _match_fence(lines, i)
        if fence is None:
            prose.append(lines[i])
            i += 1
            continue
        out.extend(_escape_prose(prose, heading_floor))
        prose = []
        if out and out[-1].strip():
            out.append("")  # superfences glues a fence to the paragraph above it
        out.extend(fence.emit())
        if fence.end + 1 < len(lines) and lines[fence.end + 1].strip():
            out.append("")
        i = fence.end + 1
    out.extend(_escape_prose(prose, heading_floor))
    return "\n".join(out).strip("\n")


def escape_inline(text: str) -> str:
    """One line of inline Markdown (a title, a list item, link text): safe and flat.

    Newlines become spaces; ``#`` and a leading list marker are escaped so the text
    stays one inline run wherever it is placed.
    """
    flat = _SPACES.sub(" ", text).strip()
    m = _LIST_MARKER.match(flat)
    if m:
        flat = "\\" + flat if m.group(1) else f"{m.group(2)}\\.{flat[m.end() :]}"
    if flat.startswith("~~~"):
        return "&#126;" + _escape_line(flat[1:], hashes=True)
    return _escape_line(flat, hashes=True)


def escape_cell(text: str) -> str:
    """A table cell: ``escape_inline`` plus ``|`` escaped (code spans included)."""
    return escape_inline(text).replace("|", "\\|")


def code_span(text: str) -> str:
    """``text`` as an inline code span that shows it exactly (one line)."""
    flat = _SPACES.sub(" ", text).strip()
    if not flat:
        return ""
    longest = max((len(m) for m in _BACKTICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fence_for(content: str, minimum: int = 3) -> str:
    """A backtick fence longer than any backtick run in ``content``."""
    longest = max((len(m) for m in _BACKTICKS.findall(content)), default=0)
    return "`" * max(minimum, longest + 1)


def fenced(content: str, info: str) -> str:
    """A fenced block around ``content`` (never parsed): its fence is longer than any run
    of its character."""
    body = content if content.endswith("\n") or not content else content + "\n"
    if "`" in info:
        # CommonMark: a backtick fence's info string cannot hold a backtick.
        longest = max((len(m) for m in _TILDES.findall(content)), default=0)
        tildes = "~" * max(3, longest + 1)
        return f"{tildes}{info}\n{body}{tildes}"
    ticks = fence_for(content)
    return f"{ticks}{info}\n{body}{ticks}"


def literal_text(text: str) -> str:
    """Plain text as inline Markdown that renders exactly as written, never as HTML.

    Newlines become spaces, so the result is safe in a table cell or a heading.
    """
    flat = _SPACES.sub(" ", text).strip()
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def safe_url(url: str) -> str | None:
    """``url`` when it is relative or uses a safe scheme, else None."""
    cleaned = _URL_NOISE.sub("", url)
    m = _SCHEME.match(cleaned)
    if m and m.group(1).lower() not in SAFE_SCHEMES:
        return None
    if not cleaned or cleaned.startswith("&"):
        return None
    return url.strip()


@dataclass(frozen=True, slots=True)
class _Fence:
    indent: str
    lang: str
    content: list[str]
    end: int
    """Index of the closing line."""

    def emit(self) -> list[str]:
        ticks = fence_for("\n".join(self.content))
        opening = f"{self.indent}{ticks}{self.lang}"
        return [opening, *self.content, f"{self.indent}{ticks}"]


def _match_fence(lines: list[str], start: int) -> _Fence | None:
    """A fence opening at ``start`` that Python-Markdown would also see, or None.

    Only space indentation, every content line at least as indented as the opening,
    and a closing line of the same character at least as long: otherwise the lines
    are prose (escaped), which can only make them more literal.
    """
    m = _FENCE_OPEN.match(lines[start])
    if m is None:
        return None
    indent, marker, info = m.group(1), m.group(2), m.group(3)
    if marker[0] == "`" and "`" in info:
        return None  # CommonMark: not a fence, an inline code span
    for j in range(start + 1, len(lines)):
        line = lines[j]
        if not line.strip():
            continue
        if not line.startswith(indent):
            return None
        rest = line[len(indent) :]
        close = re.match(r"(`{3,}|~{3,})[ \t]*$", rest)
        if close and close.group(1)[0] == marker[0] and len(close.group(1)) >= len(marker):
            lang_match = _LANG.match(info.lstrip("."))
            lang = lang_match.group() if lang_match else ""
            content = lines[start + 1 : j]
            return _Fence(indent, lang, content, j)
        if "\t" in line[: len(line) - len(line.lstrip())]:
            return None
    return None


def _escape_prose(lines: list[str], heading_floor: int) -> list[str]:
    out: list[str] = []
    for n, line in enumerate(lines):
        if heading_floor and _SETEXT.match(line) and out and out[-1].strip():
            out.append("")  # a setext underline would make a heading above the floor
        out.append(_escape_block_line(line, lines, n, heading_floor))
    return out


def _escape_block_line(line: str, lines: list[str], n: int, heading_floor: int) -> str:
    fence_like = _FENCE_LIKE.match(line)
    if fence_like:
        # A fence opening we did not accept as a fence must not open one in either
        # parser: superfences would swallow the next real fence, markdown-it would run
        # an unclosed one to the end of the page.
        lead, marker = fence_like.groups()
        first = "&#126;" if marker[0] == "~" else "\\`"
        return lead + first + _escape_line(line[fence_like.end() - len(marker) + 1 :], hashes=False)
    ref = _REF_DEF.match(line)
    if ref:
        target = ref.group(3).strip()
        if not target and n + 1 < len(lines):
            target = lines[n + 1].strip()
        first = target.split()[0] if target.split() else ""
        if safe_url(first.strip("<>")) is None:
            line = f"{ref.group(1)}\\[{line[len(ref.group(1)) + 1 :]}"
            return _escape_line(line, hashes=False)
    prefix = ""
    quote = _QUOTE_PREFIX.match(line)
    if quote:
        prefix, line = quote.group(), line[quote.end() :]
    atx = _ATX.match(line)
    if atx and heading_floor:
        level = min(6, max(len(atx.group(2)), heading_floor + 1))
        line = f"{atx.group(1)}{'#' * level}{line[atx.end() :]}"
    return prefix + _escape_line(line, hashes=False)


def _escape_line(line: str, *, hashes: bool) -> str:
    """Inline escaping of one line: code spans kept, everything else made literal."""
    if not (_SPECIAL_HASH if hashes else _SPECIAL).search(line):
        return line  # the common case: nothing to escape
    out: list[str] = []
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] in _ESCAPABLE:
            out.append(line[i : i + 2])
            i += 2
            continue
        if ch == "`":
            run = _BACKTICKS.match(line, i)
            assert run is not None
            ticks = run.group()
            close = _find_closing_ticks(line, run.end(), len(ticks))
            if close is None:
                out.append("\\`" * len(ticks))
                i = run.end()
            else:
                out.append(line[i : close + len(ticks)])
                i = close + len(ticks)
            continue
        if ch == "<":
            auto = _AUTOLINK.match(line, i)
            if auto and safe_url(auto.group(1)) is not None:
                url = auto.group(1)
                scheme = url.split(":", 1)[0].lower()
                if scheme in ("http", "https", "mailto"):
                    out.append(f"[{_escape_line(url, hashes=True)}]({_link_target(url)})")
                    i = auto.end()
                    continue
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch in "{}":
            out.append("\\" + ch)
        elif ch == "#" and hashes:
            out.append("\\#")
        elif ch == "(" and _unsafe_destination(line, i + 1):
            out.append("\\(")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _find_closing_ticks(line: str, start: int, count: int) -> int | None:
    for m in _BACKTICKS.finditer(line, start):
        if len(m.group()) == count:
            return m.start()
    return None


def _unsafe_destination(line: str, start: int) -> bool:
    """True when the text after ``(`` starts with a URL of an unsafe scheme."""
    rest = _URL_NOISE.sub("", line[start : start + 64])
    m = _SCHEME.match(rest)
    return m is not None and m.group(1).lower() not in SAFE_SCHEMES


def _link_target(url: str) -> str:
    """A link destination Python-Markdown keeps whole: no spaces, breaks or parentheses."""
    return quote(url, safe=_URL_SAFE).replace("&", "&amp;")


def link(title: str, url: str) -> str:
    """``[title](url)`` when the URL is safe, else the title and the URL as code."""
    target = None if _NOT_A_URL.search(url.strip()) else safe_url(url)
    label = escape_inline(title).replace("[", "\\[").replace("]", "\\]")
    if target is None:
        return code_span(url) if title == url else f"{label} ({code_span(url)})"
    return f"[{label}]({_link_target(target)})"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; every cell is Markdown already fit for a cell (``escape_cell``)."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in rows)
    return "\n".join(lines)


def bullets(items: tuple[str, ...]) -> str:
    """A Markdown list of plain-text items."""
    return "\n".join(f"- {escape_inline(item)}" for item in items)


def indent(text: str) -> str:
    """Four spaces before every line with text (the body of an admonition or a tab)."""
    return "\n".join(("    " + line) if line.strip() else "" for line in text.split("\n"))


def indent_verbatim(text: str) -> str:
    """Four spaces before every non-empty line, whitespace-only lines of code included
    (a tab holding fences)."""
    return "\n".join(("    " + line) if line else "" for line in text.split("\n"))
