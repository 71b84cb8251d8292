"""The variables form of a runbook page in a real Chromium: prefilled from the URL or an
alert's labels, copy buttons that copy exports in front of the unchanged command (run here
with bash), secrets never asked for, nothing sent anywhere, the page unchanged without
JavaScript."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import FIXTURE, build_site, serve_directory

pytestmark = pytest.mark.browser

LAG_RUNBOOK = """\
id: replica-lag
title: Replica lag
service: payments-api
alerts: [ReplicaLagHigh]
labels: {instance: REPLICA_HOST}
variables:
  REPLICA_HOST: {description: The lagging replica, pattern: '^[a-z0-9.-]+$', example: db-2}
  NAMESPACE: {description: Kubernetes namespace, choices: [prod, staging]}
  DB_PASSWORD: {description: Replication password, secret: true}
sections:
  - id: look
    title: Look
    alerts: [ReplicaLagHigh]
    steps:
      - id: where
        title: Which replica
        kind: check
        run: echo "replica=$REPLICA_HOST"
      - id: pods
        title: Pods
        kind: check
        run: |
          echo "ns=${NAMESPACE}"
          echo "pw-set=${DB_PASSWORD:+yes}"
      - id: uptime
        title: Uptime
        kind: check
        run: uptime
"""


@pytest.fixture(scope="module")
def form_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("form")
    root = work / "runbooks"
    shutil.copytree(FIXTURE, root)
    (root / "acme" / "replica-lag.yaml").write_text(LAG_RUNBOOK, encoding="utf-8")
    with serve_directory(build_site(root, work / "site")) as url:
        yield url


def copy_of(page: Any, block_id: str) -> str:
    """What the block's copy button puts on the clipboard."""
    block = page.locator(f"pre:has(> code#{block_id})")
    block.hover()
    block.locator("button.md-code__button[data-md-type=copy]").click()
    return str(page.evaluate("navigator.clipboard.readText()"))


def bash(script: str) -> str:
    """``script`` run as a terminal would after pasting it, with a bare environment."""
    ran = subprocess.run(
        ["bash", "-c", script], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    return ran.stdout


def test_query_prefills_the_form_and_copies_export_the_value(page: Any, form_site_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(form_site_url + "runbooks/replica-lag/?REPLICA_HOST=db-2")
    form = page.locator("article form#runbook-form")
    expect(form).to_be_visible()
    expect(form.locator("input#runbook-var-REPLICA_HOST")).to_have_value("db-2")
    expect(form.locator("input#runbook-var-NAMESPACE")).to_have_value("")
    copied = copy_of(page, "replica-lag--where")
    assert copied == "export REPLICA_HOST='db-2'\necho \"replica=$REPLICA_HOST\""
    assert bash(copied) == "replica=db-2\n"
    # A block that reads none of the filled-in variables copies exactly its command.
    assert copy_of(page, "replica-lag--uptime") == "uptime"
    # A value with quotes and spaces is one shell word; the command is still as shown.
    page.locator("input#runbook-var-NAMESPACE").fill("it's a test")
    expect(page.locator("input#runbook-var-NAMESPACE")).to_have_attribute("aria-invalid", "true")
    expect(form).to_contain_text("not one of prod, staging")
    copied = copy_of(page, "replica-lag--pods")
    assert copied == (
        "export NAMESPACE='it'\\''s a test'\n"
        'echo "ns=${NAMESPACE}"\necho "pw-set=${DB_PASSWORD:+yes}"'
    )
    assert bash(copied) == "ns=it's a test\npw-set=\n"
    expect(page.locator("article .runbook-copy-sets").first).to_contain_text(
        "Copy sets REPLICA_HOST='db-2'"
    )
    # Emptying the field gives the plain command back.
    page.locator("input#runbook-var-REPLICA_HOST").fill("")
    assert copy_of(page, "replica-lag--where") == 'echo "replica=$REPLICA_HOST"'


def test_an_alert_link_carries_its_labels_through_the_redirect(
    page: Any, form_site_url: str
) -> None:
    from playwright.sync_api import expect

    page.goto(form_site_url + "alerts/ReplicaLagHigh/?instance=db-9.internal&NameSpace=prod")
    page.wait_for_url("**/runbooks/replica-lag/?instance=db-9.internal&NameSpace=prod#look")
    # `labels: {instance: REPLICA_HOST}` maps one label; the other matches its variable's
    # name in another case.
    expect(page.locator("input#runbook-var-REPLICA_HOST")).to_have_value("db-9.internal")
    expect(page.locator("input#runbook-var-NAMESPACE")).to_have_value("prod")
    expect(page.locator("input#runbook-var-NAMESPACE")).to_have_attribute("aria-invalid", "false")
    assert bash(copy_of(page, "replica-lag--where")) == "replica=db-9.internal\n"


def test_a_value_that_breaks_the_pattern_shows_a_hint_and_still_copies(
    page: Any, form_site_url: str
) -> None:
    from playwright.sync_api import expect

    page.goto(form_site_url + "runbooks/replica-lag/")
    page.locator("input#runbook-var-REPLICA_HOST").fill("DB 2")
    hint = page.locator("input#runbook-var-REPLICA_HOST ~ .runbook-form__hint")
    expect(hint).to_contain_text("does not match ^[a-z0-9.-]+$")
    assert copy_of(page, "replica-lag--where").startswith("export REPLICA_HOST='DB 2'\n")


def test_secrets_are_never_asked_for_and_no_value_leaves_the_page(
    page: Any, form_site_url: str
) -> None:
    from playwright.sync_api import expect

    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(form_site_url + "runbooks/replica-lag/?DB_PASSWORD=hunter2&db_password=x")
    page.wait_for_load_state("networkidle")
    form = page.locator("form#runbook-form")
    expect(form.locator("input")).to_have_count(2)  # REPLICA_HOST and NAMESPACE only
    expect(form).to_contain_text("Secrets (DB_PASSWORD) are not asked for here")
    assert "hunter2" not in copy_of(page, "replica-lag--pods")
    assert "hunter2" not in page.evaluate("JSON.stringify(sessionStorage)")
    loaded = len(seen)
    page.locator("input#runbook-var-REPLICA_HOST").fill("db-7")
    page.locator("input#runbook-var-NAMESPACE").fill("staging")
    copy_of(page, "replica-lag--where")
    page.wait_for_timeout(300)
    assert seen[loaded:] == []  # typing and copying send nothing anywhere
    assert all(url.startswith(form_site_url) for url in seen)
    # The values stay in this tab: back on the page they are still there ...
    page.goto(form_site_url + "runbooks/db-pool/")
    page.goto(form_site_url + "runbooks/replica-lag/")
    expect(page.locator("input#runbook-var-REPLICA_HOST")).to_have_value("db-7")
    # ... and a new tab (another session) starts empty.
    other = page.context.new_page()
    other.goto(form_site_url + "runbooks/replica-lag/")
    expect(other.locator("input#runbook-var-REPLICA_HOST")).to_have_value("")
    other.close()


def test_without_javascript_the_page_reads_as_before(browser: Any, form_site_url: str) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(form_site_url + "runbooks/replica-lag/?REPLICA_HOST=db-42")
    expect(page.locator("article form")).to_have_count(0)
    expect(page.locator("#runbook-form-data")).to_be_hidden()
    expect(page.locator("code#replica-lag--where")).to_have_text('echo "replica=$REPLICA_HOST"')
    assert "db-42" not in page.locator("article").inner_text()
    # An alert link still reaches the runbook (its labels cannot come along).
    page.goto(form_site_url + "alerts/ReplicaLagHigh/?instance=db-9")
    page.wait_for_url("**/runbooks/replica-lag/#look")
    context.close()


def test_an_alert_handled_in_several_places_passes_its_labels_on(
    page: Any, form_site_url: str
) -> None:
    from playwright.sync_api import expect

    page.goto(form_site_url + "alerts/DatabaseSlow/?db_host=db-3")
    expect(page.locator("article h1")).to_contain_text("DatabaseSlow")  # a list, no redirect
    page.locator("article").get_by_role(
        "link", name="Database connection pool exhausted"
    ).first.click()
    page.wait_for_url("**/runbooks/db-pool/?db_host=db-3*")
    expect(page.locator("input#runbook-var-DB_HOST")).to_have_value("db-3")
