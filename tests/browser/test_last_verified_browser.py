""" "Last verified": a site built with a real ``runbook check --json`` report says, on each
runbook page and in the listings, when its checks ran and how they went; without a report
it claims nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import FIXTURE, build_site, serve_directory
from tests.helpers import Cli

pytestmark = pytest.mark.browser

VERIFIED_RUNBOOK = """\
id: disk-full
title: Disk almost full
service: payments-api
sections:
  - id: look
    title: Look
    steps:
      - id: free-space
        title: Free space
        kind: check
        run: echo 42
      - id: inode-count
        title: Inode count
        kind: check
        run: "false"
      - id: smart-status
        title: SMART status
        kind: check
        requires: [no-such-tool-here]
        run: no-such-tool-here --health
"""


@pytest.fixture(scope="module")
def verified_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture runbooks plus one whose checks pass, fail and are skipped, checked for
    real, then built with that report."""
    work = tmp_path_factory.mktemp("verified")
    root = work / "runbooks"
    shutil.copytree(FIXTURE, root)
    (root / "acme" / "disk-full.yaml").write_text(VERIFIED_RUNBOOK, encoding="utf-8")
    report = work / "report.json"
    ran = Cli()("check", "--root", root, "--json", report, root / "acme" / "disk-full.yaml")
    assert ran.returncode == 1, ran.stderr  # one check failed
    statuses = {r["id"]: r["status"] for r in json.loads(report.read_text())["results"]}
    assert statuses == {
        "disk-full--free-space": "passed",
        "disk-full--inode-count": "failed",
        "disk-full--smart-status": "skipped",
    }
    site = build_site(root, work / "site", "--report", report)
    with serve_directory(site) as url:
        yield url


def test_a_runbook_page_says_when_its_checks_ran_and_links_the_failing_one(
    page: Any, verified_site_url: str
) -> None:
    from playwright.sync_api import expect

    page.goto(verified_site_url + "runbooks/disk-full/")
    summary = page.locator("article .runbook-last-verified")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("1 passed, 1 failed, 1 skipped")
    expect(summary).to_contain_text("UTC")
    # Near the title: the first thing after the heading.
    assert (
        page.evaluate("document.querySelector('article h1').nextElementSibling.id")
        == "last-verified"
    )
    summary.get_by_role("link", name="Inode count").click()
    page.wait_for_url("**/runbooks/disk-full/#disk-full--inode-count")
    block = page.locator("code#disk-full--inode-count")
    expect(block).to_be_in_viewport()
    # A runbook the report does not cover says so, and claims no counts.
    page.goto(verified_site_url + "runbooks/cache-down/")
    expect(page.locator("article .runbook-last-verified")).to_have_text(
        "Last verified: not in the check report this site was built with"
    )


def test_home_and_organisation_listings_show_last_verified(
    page: Any, verified_site_url: str
) -> None:
    from playwright.sync_api import expect

    page.goto(verified_site_url)
    table = page.locator("article table", has=page.get_by_role("link", name="Disk almost full"))
    expect(table.locator("th").last).to_have_text("Last verified")
    row = table.locator("tr", has=page.get_by_role("link", name="Disk almost full"))
    cell = row.locator("td").last
    expect(cell).to_contain_text("failed")
    cell.get_by_role("link", name="1 passed, 1 failed, 1 skipped").click()
    page.wait_for_url("**/runbooks/disk-full/#last-verified")

    page.goto(verified_site_url + "orgs/acme/")
    item = page.locator("article li", has=page.get_by_role("link", name="Disk almost full"))
    expect(item).to_contain_text("last verified:")
    expect(item).to_contain_text("1 passed, 1 failed, 1 skipped")
    service = page.locator("article li", has=page.get_by_role("link", name="Database connection"))
    expect(service).to_contain_text("not in the report")


def test_without_a_report_nothing_is_claimed(page: Any, site_url: str) -> None:
    for path in ("", "orgs/acme/", "orgs/acme/services/payments-api/", "runbooks/db-pool/"):
        page.goto(site_url + path)
        text = page.locator("article").inner_text()
        assert "verified" not in text.lower(), path
        assert page.locator(".runbook-last-verified").count() == 0
