"""A new runbooks repository: the files ``runbook init`` writes, as text.

Pure: ``init_files`` returns paths and contents; ``generator.cli.init`` decides what may be
written (never over an existing file) and proves the result lints and builds.
"""

from __future__ import annotations

import datetime as dt
import json

from generator.scaffold import scaffold
from generator.schema import build_defaults_schema, build_schema, dump_schema

__all__ = ["EXAMPLE_ID", "GITIGNORE_LINES", "MKDOCS_YML", "PLUGIN_LINE", "init_files"]

EXAMPLE_ID = "example-service-down"
PLUGIN_LINE = "  - runbook"

MKDOCS_YML = """\
# The runbook site: `runbook build` writes it into site/, `runbook serve` serves it live.
# Pages come from runbooks/**/*.yaml through the `runbook` plugin, which also brings the
# Markdown extensions, styles and scripts its pages need.
site_name: {site_name}
docs_dir: docs
theme:
  name: material
  font: false          # no Google Fonts: the site makes no request outside itself
plugins:
  - search
  - runbook
"""

GITIGNORE_LINES = ("/site/", ".runbook-cache/")

DEFAULTS_YAML = """\
# yaml-language-server: $schema=defaults.schema.json
# What every runbook in this folder (and below) inherits. Each folder with a
# _defaults.yaml gets an organisation page on the site. Keys: REFERENCE.md.
title: {site_name}
summary: |
  Incident runbooks of this team. Each runbook page says how to diagnose, mitigate and
  verify, with commands you can copy or run with `runbook exec`.
{owner}review_every: 90d
communications:
  channels:
    - channel: "#incidents"
      audience: Everyone affected
      cadence: every 30 minutes while the incident lasts
  templates:
    - id: slack-update
      channel: slack
      audience: The incident channel
      status: investigating
      body: |
        :rotating_light: *{{{{ incident.title }}}}* ({{{{ incident.severity }}}})
        Status: {{{{ incident.status }}}}. Next update by {{{{ incident.next_update | time }}}}.
"""

WORKFLOW_YML = """\
# Prove on every change that the documented commands still work: lint every runbook,
# then run every read-only check whose requirements are met here (the others are
# skipped with the reason). Actions and destructive steps never run in CI.
name: runbooks
on:
  push:
  pull_request:
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install runbook-docs
      - run: runbook schema --check runbooks/runbook.schema.json
      # The summary lands in the job page ($GITHUB_STEP_SUMMARY); the JUnit file in artifacts.
      - run: runbook check --junit runbook-checks.xml
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: runbook-checks
          path: runbook-checks.xml
      - run: runbook build --strict
"""


def init_files(*, site_name: str, owner: str | None, today: dt.date) -> dict[str, str]:
    """Every file of a new repository, by path relative to its top folder, in write order."""
    example = scaffold(
        EXAMPLE_ID,
        title="Example: the service is down",
        schema_path="runbook.schema.json",
        today=today,
        severity="SEV2",
        owner=owner,
        local_check=True,
    )
    return {
        "mkdocs.yml": MKDOCS_YML.format(site_name=_yaml_text(site_name)),
        "docs/.gitkeep": "",
        "runbooks/_defaults.yaml": DEFAULTS_YAML.format(
            site_name=_yaml_text(site_name),
            owner=f"owner: {_yaml_text(owner)}\n" if owner else "",
        ),
        f"runbooks/{EXAMPLE_ID}.yaml": example,
        "runbooks/runbook.schema.json": dump_schema(build_schema()),
        "runbooks/defaults.schema.json": dump_schema(build_defaults_schema()),
        ".gitignore": "".join(f"{line}\n" for line in GITIGNORE_LINES),
        ".github/workflows/runbooks.yml": WORKFLOW_YML,
    }


def _yaml_text(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe for any title.
    return json.dumps(text, ensure_ascii=False)
