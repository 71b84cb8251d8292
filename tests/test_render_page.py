"""Whole pages: golden Markdown, what Python-Markdown makes of it, and the real loader path.

Regenerate the goldens (then review the diff like code) with::

    RUNBOOK_UPDATE_GOLDENS=1 python -m pytest tests/test_render_page.py
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from pathlib import Path

import pytest

from checks.extract import extract_markdown
from checks.model import Risk
from generator.load.tree import load_tree, severity_scheme
from generator.model import Runbook
from generator.render.page import PageContext, render_page, render_runbook
from tests.helpers import GOLDEN, SEEDS, assert_golden
from tests.site_html import live_html, to_html

RENDER = GOLDEN / "render"
CASES = RENDER / "cases"
TODAY = dt.date(2026, 1, 1)


def load_cases() -> dict[str, tuple[Runbook, PageContext]]:
    result = load_tree(CASES)
    assert result.problems == ()
    org = result.orgs[0]
    return {
        rb.id: (
            rb,
            PageContext(
                org_url="index.md",
                org_title=org.title,
                today=TODAY,
                severity_scheme=severity_scheme(rb),
                last_results={"db-pool--count-connections": ("passed", "2026-01-01T10:00:00Z")},
            ),
        )
        for rb in result.runbooks
    }


@pytest.mark.parametrize("runbook_id", ["db-pool", "minimal"])
def test_page_matches_golden(runbook_id: str) -> None:
    rb, ctx = load_cases()[runbook_id]
    assert_golden(RENDER / f"{runbook_id}.md", render_runbook(rb, ctx))


def test_every_executable_step_is_one_code_block_with_its_id_in_the_site() -> None:
    rb, ctx = load_cases()["db-pool"]
    html = to_html(render_runbook(rb, ctx))
    blocks = re.findall(r'<pre[^>]*><code id="([^"]+)" class="language-(\w+) (\w+)', html)
    expected = [
        (rb.block_id(s), s.lang, s.kind.value)
        for s in rb.all_steps()
        if s.kind is not Risk.MANUAL or s.run
    ]
    assert blocks == expected
    assert len(expected) == 9
    # Nothing tagged ended up as a paragraph or inside a list.
    assert "{#" not in re.sub(r"<pre.*?</pre>", "", html, flags=re.S)
    assert html.count('class="language-text expected-output" for="db-pool--count-connections"') == 1


def test_markdown_parsers_agree_on_the_page() -> None:
    rb, ctx = load_cases()["db-pool"]
    page = render_runbook(rb, ctx)
    ex = extract_markdown(page, "db-pool.md")
    assert ex.problems == ()
    html = to_html(page)
    assert [c.id for c in ex.checks] == re.findall(r'<code id="(db-pool--[^"]+)"', html)
    assert {c.id: c.section for c in ex.checks} == {
        "db-pool--count-connections": "triage",
        "db-pool--show-labels": "triage",
        "db-pool--query-stats": "triage",
        "db-pool--tail-logs": "deep-dive",
        "db-pool--kill-idle": "mitigate",
        "db-pool--restart": "mitigate",
        "db-pool--failover-console": "mitigate",
        "db-pool--recent-deploys": "leak",
        "db-pool--rollback": "leak",
    }


def test_page_features_render_as_material_components() -> None:
    rb, ctx = load_cases()["db-pool"]
    html = to_html(render_runbook(rb, ctx))
    assert '<div class="admonition warning">\n<p class="admonition-title">Read first</p>' in html
    assert html.count('<li class="task-list-item">') == 2 + 3  # checklist + post-incident tasks
    assert '<div class="tabbed-set tabbed-alternate" data-tabs="1:2">' in html
    assert '<pre class="mermaid"><code>graph TD' in html
    assert (
        '<p class="runbook-meta risk-check"><strong>check</strong> · timeout 10s · '
        "requires psql · tags postgres</p>"
    ) in html
    assert (
        '<p class="runbook-last-run last-run-passed">Last run: <strong>passed</strong> '
        "at 2026-01-01T10:00:00Z</p>"
    ) in html
    assert "<td>Pool misconfigured | max too low</td>" in html
    assert '<h2 id="triage">Detection and triage' in html


def test_stale_marker_depends_on_today() -> None:
    rb, ctx = load_cases()["db-pool"]
    line = "- **Last reviewed:** 2025-01-10"
    stale = render_runbook(rb, ctx)
    assert (
        f"{line} · **stale**{{: .rb-badge .rb-badge--stale }} (review was due 2025-04-10)\n"
        in stale
    )
    assert (
        '2025-01-10 · <strong class="rb-badge rb-badge--stale">stale</strong> '
        "(review was due 2025-04-10)</li>"
    ) in to_html(stale)
    fresh = render_runbook(rb, PageContext(today=dt.date(2025, 4, 10)))
    assert f"{line}\n" in fresh
    assert f"{line}\n" in render_runbook(rb)


def test_secret_default_never_reaches_the_page() -> None:
    rb, ctx = load_cases()["db-pool"]
    from dataclasses import replace

    variables = tuple(
        replace(v, default="hunter2-pw", example="ex-hunter2") if v.secret else v
        for v in rb.variables
    )
    page = render_runbook(replace(rb, variables=variables), ctx)
    assert "hunter2" not in page
    assert (
        "DB_PASSWORD:\n  description: Password of the monitoring user\n"
        "  required: true\n  secret: true\n" in page
    )


def test_comms_template_is_shown_rendered_with_its_examples() -> None:
    rb, ctx = load_cases()["db-pool"]
    page = render_runbook(rb, ctx)
    assert (
        "```text\n:rotating_light: SEV2 Database connection pool exhausted\n"
        "Status: investigating. Next update in 30 minutes.\n```"
    ) in page


BROKEN_TEMPLATE = """\
id: rb
title: RB
communications:
  templates:
    - id: update
      channel: slack
      audience: internal
      body: |
        Hello {{ incident.title }}
        {{ incident.nope }}
"""


def test_comms_template_that_cannot_render_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "rb.yaml"
    path.write_text(BROKEN_TEMPLATE, encoding="utf-8")
    rendered = render_page(load_tree(tmp_path).runbooks[0])
    # Where and which template; the wording of why is generator.comms.templates' (tested there).
    assert [str(p).split(": the ")[0] for p in rendered.problems] == [
        f"{path}:10:9: error: comms template 'update': undefined variable 'incident.nope'"
    ]
    # Tools that only need the blocks still get a page: it shows the source and why.
    assert "```jinja\nHello {{ incident.title }}\n{{ incident.nope }}\n```" in rendered.markdown
    assert '!!! note "Template source"\n\n    The example could not be rendered: ' in (
        rendered.markdown
    )
    assert render_page(load_cases()["db-pool"][0]).problems == ()


# -- the seed runbooks (runbooks/) -------------------------------------------------------


def _seed_pages() -> dict[str, str]:
    result = load_tree(SEEDS)
    return {
        rb.id: render_runbook(rb, PageContext(today=TODAY, severity_scheme=severity_scheme(rb)))
        for rb in result.runbooks
    }


SEED_IDS = sorted(_seed_pages()) if SEEDS.is_dir() else []


@pytest.mark.parametrize("runbook_id", SEED_IDS)
def test_seed_page_matches_golden(runbook_id: str) -> None:
    assert_golden(RENDER / "seeds" / f"{runbook_id}.md", _seed_pages()[runbook_id])


def test_seed_pages_run_what_they_show_and_show_no_live_html() -> None:
    pages = _seed_pages()
    assert len(pages) >= 5
    for runbook_id, page in pages.items():
        ex = extract_markdown(page, f"{runbook_id}.md")
        assert ex.problems == (), runbook_id
        html = to_html(page)
        assert [c.id for c in ex.checks] == re.findall(r'<code id="([^"]+)"', html), runbook_id
        shown = dict(re.findall(r'<code id="([^"]+)"[^>]*>(.*?)</code>', html, re.S))
        for check in ex.checks:  # byte for byte, tabs included
            assert htmllib.unescape(shown[check.id]) + "\n" == check.command, check.id
        assert live_html(html) == [], runbook_id
        assert len(page.encode()) < 100_000, runbook_id


def test_seed_resolution_options_are_content_tabs_with_runnable_blocks() -> None:
    in_tabs: set[str] = set()
    extracted: set[str] = set()
    for runbook_id, page in _seed_pages().items():
        html = to_html(page)
        for block in html.split('<div class="tabbed-block">')[1:]:
            in_tabs.update(re.findall(r'<code id="([^"]+)"', block.split("</div>", 1)[0]))
        extracted.update(c.id for c in extract_markdown(page, f"{runbook_id}.md").checks)
    assert "aws-production-incident--scale-horizontally" in in_tabs
    assert "saaspe-production-incident--rollback-task-definition" in in_tabs
    assert len(in_tabs) >= 15
    assert in_tabs <= extracted
