"""Browser tests: the fixture site built once per session, served over HTTP, Debian's Chromium.

Playwright cannot download browsers here; it drives ``/usr/bin/chromium`` through
``executable_path``. Every request the pages make is recorded, so a test can prove
that nothing leaves the site.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "site_tree" / "runbooks"
REPO = Path(__file__).resolve().parent.parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture runbooks built strictly with the repository's mkdocs.yml."""
    site = tmp_path_factory.mktemp("browser-site")
    code = main(
        [
            "build",
            "--strict",
            "--config", str(REPO / "mkdocs.yml"),
            "--root", str(FIXTURE),
            "--site-dir", str(site),
            "--today", "2026-11-20",
        ]
    )  # fmt: skip
    assert code == 0
    return site


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def requests_seen() -> list[str]:
    """Every URL any test page requested (checked by the offline test, which runs last)."""
    return []


@pytest.fixture
def page(browser: Any, site_url: str, requests_seen: list[str]) -> Iterator[Any]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    # Material draws mermaid into a closed shadow root; open it so a test can see the svg.
    page.add_init_script(
        "const attach = Element.prototype.attachShadow;"
        "Element.prototype.attachShadow = function (init) {"
        "  return attach.call(this, {...init, mode: 'open'}); };"
    )
    page.on("request", lambda request: requests_seen.append(request.url))
    page.set_default_timeout(15_000)
    yield page
    context.close()
