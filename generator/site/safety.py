"""The site's second line of defence: sanitise generated HTML, escape navigation titles.

``render`` already escapes raw HTML in runbook text (``generator.render.text``); this
module cleans the HTML that Python-Markdown made of every generated page (nh3, an
allowlist of what Material and pymdownx emit), so a hole in the escaping still cannot put
a script, an event handler, a ``javascript:`` URL or an ``<svg>`` into the site.
"""

from __future__ import annotations

import html
import re

import nh3

# What Material, pymdownx (tabbed, tasklist, details, highlight without Pygments,
# superfences, admonition) and our own listing pages emit. No svg, no style sheets.
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins",
        "kbd", "label", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong",
        "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "input": {"type", "checked", "disabled", "name"},
    "label": {"for"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "ol": {"start"},
    "details": {"open"},
    "div": {"data-tabs"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

# Tags whose content goes too (the text of a script is never shown).
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math"})


def sanitize_html(fragment: str) -> str:
    """The page HTML with everything outside the allowlist removed.

    Event handlers, ``style`` (except ``text-align`` on table cells), ``javascript:``
    and ``data:`` URLs, remote image sources, ``<script>``/``<svg>`` (with their
    content) never survive.
    ``data-*`` attributes stay: Material and our block headers use them.
    """
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        generic_attribute_prefixes={"data-"},
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_keep_local_images,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )


# What a browser ignores in a URL (C0 controls and spaces around it, tabs and newlines in it).
_URL_IGNORED = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$|[\t\n\r]")
_REMOTE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:|[/\\]{2})")


def _keep_local_images(element: str, attribute: str, value: str) -> str | None:
    """Drop an image source on another host (``https:``, ``//host``): the site makes no
    request outside itself, so a remote image shows its alt text instead."""
    if element == "img" and attribute == "src" and _REMOTE.match(_URL_IGNORED.sub("", value)):
        return None
    return value


_SPACES = re.compile(r"\s+")


def escape_title(text: str) -> str:
    """A title for the navigation and ``<title>``: MkDocs' theme does not autoescape."""
    return html.escape(_SPACES.sub(" ", text).strip(), quote=True)
