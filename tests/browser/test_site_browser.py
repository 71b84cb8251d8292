"""The built site in a real Chromium: search, copy button, mermaid, tabs, no outside requests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import REPO
from tests.site_html import css_rgb

pytestmark = pytest.mark.browser

COMMAND = 'psql -h "$DB_HOST" -Atc "select count(*) from pg_stat_activity"'


def test_search_finds_the_runbook_with_a_phrase_from_it(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url)
    page.keyboard.press("/")  # focuses the header search box (Pagefind)
    page.keyboard.type("cannot get a database connection")
    first = page.locator(".pagefind-ui__result").first
    expect(first).to_be_visible()
    expect(page.locator(".pagefind-ui__results")).to_contain_text(
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


@pytest.mark.parametrize("start", ["runbooks/db-pool/", "runbooks/cache-down/", ""])
def test_the_help_page_is_one_click_from_a_runbook_page_and_home(
    page: Any, site_url: str, start: str
) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + start)
    page.locator("article").get_by_role("link", name="How to use these runbooks").click()
    page.wait_for_url(site_url + "help/")
    expect(page.locator("article h1")).to_contain_text("How to use these runbooks")
    # The badges are drawn as on runbook pages: four distinct colours.
    badges = page.locator("article .runbook-meta > strong:first-child")
    expect(badges).to_have_text(["check", "action", "destructive", "manual"], ignore_case=True)
    colours = {badges.nth(i).evaluate("e => getComputedStyle(e).backgroundColor") for i in range(4)}
    assert len(colours) == 4


def test_an_alert_url_opens_the_section_that_handles_it(page: Any, site_url: str) -> None:
    # What a pager's runbook_url link does: straight to the section, no stop on the way.
    page.goto(site_url + "alerts/PgTooManyClients/")
    page.wait_for_url(site_url + "runbooks/db-pool/#diagnose")
    assert page.locator("h2#diagnose").is_visible()


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


def _contrast(a: str, b: str) -> float:
    def luminance(rgb: tuple[float, ...]) -> float:
        lin = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
               for c in rgb]  # fmt: skip
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(css_rgb(a)), luminance(css_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_risk_badges_are_distinct_and_readable(page: Any, site_url: str, scheme: str) -> None:
    page.goto(site_url + "runbooks/db-pool/")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    badges = page.evaluate(
        """kinds => kinds.map(kind => {
               const el = document.querySelector(`p.runbook-meta.risk-${kind} > strong`);
               const style = getComputedStyle(el);
               return [el.textContent, style.color, style.backgroundColor];
           })""",
        ["check", "action", "destructive"],
    )
    assert [text for text, _, _ in badges] == ["check", "action", "destructive"]
    backgrounds = [bg for _, _, bg in badges]
    assert len(set(backgrounds)) == 3, backgrounds  # three risks, three colours
    assert "rgba(0, 0, 0, 0)" not in backgrounds
    for _, color, background in badges:
        assert _contrast(color, background) >= 4.5, (color, background)


def test_outputs_are_labelled_and_the_header_has_a_stale_badge(page: Any, site_url: str) -> None:
    def before(selector: str) -> str:
        return str(
            page.evaluate(
                "s => getComputedStyle(document.querySelector(s), '::before').content", selector
            )
        )

    page.goto(site_url + "runbooks/db-pool/")
    assert before("code.expected-output") == '"Expected output (checked)"'
    stale = page.locator("article li", has_text="Last reviewed").locator("strong.rb-badge--stale")
    assert stale.text_content() == "stale"
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('article .rb-badge--stale'));"
        " return [s.color, s.backgroundColor]; }"
    )
    assert _contrast(*style) >= 4.5 and style[1] != "rgba(0, 0, 0, 0)"
    page.goto(site_url + "runbooks/cache-down/")
    assert before("code.sample-output") == '"Sample output (not checked)"'


def test_seed_resolution_option_tab_switches_to_its_runnable_block(
    page: Any, seed_site_url: str
) -> None:
    from playwright.sync_api import expect

    from generator.load.tree import load_tree
    from generator.render.blocks import block_command

    page.goto(seed_site_url + "runbooks/aws-production-incident/")
    first = page.locator("code#aws-production-incident--scale-horizontally")
    second = page.locator("code#aws-production-incident--stop-instance")
    tabs = page.locator(".tabbed-set", has=first)
    expect(tabs).to_have_count(1)
    expect(first).to_be_visible()
    expect(second).to_be_hidden()
    tabs.locator(".tabbed-labels label", has_text="Option 2: Scale vertically").click()
    expect(second).to_be_visible()
    expect(first).to_be_hidden()
    # The block in the tab is the one `runbook exec` runs: copy gives exactly its command.
    block = page.locator("pre", has=second)
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy]").click()
    rb = next(r for r in load_tree(REPO / "runbooks").runbooks if r.id == "aws-production-incident")
    step = next(s for s in rb.all_steps() if s.id == "stop-instance")
    assert page.evaluate("navigator.clipboard.readText()") == block_command(step).rstrip("\n")


def test_no_request_leaves_a_site_whose_runbook_tries(
    isolated_page: Any, payload_site_url: str
) -> None:
    from playwright.sync_api import expect

    page = isolated_page
    seen: list[str] = []
    blocked_by_csp: list[str] = []
    reached_network: list[str] = []

    def route(request_route: Any) -> None:
        reached_network.append(request_route.request.url)
        if request_route.request.url.startswith(payload_site_url):
            request_route.continue_()
        else:
            request_route.abort()

    page.context.route("**/*", route)
    page.on("request", lambda request: seen.append(request.url))
    page.on(
        "requestfailed",
        lambda request: blocked_by_csp.append(request.url) if request.failure == "csp" else None,
    )
    page.goto(payload_site_url + "runbooks/outside/")
    page.wait_for_function(
        """() => document.querySelectorAll('div.mermaid').length >= 2 &&
               [...document.querySelectorAll('div.mermaid')].every(el =>
                   el.shadowRoot && el.shadowRoot.querySelector('svg g'))""",
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")

    def outside(urls: list[str]) -> list[str]:
        return [u for u in urls if not u.startswith((payload_site_url, "data:", "blob:"))]

    # Nothing reached the network; the one request only the CSP can stop (mermaid's image
    # shape) was stopped by it; nothing else was even attempted.
    assert outside(reached_network) == []
    assert outside(seen) == ["https://evil.example/mermaid-shape.png"]
    assert outside(blocked_by_csp) == ["https://evil.example/mermaid-shape.png"]
    # Markdown images on other hosts lost their source: the alt text shows.
    images = page.locator("article img")
    expect(images).to_have_count(2)
    assert [images.nth(i).get_attribute("src") for i in range(2)] == [None, None]
    # Diagram labels are SVG text: the markup shows as written, nothing is an element.
    svgs = page.evaluate(
        """[...document.querySelectorAll('div.mermaid')].map(el => ({
               text: el.shadowRoot.querySelector('svg').textContent,
               html: el.shadowRoot.querySelectorAll('img, image, foreignObject').length}))"""
    )
    assert [svg["html"] for svg in svgs] == [0, 0]
    assert '<img src="https://evil.example/mermaid-label.png"> Label one' in svgs[0]["text"]
    assert '<img src="https://evil.example/mermaid-init.png"> init' in svgs[1]["text"]
    # The link is there to follow; following it is the reader's choice.
    expect(page.locator('article a[href="https://evil.example/docs"]')).to_have_count(1)


def test_zz_no_request_leaves_the_site(
    page: Any, site_url: str, requests_seen: list[str], console_seen: list[str]
) -> None:
    # Visit every kind of page once more (plus what the tests above loaded).
    for path in ("", "orgs/acme/", "runbooks/db-pool/", "alerts/PgConnectionsHigh/", "tags/"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    # Every test site is served from loopback (the seed and payload sites on other ports).
    local = ("http://127.0.0.1:", "data:", "blob:")
    outside = [url for url in requests_seen if not url.startswith(local)]
    assert requests_seen, "no request was recorded at all"
    assert outside == []
    # The Content-Security-Policy lets everything the site itself needs through.
    assert [m for m in console_seen if site_url in m and "Content Security Policy" in m] == []
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
