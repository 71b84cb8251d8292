"""The built site in a real Chromium: search, copy button, mermaid, tabs, no outside requests."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

COMMAND = 'psql -h "$DB_HOST" -Atc "select count(*) from pg_stat_activity"'


def test_search_finds_the_runbook_with_a_phrase_from_it(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url)
    page.keyboard.press("/")  # Material's shortcut focuses the search box
    page.keyboard.type("cannot get a database connection")
    first = page.locator(".md-search-result__item").first
    expect(first).to_be_visible()
    expect(page.locator(".md-search-result__list")).to_contain_text(
        "Database connection pool exhausted"
    )


def test_copy_button_copies_exactly_the_command(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "runbooks/db-pool/")
    block = page.locator("pre:has(> code#db-pool--count-connections)")
    expect(block).to_have_count(1)
    block.hover()
    button = block.locator("button.md-code__button[data-md-type=copy]")
    expect(button).to_have_count(1)
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == COMMAND


def test_mermaid_diagram_renders_as_svg(page: Any, site_url: str) -> None:
    page.goto(site_url + "runbooks/db-pool/")
    # The page fixture opens Material's (closed) shadow roots; wait for the drawn svg.
    page.wait_for_function(
        """() => [...document.querySelectorAll('div.mermaid')].some(el =>
               el.shadowRoot && el.shadowRoot.querySelector('svg g'))""",
        timeout=20_000,
    )
    svg_text = page.evaluate(
        "document.querySelector('div.mermaid').shadowRoot.querySelector('svg').textContent"
    )
    assert "Kill idle sessions" in svg_text


def test_content_tab_switches(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "orgs/acme/")
    tabs = page.locator(".tabbed-set").first
    blocks = tabs.locator(".tabbed-block")
    expect(blocks.nth(0)).to_be_visible()
    expect(blocks.nth(1)).to_be_hidden()
    tabs.locator(".tabbed-labels label", has_text="Template").click()
    expect(blocks.nth(1)).to_be_visible()
    expect(blocks.nth(0)).to_be_hidden()
    expect(blocks.nth(1)).to_contain_text("{{ title }} is {{ status }}")


def test_zz_no_request_leaves_the_site(page: Any, site_url: str, requests_seen: list[str]) -> None:
    # Visit every kind of page once more (plus what the tests above loaded).
    for path in ("", "orgs/acme/", "runbooks/db-pool/", "alerts/PgConnectionsHigh/", "tags/"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    outside = [url for url in requests_seen if not url.startswith((site_url, "data:", "blob:"))]
    assert requests_seen, "no request was recorded at all"
    assert outside == []
