"""The README's screenshot of a runbook page, kept current by this test.

``RUNBOOK_UPDATE_GOLDENS=1`` rewrites ``tests/golden/screenshots/runbook-page.png`` from the
demo runbook as the site builds it today; otherwise the test proves the page it shows still
has what the README says is on it, and that the committed picture is one of this page at
this size (a PNG of the same dimensions).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.browser

SCREENSHOT = REPO / "tests" / "golden" / "screenshots" / "runbook-page.png"
VIEWPORT = {"width": 1280, "height": 900}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_readme_screenshot_shows_todays_runbook_page(
    browser: Any, seed_site_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    page = context.new_page()
    # As an alert link opens it: the mountpoint label fills in DISK_PATH.
    page.goto(seed_site_url + "alerts/DemoDiskLow/?mountpoint=/var/lib/demo")
    page.wait_for_url(lambda url: url.endswith("/runbooks/demo/?mountpoint=/var/lib/demo#triage"))
    article = page.locator("article")
    expect(article.locator("h1")).to_contain_text("Demo: local web service health")
    expect(article.locator("input#runbook-var-DISK_PATH")).to_have_value("/var/lib/demo")
    expect(article.locator(".runbook-copy-sets").first).to_have_text(
        "Copy sets DISK_PATH='/var/lib/demo'"
    )
    expect(article.get_by_role("link", name="How to use these runbooks")).to_have_count(1)
    expect(article.locator(".runbook-meta.risk-check").first).to_be_visible()
    # The picture shows the form and the first step, whose copy sets DISK_PATH.
    # (Scrolled down from the top: scrolling up would bring up "Back to top".)
    page.goto(page.url.split("#")[0])
    page.evaluate(
        "window.scrollTo(0, document.getElementById('runbook-form')"
        ".getBoundingClientRect().top + window.scrollY - 80)"  # below the header bar
    )
    page.wait_for_timeout(500)  # the header's title transition ends
    shot = tmp_path / "runbook-page.png"
    page.screenshot(path=str(shot))
    context.close()
    taken = shot.read_bytes()
    if os.environ.get("RUNBOOK_UPDATE_GOLDENS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(taken)
    assert SCREENSHOT.is_file(), f"{SCREENSHOT} is missing: run with RUNBOOK_UPDATE_GOLDENS=1"
    assert _png_size(SCREENSHOT.read_bytes()) == _png_size(taken) == (1280, 900)
    assert "tests/golden/screenshots/runbook-page.png" in (REPO / "README.md").read_text()
