"""Raw HTML, event handlers, attr_list injection and javascript: links never reach the site.

Every text field of a runbook and of its organisation carries the payloads; the built
HTML must hold none of them live, and the search index holds them as plain text.
"""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.site.safety import sanitize_html
from tests.helpers import REPO, Cli
from tests.site_html import pagefind_pages

P = (
    '<script>alert("s1")</script> <img src=x onerror=alert(2)> '
    '{: onclick="alert(3)" } [x](javascript:alert(4)) <svg onload=alert(5)>'
)


def runbook() -> dict[str, object]:
    step = {
        "id": "s1",
        "title": P,
        "body": P,
        "kind": "check",
        "run": f"echo '{P}'",
        "sample_output": P,
        "requires": ["echo"],
    }
    return {
        "id": "evil",
        "title": P,
        "summary": P,
        "service": P,
        "owner": P,
        "tags": [P],
        "alerts": ["EvilAlert", P],  # a name is text too: shown on the redirect page
        "version": P,
        "status": P,
        "audience": P,
        "oncall": P,
        "variables": {"X": {"description": P, "example": P}},
        "sections": [
            {
                "id": "one",
                "title": P,
                "window": P,
                "body": P,
                "callout": {"type": "warning", "text": P, "title": P},
                "steps": [step],
                "checklist": [P],
                "table": {"columns": [P, "b"], "rows": [[P, P]], "caption": P},
                "diagram": {"mermaid": "graph TD; A-->B", "title": P},
                "footer": P,
            }
        ],
        "scenarios": [
            {
                "id": "sc",
                "title": P,
                "body": P,
                "symptoms": [P],
                "causes": [P],
                "resolution": [{"when": P, "body": P}],
                "long_term": P,
            }
        ],
        "links": [{"title": P, "url": "javascript:alert(6)", "notes": P}],
        "post_incident": {"timeframes": [{"within": P, "tasks": [P]}], "metrics": [P]},
        "maintenance": {"review": P, "owner": P, "update_triggers": [P]},
        "closing": P,
    }


def defaults() -> dict[str, object]:
    return {
        "title": P,
        "summary": P,
        "severities": {
            "scheme": P,
            "levels": [{"id": "SEV1", "label": P, "impact": P, "examples": [P], "response": P}],
        },
        "escalation": [{"level": P, "who": P, "when": [P], "contact": P}],
        "contacts": [{"role": P, "name": P, "group": P, "notes": P, "url": "javascript:alert(7)"}],
        "roles": [{"name": P, "duties": [P]}],
        "links": [{"title": P, "url": "javascript:alert(8)"}],
        "communications": {
            "channels": [{"channel": P, "audience": P, "cadence": P, "notes": P}],
            "templates": [
                {"id": "t", "title": P, "subject": P, "body": P + " {{ title }}",
                 "examples": {"title": P}},
            ],
        },
    }  # fmt: skip


class _LiveScan(HTMLParser):
    """Collects anything that would run: handlers, javascript: URLs, foreign scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []
        self._in_script = False
        self._in_article = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            url_attr = name in ("href", "src", "action", "formaction", "xlink:href")
            if url_attr and (value or "").strip().lower().startswith(("javascript:", "data:t")):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag == "article":
            self._in_article = True
        # Material's own icons are inline svg; inside the content none may appear.
        if tag in ("iframe", "object", "embed") or (tag == "svg" and self._in_article):
            self.live.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False
        if tag == "article":
            self._in_article = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.live.append(f"<script>{data[:80]}")


@pytest.fixture(scope="module")
def evil_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("evil")
    org = tmp / "runbooks" / "evil-org"
    org.mkdir(parents=True)
    (org / "_defaults.yaml").write_text(yaml.safe_dump(defaults()))
    (org / "evil.yaml").write_text(yaml.safe_dump(runbook(), sort_keys=False))
    site = tmp / "site"
    ran = Cli()(
        "build", "--config", REPO / "mkdocs.yml", "--root", tmp / "runbooks",
        "--site-dir", site, "--today", "2026-11-20",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return site


def test_no_payload_is_live_in_any_page(evil_site: Path) -> None:
    pages = sorted(evil_site.rglob("*.html"))
    assert len(pages) > 5
    found: dict[str, list[str]] = {}
    for page in pages:
        scan = _LiveScan()
        scan.feed(page.read_text(encoding="utf-8"))
        if scan.live:
            found[str(page.relative_to(evil_site))] = scan.live
    assert found == {}


def test_payload_text_is_shown_escaped(evil_site: Path) -> None:
    html = (evil_site / "runbooks/evil/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html  # shown as text, so a reader sees what was written
    assert "<script>alert" not in html


def test_search_index_holds_markup_from_yaml_as_the_text_a_reader_sees(evil_site: Path) -> None:
    # Pagefind stores plain text; its UI escapes it (tests/browser/test_search_browser.py).
    for url, page in pagefind_pages(evil_site).items():
        html = (evil_site / url.strip("/") / "index.html").read_text(encoding="utf-8")
        h1 = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"", html, re.S)
        assert h1 is not None, url
        shown = htmllib.unescape(re.sub(r"<[^>]+>", "", h1.group(1)))
        assert page["meta"]["title"] == shown, url


def test_sanitizer_strips_what_escaping_might_miss() -> None:
    dirty = (
        '<p onclick="x()">a<script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">l</a><svg onload=alert(4)><circle/></svg>'
        '<td style="text-align: left; background: url(javascript:x)">c</td></p>'
    )
    assert sanitize_html(dirty) == '<p>a<img src="x"><a>l</a>c</p>'


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/a.png",
        "HTTP://evil.example/a.png",
        "//evil.example/a.png",
        "\\\\evil.example/a.png",
        "/\\evil.example/a.png",
        " https://evil.example/a.png",
        "ht\ttps://evil.example/a.png",
        "ftp://evil.example/a.png",
    ],
)
def test_sanitizer_drops_image_sources_on_other_hosts(src: str) -> None:
    assert sanitize_html(f'<p><img alt="x" src="{src}"></p>') == '<p><img alt="x"></p>'


def test_sanitizer_keeps_local_images_and_remote_links() -> None:
    kept = (
        '<p><img alt="a" src="img/a.png"><img alt="b" src="/assets/b.png">'
        '<img alt="c" src="../c.png"><a href="https://example.org/docs">docs</a></p>'
    )
    assert sanitize_html(kept) == kept


def test_sanitizer_keeps_what_material_needs() -> None:
    kept = (
        '<div class="tabbed-set tabbed-alternate" data-tabs="1:2">'
        '<input checked="" id="__tabbed_1_1" name="__tabbed_1" type="radio">'
        '<label for="__tabbed_1_1">A</label></div>'
        '<pre class="highlight"><code id="rb--s" class="language-bash check">ls</code></pre>'
        '<details class="note"><summary>More</summary></details>'
        '<label class="task-list-control"><input type="checkbox" disabled="" checked="">'
        '<span class="task-list-indicator"></span></label>'
    )
    assert sanitize_html(kept) == kept
