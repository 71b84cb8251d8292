"""What the plugin does to pages after Python-Markdown: fewer bytes, nothing shown twice.

- The ``{.runbook-variables}`` block stays in the page Markdown (``checks.extract`` reads
  the declarations from it) but leaves the HTML: readers see the variables table.
- Runbook pages keep a table of contents two levels deep (sections and their steps);
  Material prints the TOC twice per page (sidebar and mobile drawer), and every step of
  every scenario made it the biggest part of a seed page. Search still indexes every
  heading: it reads the full TOC before this trims it.
- Whitespace between tags (Material's templates indent heavily) shrinks to one newline,
  outside ``<pre>``, ``<code>``, ``<textarea>``, ``<script>`` and ``<style>``.
- The diagram library (mermaid, 3.5 MB of script to fetch, parse and run before anything
  after it) stays only on pages that draw a diagram: on a phone at 3 a.m., every other page
  would wait for it before its search box appears.
- The search box's scripts (Pagefind's UI and ``search.js``) move from the end of the body
  to right after the header, loaded ``async``: the box then appears as soon as they arrive,
  instead of after the theme's bundle and every other script has been fetched and run, and
  after the whole page has been laid out. ``search.js`` waits for Pagefind's UI itself.
  The module through which the UI reaches Pagefind's engine
  (``assets/javascripts/pagefind/pagefind.js``) comes first in the head, loaded ``async``:
  it starts the engine (its worker, WebAssembly and index metadata) as soon as it runs,
  while the page is still arriving, and a query typed or pasted as the page appears no
  longer waits for all that to start after it.
- The theme's own scripts (Material's bundle and the vendored highlight.js) load last, from
  ``runbook.js``: once the page has loaded and, when a search is already under way, once it
  has answered. The page reads the same without them, and on a long runbook page they hold
  the browser's main thread (laying the page out, mounting every code block) for as long as
  the search would take; a reader who pastes an alert name into the box at once waited for
  them. They are left in place as inert ``<script type="runbook/later">`` tags.
- Every page gets a Content-Security-Policy first in its ``<head>``: nothing loads from
  outside the site, whatever a runbook's text or diagram says. Material needs inline
  scripts and styles, mermaid inline styles, search (Pagefind) a worker, fetches of its
  index chunks and ``'wasm-unsafe-eval'`` to compile its WebAssembly, all from the site
  itself; icons are ``data:`` URLs. The plugin
  adds it (not a theme override), so it holds for any theme and any ``mkdocs.yml``.
  Chromium's preload scanner stops at a CSP meta tag, so each script of the body would
  only be fetched once the one before it has run; the tag is therefore followed (after the
  search engine's module) by a ``<link rel="preload">`` for each of them, and they all
  arrive together.
"""

from __future__ import annotations

import html
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

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_CHARSET = re.compile(r'<meta charset="[^"]*">\s*', re.I)
_BODY = re.compile(r"<body\b[^>]*>", re.I)
_SPACE = re.compile(r"\s*")
_SCRIPT_SRC = re.compile(r'<script src="([^"]+)"')

_DIAGRAM = re.compile(r'class="(?:[^"]*\s)?mermaid[\s"]')
_DIAGRAM_SCRIPT = re.compile(r'<script src="[^"]*assets/vendor/mermaid-[^"/]*\.js"></script>\n?')

_SEARCH_SCRIPT = re.compile(
    r'<script src="([^"]*(?:_pagefind/pagefind-ui|assets/javascripts/search)\.js)"></script>\n?'
)
_HEADER_END = re.compile(r"</header>\n?", re.I)
_POLICY_TAG = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">\n')
_ENGINE_FROM = re.compile(r'<script src="([^"]*)assets/javascripts/search\.js" async></script>')
_THEME_SCRIPT = re.compile(
    r'<script src="([^"]*(?:assets/javascripts/bundle\.[0-9a-f]+\.min'
    r'|assets/vendor/highlight-[^"/]*\.min)\.js)"></script>'
)
_LOADER = re.compile(r'<script src="[^"]*assets/javascripts/runbook\.js"></script>')

TOC_DEPTH = 3
"""Deepest heading level in a runbook page's table of contents (``###``)."""


def drop_variables_block(html: str) -> str:
    """``html`` without the ``{.runbook-variables}`` code block."""
    return _VARIABLES_BLOCK.sub("", html)


def drop_unused_diagram_script(html: str) -> str:
    """``html`` without the mermaid script when nothing on the page is a diagram."""
    if _DIAGRAM.search(html):
        return html
    return _DIAGRAM_SCRIPT.sub("", html, count=1)


def hoist_search_scripts(html: str) -> str:
    """``html`` with the search scripts loaded ``async`` right after the page header (as
    they were when the page has no header)."""
    header = _HEADER_END.search(html)
    scripts = _SEARCH_SCRIPT.findall(html)
    if header is None or not scripts:
        return html
    tags = "".join(f'<script src="{src}" async></script>\n' for src in scripts)
    at = header.end()
    return html[:at] + tags + _SEARCH_SCRIPT.sub("", html[at:])


def start_search_engine(html: str) -> str:
    """``html`` with the module that starts the search engine first in the head, right
    after the Content-Security-Policy (``add_security_policy``), on a page with the search
    box.

    There it is fetched before the page's other scripts and stylesheets, and runs while
    the parser waits for the stylesheets (before the theme's inline scripts): after the
    header it ran only once the page had been laid out. It imports Pagefind's module,
    fetched as soon."""
    policy = _POLICY_TAG.search(html)
    engine = _ENGINE_FROM.search(html)
    if policy is None or engine is None:
        return html
    prefix = engine[1]
    tags = (
        f'<link rel="modulepreload" href="{prefix}_pagefind/pagefind.js">\n'
        f'<script type="module" src="{prefix}assets/javascripts/pagefind/pagefind.js" async>'
        "</script>\n"
    )
    return html[: policy.end()] + tags + html[policy.end() :]


def defer_theme_scripts(html: str) -> str:
    """``html`` with the theme's scripts marked for ``runbook.js`` to load later (when the
    page loads ``runbook.js``: otherwise nothing would)."""
    if _LOADER.search(html) is None:
        return html
    return _THEME_SCRIPT.sub(r'<script type="runbook/later" data-src="\1"></script>', html)


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


def _head_start(html: str) -> int | None:
    """Where the head's first tags go: right after ``<head>``, or after the charset
    declaration when that comes first (it must stay in the first 1 KB)."""
    head = _HEAD.search(html)
    if head is None:
        return None
    at = head.end()
    charset = _CHARSET.match(html, _SPACE.match(html, at).end())  # type: ignore[union-attr]
    return at if charset is None else charset.end()


def add_security_policy(html: str) -> str:
    """``html`` with the Content-Security-Policy meta tag first in ``<head>`` (after the
    charset declaration), then a preload of each script the body names."""
    at = _head_start(html)
    if at is None:
        return html
    tag = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
    body = _BODY.search(html, at)
    scripts = _SCRIPT_SRC.findall(html, body.end()) if body is not None else []
    preloads = "".join(f'<link rel="preload" href="{src}" as="script">\n' for src in scripts)
    return html[:at] + tag + preloads + html[at:]


def redirect_html(
    redirect_to: str, *, title: str, text: str, link_text: str, after: str, script: str
) -> str:
    """A page outside the theme that sends the browser to ``redirect_to`` at once.

    ``script`` (the site's ``redirect.js``, relative) does it keeping the query string, so
    an alert's labels (``?instance=db-2``) reach the runbook's variables form; without
    JavaScript the ``refresh`` does it (the query is lost), and the link stays for a
    browser that follows neither. Every argument is plain text, escaped here."""
    href = html.escape(redirect_to, quote=True)
    src = html.escape(script, quote=True)
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{href}">\n'
        f'<script src="{src}"></script>\n'
        f'<noscript><meta http-equiv="refresh" content="0; url={href}"></noscript>\n'
        "</head>\n<body>\n"
        f'<p>{html.escape(text)} <a href="{href}">{html.escape(link_text)}</a>'
        f"{html.escape(after)}.</p>\n"
        "</body>\n</html>\n"
    )
    return add_security_policy(page)
