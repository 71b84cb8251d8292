"""Prose Markdown -> prose Markdown for a text field, nothing lost.

HTML comments are taken out (they become YAML comments), HTML with a Markdown equivalent is
converted, ``<word>`` that is not an HTML tag is escaped so no renderer swallows it as a tag,
and in-page links follow renamed anchors. Code (fences, indented blocks, code spans) is
never touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["ProseResult", "clean_prose", "file_links", "rewrite_links"]

_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)", re.S)
_HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "big",
        "blockquote",
        "br",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "font",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "iframe",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "section",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "audio",
        "source",
        "picture",
        "script",
        "style",
        "nav",
        "header",
        "footer",
        "main",
        "article",
        "aside",
        "input",
        "label",
        "button",
        "form",
        "select",
        "option",
        "textarea",
        "meta",
        "link",
        "html",
        "head",
        "body",
        "title",
    ]
)
_ANGLE_WORD = re.compile(r"(?<![\\<\w])<([A-Za-z][A-Za-z0-9_.:-]*(?: [A-Za-z0-9_.:-]+){0,4})>(?!>)")
_INLINE_TAGS = (
    (re.compile(r"<(?:b|strong)>(.+?)</(?:b|strong)>", re.I | re.S), r"**\1**"),
    (re.compile(r"<(?:i|em)>(.+?)</(?:i|em)>", re.I | re.S), r"*\1*"),
    (re.compile(r"<(?:code|kbd|tt|samp)>([^`<]+?)</(?:code|kbd|tt|samp)>", re.I), r"`\1`"),
    (
        re.compile(r"<a\s+href=\"([^\"<>\s]+)\"\s*(?:target=\"_blank\"\s*)?>([^<]+?)</a>", re.I),
        r"[\2](\1)",
    ),
    (re.compile(r"<img\s+src=\"([^\"<>\s]+)\"\s+alt=\"([^\"<>]*)\"\s*/?>", re.I), r"![\2](\1)"),
    (re.compile(r"<img\s+alt=\"([^\"<>]*)\"\s+src=\"([^\"<>\s]+)\"\s*/?>", re.I), r"![\1](\2)"),
)
_BLOCK_WRAPPERS = re.compile(r"^[ \t]*</?(?:p|div|center|span)(?:\s+[^<>]*)?>[ \t]*$", re.I)
_BR_END = re.compile(r"[ \t]*<br\s*/?>[ \t]*$", re.I)
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_LINK = re.compile(r"(\]\(\s*<?|href=[\"'])#([^)\s\"'>]+)")
_FILE_LINK = re.compile(r"\]\(\s*<?(?![A-Za-z][A-Za-z0-9+.-]*:|#|/)([^)\s>]+)")
_REF_DEFINITION = re.compile(
    r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?(?![A-Za-z][A-Za-z0-9+.-]*:|#|/)([^\s>]+)", re.M
)
_BLANK_RUN = re.compile(r"\n(?:[ \t]*\n){2,}")


@dataclass(slots=True)
class ProseResult:
    text: str
    comments: list[str] = field(default_factory=list)
    """HTML comments, their text only, in order."""
    converted: int = 0
    """HTML tags replaced by Markdown."""
    html_kept: list[str] = field(default_factory=list)
    """Tags left as they are (the site shows them as text)."""
    escaped: int = 0
    """``<word>`` escaped."""


def clean_prose(text: str) -> ProseResult:
    """``text`` ready for a Markdown field; code untouched."""
    result = ProseResult(text)
    if "<" not in text and "\n\n\n" not in text:
        return result
    result.text = _outside_code(text, lambda part: _clean_part(part, result))
    return result


def rewrite_links(text: str, anchors: Mapping[str, str]) -> str:
    """``](#old)`` and ``href="#old"`` pointed at the new anchor for renamed headings."""
    if "#" not in text or not anchors:
        return text

    def fix(part: str) -> str:
        return _LINK.sub(lambda m: m.group(1) + "#" + anchors.get(m.group(2), m.group(2)), part)

    return _outside_code(text, fix)


def file_links(text: str) -> list[str]:
    """Targets of links, images and reference definitions that point at files (relative
    paths): the site cannot follow them out of an imported runbook."""
    found: list[str] = []

    def collect(part: str) -> str:
        found.extend(m.group(1) for m in _FILE_LINK.finditer(part))
        found.extend(m.group(1) for m in _REF_DEFINITION.finditer(part))
        return part

    if "](" in text or "]:" in text:
        _outside_code(text, collect)
    return found


def _clean_part(part: str, result: ProseResult) -> str:
    if "<!--" in part:

        def take(match: re.Match[str]) -> str:
            result.comments.append(match.group(1).strip("\n"))
            return ""

        part = _COMMENT.sub(take, part)
    lines = []
    for line in part.split("\n"):
        if _BLOCK_WRAPPERS.match(line):
            result.converted += 1
            lines.append("")
            continue
        if _BR_END.search(line):
            line = _BR_END.sub("\\\\", line)
            result.converted += 1
        for pattern, replacement in _INLINE_TAGS:
            line, count = pattern.subn(replacement, line)
            result.converted += count
        lines.append(line)
    part = "\n".join(lines)
    for match in _ANY_TAG.finditer(part):
        name = match.group(0).strip("</>").split()[0].rstrip("/").lower()
        if name in _HTML_TAGS:
            result.html_kept.append(match.group(0))

    def escape(match: re.Match[str]) -> str:
        if match.group(1).split()[0].lower() in _HTML_TAGS:
            return match.group(0)
        result.escaped += 1
        return "\\" + match.group(0)

    part = _ANGLE_WORD.sub(escape, part)
    return _BLANK_RUN.sub("\n\n", part) if "\n\n\n" in part else part


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the text outside fences and code spans."""
    out: list[str] = []
    prose: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = _FENCE.match(line)
        if fence is None:
            if match is None:
                prose.append(line)
                continue
            if prose:
                out.append(_spans(change, "\n".join(prose)))
                prose = []
            fence = match.group(1)
            out.append(line)
            continue
        out.append(line)
        closing = match is not None and match.group(1)[0] == fence[0]
        long_enough = match is not None and len(match.group(1)) >= len(fence)
        if closing and long_enough and match is not None and not line[match.end() :].strip():
            fence = None
    if prose:
        out.append(_spans(change, "\n".join(prose)))
    return "\n".join(out)


def _spans(change: Callable[[str], str], text: str) -> str:
    if "`" not in text:
        return change(text)
    out: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        out.append(change(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(change(text[last:]))
    return "".join(out)
