"""The Pagefind index a build writes: what it holds for a runbook page, what it leaves
out, and that ``mkdocs build`` with the plugin writes the same index as ``runbook build``."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, Cli, build_in_process, processes
from tests.site_html import pagefind_pages

FIXTURE = REPO / "tests" / "fixtures" / "site_tree" / "runbooks"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "site"
    ran = Cli()(
        "build", "--config", REPO / "mkdocs.yml", "--root", FIXTURE,
        "--site-dir", out, "--today", "2026-11-20",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return out


def test_a_runbook_page_is_indexed_with_its_facts_headings_and_step_ids(site: Path) -> None:
    page = pagefind_pages(site)["/runbooks/db-pool/"]
    assert page["meta"]["title"] == "Database connection pool exhausted"
    assert page["meta"]["kind"] == "runbook"
    assert page["meta"]["severity"] == "SEV2"
    assert page["meta"]["organisation"] == "Acme Payments"
    filters = page["filters"]
    assert filters["severity"] == ["SEV2"]
    assert filters["service"] == ["payments-api"]
    assert set(filters["alert"]) >= {"PgConnectionsHigh", "PgTooManyClients", "PgConnectionsLeak"}
    assert {"check", "destructive"} <= set(filters["step kind"])
    anchors = {a["id"]: a["text"] for a in page["anchors"] if a["element"][0] == "h"}
    assert anchors["diagnose"] == "Diagnosis"
    assert anchors["count-active-connections"] == "Count active connections"
    text = page["content"]
    assert "count-connections" in text  # the step id, searchable although shown nowhere
    assert "pg_stat_activity" in text
    # The theme's navigation, the permalink signs and the variables header row are not.
    assert "¶" not in text
    assert "Name. Description. Default" not in text
    assert "How to use these runbooks. Home" not in text


def test_every_generated_page_is_indexed_and_the_redirects_are_not(site: Path) -> None:
    urls = set(pagefind_pages(site))
    assert {"/", "/alerts/", "/orgs/acme/", "/runbooks/cache-down/", "/tags/"} <= urls
    assert not any(url.startswith("/alerts/Pg") for url in urls)
    assert not (site / "search" / "search_index.json").exists()  # no lunr index any more


def index(root: Path) -> dict[str, bytes]:
    """Word index chunks and page fragments. Pagefind writes its filter files (and the
    metadata naming them) in hash order, different between two runs of its own on one
    folder: the filters are compared through each page's fragment instead."""
    bundle = root / "_pagefind"
    chunks = [*bundle.glob("index/*.pf_index"), *bundle.glob("fragment/*.pf_fragment")]
    return {str(p.relative_to(bundle)): p.read_bytes() for p in chunks}


def test_plain_mkdocs_build_writes_the_same_index(site: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(tmp_path / "mkdocs.yml"),
         "-d", str(plain)],
        env={"RUNBOOK_ROOT": str(FIXTURE), "RUNBOOK_TODAY": "2026-11-20", "PATH": ""},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    assert index(plain) == index(site)
    assert len(index(site)) > 10
    assert pagefind_pages(plain) == pagefind_pages(site)


def test_under_serve_the_index_catches_up_in_the_background(tmp_path: Path) -> None:
    import json
    import time

    root = tmp_path / "runbooks"
    shutil.copytree(FIXTURE, root)
    site_dir = tmp_path / "site"
    status = site_dir / "search-status.json"

    def rebuild() -> None:
        build_in_process(root, site_dir)

    def caught_up() -> dict[str, dict[str, object]]:
        deadline = time.monotonic() + 60
        while json.loads(status.read_text()) != {"indexing": False}:
            assert time.monotonic() < deadline, "the index never caught up"
            time.sleep(0.1)
        return pagefind_pages(site_dir)

    rebuild()
    page = (site_dir / "runbooks" / "db-pool" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="runbook-search-status" content="search-status.json">' in page
    assert (
        caught_up()["/runbooks/db-pool/"]["meta"]["title"] == "Database connection pool exhausted"
    )
    edited = next(root.rglob("db-pool.yaml"))
    edited.write_text(edited.read_text().replace("title:", "title: Edited", 1))
    rebuild()
    assert json.loads(status.read_text()) == {"indexing": True}  # said at once, not later
    assert caught_up()["/runbooks/db-pool/"]["meta"]["title"].startswith("Edited")
    # No fragment of the page before the edit is left beside the new one.
    fragments = list((site_dir / "_pagefind" / "fragment").iterdir())
    assert len(fragments) == len(pagefind_pages(site_dir))


def test_the_background_index_is_the_index_a_build_writes(site: Path, tmp_path: Path) -> None:
    """Under serve the indexer reads links to the pages from a folder of its own; the
    pages' URLs and the index are the same as when it reads the site."""
    from generator.site.search_index import index_site

    served = tmp_path / "served"
    shutil.copytree(site, served, ignore=shutil.ignore_patterns("_pagefind"))
    index_site(served, pages_may_change=True)
    assert index(served) == index(site)
    assert pagefind_pages(served) == pagefind_pages(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]  # its links are gone


def test_pages_deleted_while_the_background_index_runs_do_not_stop_it(
    site: Path, tmp_path: Path
) -> None:
    """Pagefind 1.5 retries every page that disappears while it reads, for seconds each,
    and leaves it out; a serve rebuild deletes the pages of a removed runbook (and
    ``--full`` every page) whenever it comes. The background index reads what was there
    when it started, whole."""
    import threading
    import time

    from generator.site.search_index import index_site

    served = tmp_path / "served"
    page = (site / "runbooks" / "db-pool" / "index.html").read_bytes()
    copies = [served / "runbooks" / f"copy-{i}" for i in range(300)]
    for folder in copies:
        folder.mkdir(parents=True)
        (folder / "index.html").write_bytes(page)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            index_site(served, pages_may_change=True)
        except BaseException as exc:
            failed.append(exc)

    indexer = threading.Thread(target=run, daemon=True)
    indexer.start()
    try:
        deadline = time.monotonic() + 60
        while not _indexers_of(tmp_path):  # Pagefind has started: it is reading the pages
            assert time.monotonic() < deadline and indexer.is_alive(), failed
            time.sleep(0.01)
        for folder in copies:
            shutil.rmtree(folder)
        indexer.join(timeout=120)
        assert not indexer.is_alive(), "the indexer never finished"
        assert failed == []
        indexed = pagefind_pages(served)
        assert all(f"/runbooks/copy-{i}/" in indexed for i in range(len(copies)))
    finally:
        for pid in _indexers_of(tmp_path):  # left hanging by a failed run
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def test_stopping_the_background_index_ends_its_indexer_and_removes_its_links(
    site: Path, tmp_path: Path
) -> None:
    """What serve's shutdown does: TERM from a supervisor reaches serve, not the indexer
    it started, which would go on reading a folder of links nothing removes."""
    import json
    import time

    from generator.site.search_index import STATUS_FILE, BackgroundIndexer

    served = tmp_path / "served"
    page = (site / "runbooks" / "db-pool" / "index.html").read_bytes()
    for i in range(300):
        (served / "runbooks" / f"copy-{i}").mkdir(parents=True)
        (served / "runbooks" / f"copy-{i}" / "index.html").write_bytes(page)
    indexer = BackgroundIndexer()
    indexer.start(served)
    try:
        deadline = time.monotonic() + 60
        while not _indexers_of(tmp_path):
            assert time.monotonic() < deadline, "Pagefind never started"
            time.sleep(0.01)
        started = time.monotonic()
        indexer.stop()
        assert time.monotonic() - started < 5
        assert _indexers_of(tmp_path) == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]  # links gone
        assert json.loads((served / STATUS_FILE).read_text()) == {"indexing": False}
        # No index of half the pages, nor its unfinished folder.
        assert sorted(p.name for p in served.iterdir()) == ["runbooks", STATUS_FILE]
    finally:
        for pid in _indexers_of(tmp_path):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _indexers_of(folder: Path) -> list[int]:
    """Pagefind processes reading a folder under ``folder``."""
    return [
        pid
        for pid, argv, _ in processes()
        if b"pagefind" in argv[0] and any(str(folder).encode() in a for a in argv)
    ]
