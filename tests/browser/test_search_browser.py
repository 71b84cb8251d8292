"""The header search (Pagefind) in a real Chromium: what an on-call reader types, what comes
first, where its links go, filters, and that it runs under the site's policy."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import QuietFiles, serve_directory

pytestmark = pytest.mark.browser

RESULT = ".runbook-search .pagefind-ui__result"
LINK = ".runbook-search .pagefind-ui__result-link"


@pytest.fixture
def reader(browser: Any, search_site_url: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page of the search site, with every request it made and every console line."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(message.text))
    yield page, requests, console
    context.close()


FILTERS = ("Organisation", "Service", "Severity", "Alert", "Tag", "Step kind")


def _search(page: Any, text: str) -> None:
    """Type ``text`` into the box and wait for its own results with every filter offered:
    a prefix typed on the way gets results too (the final results replace them), and the
    filters come after the first results (``assets/javascripts/pagefind/pagefind.js``)."""
    from playwright.sync_api import expect

    page.keyboard.press("/")
    page.keyboard.type(text)
    message = page.locator(".runbook-search .pagefind-ui__message")
    expect(message).to_contain_text(re.compile(rf"results? for {re.escape(text)}$", re.I))
    if not (message.text_content() or "").startswith("No results"):
        names = page.locator(".runbook-search .pagefind-ui__filter-name")
        for name in FILTERS:
            expect(names.filter(has_text=name)).to_have_count(1)


@contextlib.contextmanager
def _served_page(
    browser: Any, site: Path, handler: type[QuietFiles], path: str = "", script: str = ""
) -> Iterator[Any]:
    """The page at ``path`` (the home page) of ``site`` served by ``handler``, in a fresh
    browser context, with ``script`` run in it before the page's own."""
    with serve_directory(site, handler) as url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_default_timeout(15_000)
            if script:
                page.add_init_script(script)
            page.goto(url + path)
            yield page
        finally:
            context.close()


def _assert_stayed_home(url: str, requests: list[str], console: list[str]) -> None:
    assert requests
    assert [r for r in requests if not r.startswith(url)] == []
    assert [m for m in console if "Content Security Policy" in m or "Refused" in m] == []


@pytest.mark.parametrize("start", ["runbooks/cache-down/", "orgs/acme/", "alerts/"])
def test_an_alert_name_finds_the_section_that_handles_it_first(
    reader: tuple[Any, list[str], list[str]], search_site_url: str, start: str
) -> None:
    from playwright.sync_api import expect

    page, requests, console = reader
    page.goto(search_site_url + start)
    _search(page, "PgTooManyClients")
    first = page.locator(LINK).first
    expect(first).to_have_attribute("href", "/runbooks/db-pool/?highlight=pgtoomanyclients")
    sub = page.locator(RESULT).first.locator(
        ".pagefind-ui__result-nested .pagefind-ui__result-link"
    )
    expect(sub.first).to_have_attribute(
        "href", "/runbooks/db-pool/?highlight=pgtoomanyclients#diagnose"
    )
    expect(sub.first).to_contain_text("Diagnosis")
    _assert_stayed_home(search_site_url, requests, console)


def test_a_command_fragment_lists_its_step_with_a_link_to_it(
    reader: tuple[Any, list[str], list[str]], search_site_url: str
) -> None:
    from playwright.sync_api import expect

    page, requests, console = reader
    page.goto(search_site_url)
    _search(page, "pg_stat_activity")
    steps = page.locator(".pagefind-ui__result-nested .pagefind-ui__result-link")
    expect(steps.first).to_contain_text("Count active connections")
    href = steps.first.get_attribute("href")
    assert href is not None and href.endswith("#count-active-connections")
    # The arrow keys walk the results; Enter opens the step and the query is marked there.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    page.keyboard.press("Enter")
    page.wait_for_url("**/runbooks/db-pool/**#count-active-connections")
    expect(page.locator("article mark").first).to_be_visible()
    _assert_stayed_home(search_site_url, requests, console)


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_the_results_fit_the_screen_from_a_phone_to_a_desktop(
    browser: Any, search_site_url: str, width: int
) -> None:
    # Hung from the box's right edge, the drawer ran off a phone's left edge.
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(search_site_url + "runbooks/db-pool/")
        _search(page, "pg_stat_activity")
        drawer = page.locator(".runbook-search .pagefind-ui__drawer").bounding_box()
        assert drawer is not None
        assert drawer["x"] >= 0 and drawer["x"] + drawer["width"] <= width, drawer
        assert page.locator(LINK).first.is_visible()
        result = page.locator(RESULT).first.bounding_box()
        filters = page.locator(".runbook-search .pagefind-ui__filter-panel").bounding_box()
        assert result is not None and filters is not None
        if width < 720:  # a phone: the results first, on the first screen
            assert result["y"] < filters["y"] and result["y"] < 800
    finally:
        context.close()


def test_a_severity_filter_narrows_the_results(
    reader: tuple[Any, list[str], list[str]], search_site_url: str
) -> None:
    from playwright.sync_api import expect

    page, _, _ = reader
    page.goto(search_site_url)
    _search(page, "connections")
    results = page.locator(RESULT)
    expect(results.first).to_be_visible()
    before = results.count()
    titles = page.locator(".pagefind-ui__result-title > .pagefind-ui__result-link")
    expect(titles).to_contain_text(["Database connection pool exhausted"])
    assert before > 1
    page.locator(".pagefind-ui__filter-name", has_text="Severity").click()
    page.locator(".pagefind-ui__filter-checkbox[id$='SEV1']").check()
    expect(results).not_to_have_count(before)
    expect(titles).not_to_contain_text(["Database connection pool exhausted"])
    for i in range(results.count()):
        expect(results.nth(i).locator(".pagefind-ui__result-tags")).to_contain_text("SEV1")


def test_a_query_without_a_match_says_so(
    reader: tuple[Any, list[str], list[str]], search_site_url: str
) -> None:
    from playwright.sync_api import expect

    page, requests, console = reader
    page.goto(search_site_url + "runbooks/db-pool/")
    _search(page, "xylophoneqqq")
    expect(page.locator(".runbook-search .pagefind-ui__message")).to_have_text(
        "No results for xylophoneqqq"
    )
    expect(page.locator(RESULT)).to_have_count(0)
    _assert_stayed_home(search_site_url, requests, console)


def test_a_title_with_markup_and_quotes_is_shown_as_text(
    reader: tuple[Any, list[str], list[str]], search_site_url: str
) -> None:
    from playwright.sync_api import expect

    page, _, _ = reader
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(search_site_url)
    _search(page, "zebrafinch")
    title = page.locator(".pagefind-ui__result-title > .pagefind-ui__result-link").first
    expect(title).to_have_text("<img src=x onerror=alert(1)> \"Quoted\" & 'odd' runbook")
    assert page.locator(".runbook-search img").count() == 0
    tags = page.locator(RESULT).first.locator(".pagefind-ui__result-tags")
    expect(tags).to_contain_text("SEV3")
    page.keyboard.press("Escape")
    _search(page, "Quote")
    expect(page.locator(RESULT).first).to_be_visible()
    assert page.locator(".pagefind-ui__results b, .pagefind-ui__results img").count() == 0
    assert dialogs == []


def test_filters_that_arrive_after_the_first_results_are_all_offered(
    browser: Any, search_site: Path
) -> None:
    from playwright.sync_api import expect

    served: list[str] = []

    class SlowFilters(QuietFiles):
        """One filter chunk comes at once, the others a second and a half later (a slow
        link): an answer counted meanwhile would carry only the first filter."""

        def do_GET(self) -> None:
            if "/_pagefind/filter/" in self.path:
                served.append(self.path)
                if len(served) > 1:
                    time.sleep(1.5)
            super().do_GET()

    with _served_page(browser, search_site, SlowFilters) as page:
        _search(page, "connections")  # waits for every filter to be offered
        expect(page.locator(RESULT).first).to_be_visible()


def test_the_first_results_do_not_wait_for_the_filters_and_the_panel_counts_the_query(
    browser: Any, search_site: Path
) -> None:
    """Pagefind counts every loaded filter value against each answer, which on a site of
    thousands of runbooks takes longer than the search, and its engine does one thing at a
    time: the filters are asked for only once the first answer and the excerpts of the
    results it shows are in, and the panel then counts that query's results, not the site's."""
    from playwright.sync_api import expect

    asked: list[float] = []
    served: dict[str, list[float]] = {"index": [], "fragment": []}

    class Slow(QuietFiles):
        """The query's index chunks and the results' excerpts come a second late, time
        enough to ask for anything else meanwhile."""

        def do_GET(self) -> None:
            kind = self.path.split("/_pagefind/", 1)[-1].split("/", 1)[0]
            if kind == "filter":
                asked.append(time.monotonic())
            if kind in served:
                time.sleep(1.0)
                served[kind].append(time.monotonic())
            super().do_GET()

    with _served_page(browser, search_site, Slow) as page:
        _search(page, "zebrafinch")  # one runbook, SEV3
        expect(page.locator(RESULT)).to_have_count(1)
        severity = page.locator(".pagefind-ui__filter-label")
        expect(severity.and_(page.locator("[for='severity-SEV3']"))).to_contain_text("(1)")
        expect(severity.and_(page.locator("[for='severity-SEV1']"))).to_contain_text("(0)")
    assert served["index"] and served["fragment"] and asked
    assert min(asked) > max(served["index"] + served["fragment"])


PASTE = """
new MutationObserver((_, watch) => {
  const box = document.querySelector(".runbook-search input");
  if (!box) return;
  watch.disconnect();
  box.value = %r;
  box.dispatchEvent(new Event("input", { bubbles: true }));
}).observe(document, { childList: true, subtree: true });
"""
"""Enters a query the moment the search box exists, as a reader pasting an alert name."""


def test_a_search_asked_as_the_page_loads_is_answered_before_the_theme_scripts_load(
    browser: Any, search_site: Path
) -> None:
    """On a long runbook page the theme's scripts (Material's bundle, highlight.js) hold the
    browser's main thread for as long as a search takes: a query pasted while the page
    loads is answered first, then the theme loads and the page is the theme's as before
    (commands coloured, the query marked on a page a result opens)."""
    from playwright.sync_api import expect

    served: dict[str, list[float]] = {"index": [], "fragment": [], "theme": []}

    class Slow(QuietFiles):
        """The query's index chunks and the results' excerpts come half a second late
        (the theme waits 3 s at most)."""

        def do_GET(self) -> None:
            kind = self.path.split("/_pagefind/", 1)[-1].split("/", 1)[0]
            if kind in ("index", "fragment"):
                time.sleep(0.5)
                served[kind].append(time.monotonic())
            elif re.search(r"/(bundle\.[0-9a-f]+|highlight-[^/]*)\.min\.js$", self.path):
                served["theme"].append(time.monotonic())
            super().do_GET()

    paste = PASTE % "pg_stat_activity"
    with _served_page(browser, search_site, Slow, "runbooks/cache-down/", paste) as page:
        expect(page.locator(LINK).first).to_be_visible()
        commands = page.locator("pre.highlight > code.language-bash")
        expect(commands.first.locator("span[class^='hljs-']").first).to_be_attached()
        page.locator(LINK).first.click()
        page.wait_for_url("**/runbooks/db-pool/?highlight=*")
        expect(page.locator("article mark").first).to_be_visible()
        expect(page.locator("article code mark").first).to_have_text("pg_stat_activity")
    assert len(served["theme"]) >= 2 and served["index"] and served["fragment"]
    # Asked only once the first result was in: after its index chunk and its excerpt.
    assert min(served["theme"]) > min(served["index"])
    assert min(served["theme"]) > min(served["fragment"])


def test_the_search_engine_starts_while_the_page_loads(
    reader: tuple[Any, list[str], list[str]], search_site_url: str
) -> None:
    """A reader who types or pastes a query as the page appears does not wait for the
    engine (its worker, WebAssembly and index metadata) to start after that."""
    page, requests, console = reader
    with page.expect_request(re.compile(r"/_pagefind/wasm\.[a-z]+\.pagefind$")):
        page.goto(search_site_url + "runbooks/cache-down/")
    page.wait_for_load_state("networkidle")
    asked = [url.split("/_pagefind/", 1)[1] for url in requests if "/_pagefind/" in url]
    assert "pagefind-worker.js" in asked
    assert [name for name in asked if name.endswith(".pf_meta")]
    assert not [name for name in asked if name.startswith(("index/", "fragment/"))]
    _assert_stayed_home(search_site_url, requests, console)
