"""Browser tests: the fixture site built once per session, served over HTTP, Debian's Chromium.

Playwright cannot download browsers here; it drives ``/usr/bin/chromium`` through
``executable_path``. Every request the pages make is recorded, so a test can prove
that nothing leaves the site.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, REPO, Cli, loopback_server

CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = FIXTURES / "site_tree" / "runbooks"
PAYLOADS = FIXTURES / "site_payloads" / "runbooks"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def build_site(root: Path, site: Path, *extra: str | Path) -> Path:
    """``root``'s runbooks built strictly with the repository's mkdocs.yml into ``site``
    (``extra``: more ``runbook build`` options)."""
    ran = Cli()(
        "build",
        "--strict",
        "--config", REPO / "mkdocs.yml",
        "--root", root,
        "--site-dir", site,
        "--today", "2026-11-20",
        *extra,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return site


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    """Serves a directory without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_directory(directory: Path, handler: type[QuietFiles] = QuietFiles) -> Iterator[str]:
    """A static HTTP server on a free loopback port; yields its base URL."""
    with loopback_server(
        functools.partial(handler, directory=str(directory)), threaded=True
    ) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture runbooks built strictly with the repository's mkdocs.yml."""
    return build_site(FIXTURE, tmp_path_factory.mktemp("browser-site"))


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    with serve_directory(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def seed_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's own runbooks (the seeds), built and served."""
    site = build_site(REPO / "runbooks", tmp_path_factory.mktemp("seed-site"))
    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def payload_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A runbook whose text and diagrams try to load from another host."""
    site = build_site(PAYLOADS, tmp_path_factory.mktemp("payload-site"))
    with serve_directory(site) as url:
        yield url


HOSTILE_RUNBOOK = """\
id: quoted
title: <img src=x onerror=alert(1)> "Quoted" & 'odd' runbook
summary: A title with markup and quotes, indexed as text.
service: payments-api
alerts: ['<b>Alert"Quote</b>']
severity: SEV3
sections:
  - id: look
    title: Look around
    steps:
      - id: zebra-step
        title: Count the zebras
        kind: check
        run: echo zebrafinch
"""


@pytest.fixture(scope="session")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture runbooks and one whose title and alert carry HTML and quotes, built."""
    root = tmp_path_factory.mktemp("search-runbooks") / "runbooks"
    shutil.copytree(FIXTURE, root)
    (root / "acme" / "quoted.yaml").write_text(HOSTILE_RUNBOOK, encoding="utf-8")
    return build_site(root, tmp_path_factory.mktemp("search-site"))


@pytest.fixture(scope="session")
def search_site_url(search_site: Path) -> Iterator[str]:
    with serve_directory(search_site) as url:
        yield url


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


@pytest.fixture(scope="session")
def console_seen() -> list[str]:
    """Every console message of any test page (CSP violations show up here)."""
    return []


def _new_page(context: Any) -> Any:
    page = context.new_page()
    # Material draws mermaid into a closed shadow root; open it so a test can see the svg.
    page.add_init_script(
        "const attach = Element.prototype.attachShadow;"
        "Element.prototype.attachShadow = function (init) {"
        "  return attach.call(this, {...init, mode: 'open'}); };"
    )
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(
    browser: Any, site_url: str, requests_seen: list[str], console_seen: list[str]
) -> Iterator[Any]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = _new_page(context)
    page.on("console", lambda message: console_seen.append(f"{page.url}: {message.text}"))
    page.on("request", lambda request: requests_seen.append(request.url))
    yield page
    context.close()


@pytest.fixture
def isolated_page(browser: Any) -> Iterator[Any]:
    """A page in a context of its own, outside the shared request and console record."""
    context = browser.new_context()
    yield _new_page(context)
    context.close()
