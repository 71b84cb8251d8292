"""What the plugin does to pages after Python-Markdown: fewer bytes, nothing shown twice.

- The ``{.runbook-variables}`` block stays in the page Markdown (``checks.extract`` reads
  the declarations from it) but leaves the HTML: readers see the variables table.
- Runbook pages keep a table of contents two levels deep (sections and their steps);
  Material prints the TOC twice per page (sidebar and mobile drawer), and every step of
  every scenario made it the biggest part of a seed page. Search still indexes every
  heading: it reads the full TOC before this trims it.
- Whitespace between tags (Material's templates indent heavily) shrinks to one newline,
  outside ``<pre>``, ``<code>``, ``<textarea>``, ``<script>`` and ``<style>``.
"""

from __future__ import annotations

import re
from typing import Any

_VARIABLES_BLOCK = re.compile(
    r'<pre\b[^>]*>\s*<code\b[^>]*\bclass="[^"]*\brunbook-variables\b[^"]*"[^>]*>.*?</code>'
    r"\s*</pre>\n?",
    re.S,
)
_VERBATIM = re.compile(
    r"(<(pre|code|textarea|script|style)\b.*?</\2\s*>)",
    re.S | re.I,
)
_BLANK_RUN = re.compile(r"[ \t\r\f\v]*\n\s*")

TOC_DEPTH = 3
"""Deepest heading level in a runbook page's table of contents (``###``)."""


def drop_variables_block(html: str) -> str:
    """``html`` without the ``{.runbook-variables}`` code block."""
    return _VARIABLES_BLOCK.sub("", html)


def shallow_toc(items: Any, depth: int = TOC_DEPTH) -> None:
    """Drop TOC entries deeper than ``depth`` in place (MkDocs ``AnchorLink`` items)."""
    for item in items:
        if item.level >= depth:
            item.children = []
        else:
            shallow_toc(item.children, depth)


def collapse_whitespace(html: str) -> str:
    """Runs of whitespace with a line break become one newline, except in verbatim elements.

    A browser renders the result the same: outside ``white-space: pre`` any run of
    whitespace is one space (or nothing between blocks).
    """
    parts = _VERBATIM.split(html)
    # split() with two groups yields text, whole match, tag name, text, ...
    out: list[str] = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_BLANK_RUN.sub("\n", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
