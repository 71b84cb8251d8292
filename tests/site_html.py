"""The site's HTML as tests see it: page Markdown through Python-Markdown with the site's
extensions, and an oracle for HTML that would be live (scripts, handlers, bad schemes)."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
from pymdownx.superfences import fence_code_format

# The site's Markdown configuration (mkdocs.yml), so these tests see what the site sees.
EXTENSIONS = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "toc": {"permalink": True},
    "pymdownx.highlight": {"use_pygments": False},
    "pymdownx.superfences": {
        "custom_fences": [{"name": "mermaid", "class": "mermaid", "format": fence_code_format}]
    },
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.tasklist": {"custom_checkbox": True},
}


def to_html(page: str) -> str:
    """Page Markdown (front matter dropped, as MkDocs does) -> HTML, like the site."""
    body = page.split("---\n", 2)[2] if page.startswith("---\n") else page
    return markdown.markdown(body, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


ALLOWED_TAGS = {
    "p", "code", "pre", "a", "em", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
    "li", "table", "thead", "tbody", "tr", "th", "td", "div", "blockquote", "label", "input",
    "span", "br", "hr", "details", "summary",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class LiveHTML(HTMLParser):
    """Collects every element or attribute that would make HTML live."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.found.append(f"<{tag}>")
        for key, value in attrs:
            if key.startswith("on") or key in ("style", "srcdoc", "formaction", "markdown"):
                self.found.append(f"<{tag} {key}>")
            squeezed = "".join((value or "").split()).lower()
            if key in ("href", "src") and squeezed.startswith(BAD_SCHEMES):
                self.found.append(f"<{tag} {key}={value}>")

    def handle_comment(self, data: str) -> None:
        self.found.append("<!--")


def live_html(html: str) -> list[str]:
    parser = LiveHTML()
    parser.feed(html)
    parser.close()
    return parser.found


def pagefind_pages(site: Path) -> dict[str, dict[str, Any]]:
    """What the built site's Pagefind index holds for each page (its fragments: url,
    title and other metadata, filters, the indexed text and the anchors of its headings)."""
    pages: dict[str, dict[str, Any]] = {}
    for path in sorted((site / "_pagefind" / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        fragment = json.loads(data[data.index(b"{") :])  # after Pagefind's signature
        pages[fragment["url"]] = fragment
    return pages


def css_rgb(css: str) -> tuple[float, ...]:
    """The red, green and blue of a computed CSS colour (``rgb(30, 33, 41)``)."""
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])
