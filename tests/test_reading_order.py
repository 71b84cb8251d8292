"""Issue 13 item 2: a runbook page reads in the order and words a person on call expects.

The section's opening checklist comes before its steps, durations read as written
(``2h``, not ``7200s``), variable names never wrap, and comms previews say their facts
are examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.extract import extract_markdown
from generator.load.tree import load_tree
from generator.model import Runbook
from generator.render.page import render_runbook
from tests.site_html import to_html

RUNBOOK = """\
id: lag
title: Replica lag
variables:
  REPLICA_HOST: {description: The lagging replica, example: db-2}
sections:
  - id: first
    title: First five minutes
    checklist:
      - Acknowledge the page
      - Open an incident record
    steps:
      - id: wait-catch-up
        title: Wait for the replica to catch up
        kind: check
        timeout: 7200s
        run: psql -h "$REPLICA_HOST" -c 'select 1'
      - id: quick
        title: Quick look
        kind: check
        timeout: 90s
        run: echo ok
      - id: rebuild
        title: Rebuild
        kind: action
        timeout: 5400s
        run: echo rebuild
communications:
  templates:
    - id: update
      title: Status update
      channel: slack
      audience: internal
      body: "Commander: {{ incident.commander }}"
"""


@pytest.fixture
def runbook(tmp_path: Path) -> Runbook:
    (tmp_path / "lag.yaml").write_text(RUNBOOK, encoding="utf-8")
    result = load_tree(tmp_path)
    assert result.problems == ()
    (rb,) = result.runbooks
    return rb


def test_the_opening_checklist_comes_before_the_sections_first_step(runbook: Runbook) -> None:
    page = render_runbook(runbook)
    checklist = page.index("- [ ] Acknowledge the page")
    first_step = page.index("### Wait for the replica to catch up")
    first_block = page.index("```bash {#lag--wait-catch-up")
    assert checklist < first_step < first_block
    html = to_html(page)
    assert html.index("Acknowledge the page") < html.index('id="lag--wait-catch-up"')


def test_timeouts_read_as_a_person_writes_them(runbook: Runbook) -> None:
    page = render_runbook(runbook)
    assert "**check** · timeout 2h" in page
    assert "**check** · timeout 90s" in page
    assert "**action** · timeout 1h30m" in page
    assert "7200s" not in page.split("```bash", 1)[0]
    # The block header the executor reads still carries seconds: the same timeouts run.
    ex = extract_markdown(page, "lag.md")
    assert ex.problems == ()
    assert {c.id: c.options.timeout for c in ex.checks} == {
        "lag--wait-catch-up": 7200,
        "lag--quick": 90,
        "lag--rebuild": 5400,
    }


def test_comms_preview_says_it_uses_example_values(runbook: Runbook) -> None:
    page = render_runbook(runbook)
    comms = page.split("## Communications", 1)[1]
    note = comms.index("Filled in with example values, not a real incident's facts.")
    assert note < comms.index("Commander:")
    assert 'class="runbook-example-note"' in to_html(page)
