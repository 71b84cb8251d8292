"""A runbook page in a real Chromium: variable names stay whole on a narrow screen, the
page follows the system's dark mode, commands are coloured."""

from __future__ import annotations

from typing import Any

import pytest

from tests.site_html import css_rgb

pytestmark = pytest.mark.browser

FIRST_COLUMN = """() => {
  const table = document.querySelector('h2#variables').nextElementSibling;
  return [...table.querySelectorAll('tbody td:first-child code')].map(code => ({
    name: code.textContent,
    whiteSpace: getComputedStyle(code).whiteSpace,
    lines: code.getClientRects().length,
  }));
}"""


def test_variable_names_never_wrap_mid_word_on_a_phone(page: Any, site_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + "runbooks/db-pool/")
    names = page.evaluate(FIRST_COLUMN)
    assert names, "the variables table has no names"
    for name in names:
        assert name["whiteSpace"] == "nowrap", name
        assert name["lines"] == 1, name  # one line box: the name is not broken


def _luminance(css_color: str) -> float:
    red, green, blue = css_rgb(css_color)
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_the_page_is_dark_when_the_system_is_and_the_toggle_remembers(
    browser: Any, site_url: str
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + "runbooks/db-pool/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-md-color-scheme", "slate")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _luminance(background) < 0.3, background
    # The search results sit on the same dark background.
    page.keyboard.press("/")
    page.keyboard.type("pool")
    drawer = page.locator(".runbook-search .pagefind-ui__drawer")
    expect(drawer.locator(".pagefind-ui__result").first).to_be_visible()
    assert _luminance(drawer.evaluate("e => getComputedStyle(e).backgroundColor")) < 0.3
    page.keyboard.press("Escape")
    # The toggle switches to light, and the choice holds on the next page.
    page.locator("label[title='Switch to light mode']").click()
    expect(body).to_have_attribute("data-md-color-scheme", "default")
    page.goto(site_url + "alerts/")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    context.close()


def test_commands_are_coloured_without_changing_their_text(page: Any, site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(site_url + "runbooks/db-pool/")
    block = page.locator("pre.highlight > code.language-bash").first
    expect(block.locator("span[class^='hljs-']").first).to_be_attached()
    assert 'psql -h "$DB_HOST" -Atc "select count(*) from pg_stat_activity"' in (
        block.text_content() or ""
    )
    # Plain text (sample output, messages) is shown as written.
    for text in page.locator("pre.highlight > code.language-text").all():
        assert text.locator("span[class^='hljs-']").count() == 0
