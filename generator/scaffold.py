"""The text of a new runbook (every part of the format, commented, lint-clean as written) and
of a new repository (``init_files``: what ``runbook init`` writes; ``generator.cli.init``
decides what may be written, never over an existing file)."""

from __future__ import annotations

import datetime as dt
import json
import re

import yaml

__all__ = [
    "EXAMPLE_ID",
    "GITIGNORE_LINES",
    "ID_PATTERN",
    "PLUGIN_LINE",
    "TITLE_TO_WRITE",
    "init_files",
    "scaffold",
]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""A runbook id: lower-case letters, digits and dashes (it becomes a URL and block ids)."""
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/()-]*(?<! )")


TITLE_TO_WRITE = "TODO: the words a responder would search for"
"""The title of a new runbook when none is given: its author writes it (lint's placeholder
rule says so until then); one made from the id reads like "Pg replication lag"."""


def scaffold(
    runbook_id: str,
    *,
    title: str,
    schema_path: str,
    today: dt.date,
    severity: str | None,
    service: str | None = None,
    owner: str | None = None,
    local_check: bool = False,
) -> str:
    """A complete runbook to edit: metadata, variables, three sections with a check, an
    action and a manual step, a checklist, and the review dates lint checks.

    ``local_check`` adds a first check that needs nothing but coreutils, so that in a new
    repository ``runbook check`` has something that runs (and passes) before the service's
    own variables are set."""
    lines = [
        f"# yaml-language-server: $schema={schema_path}",
        "# Created by `runbook new`. Edit freely; `runbook lint` says what it thinks.",
        "# Format reference: the schema above (your editor completes keys from it).",
        f"id: {runbook_id}",
        f"title: {_scalar(title)}",
        "summary: |",
        "  What goes wrong, who notices first, and what this runbook restores.",
    ]
    if service:
        lines.append(f"service: {_scalar(service)}")
    if owner:
        lines.append(f"owner: {_scalar(owner)}")
    if severity:
        lines.append(f"severity: {_scalar(severity)}    # a level of the severity scheme in force")
    lines += [
        "status: draft",
        f"last_reviewed: {today.isoformat()}",
        "review_every: 90d                # lint warns when the last review is older",
        "alerts: []                       # alert names: each gets a page pointing here",
        "",
        "# Variables reach commands only as environment variables, never pasted into the",
        "# text. A variable without a value makes `runbook check` skip the steps reading it.",
        "variables:",
        "  SERVICE_URL:",
        "    description: Base URL of the service, as this host reaches it.",
        "    example: http://127.0.0.1:8080",
        "    pattern: '^https?://\\S+$'     # the whole value must match",
        "  SERVICE_UNIT:",
        "    description: The systemd unit that runs the service.",
        "    example: demo-web.service",
        "",
        "sections:",
        "  - id: triage",
        "    title: Triage",
        "    window: 0-5 min",
        "    checklist:",
        "      - Acknowledge the page and say in the incident channel that you are on it",
        "      - Decide the severity",
        "    steps:",
        *(_LOCAL_CHECK if local_check else ()),
        "      - id: health",
        "        title: The health endpoint answers",
        "        kind: check                # read-only: runbook check runs it in CI",
        '        run: curl -fsS --max-time 5 "$SERVICE_URL/health"',
        "        timeout: 10s",
        "        requires: [curl]",
        "        expect: {exit: 0}",
        "  - id: mitigate",
        "    title: Mitigation",
        "    window: 5-15 min",
        "    callout: {type: warning, text: A restart drops the requests in flight.}",
        "    steps:",
        "      - id: restart",
        "        title: Restart the service",
        "        kind: action               # changes state: runbook exec asks y/N first",
        '        run: sudo systemctl restart "$SERVICE_UNIT"',
        "        timeout: 60s",
        "        requires: [systemctl]",
        "      - id: announce",
        "        title: Tell the channel what you did",
        "        kind: manual               # a person does it; shown, never run",
        "        lang: text",
        "        run: Post in the incident channel that the service was restarted, and when.",
        "  - id: verify",
        "    title: Verify",
        "    body: Run the triage checks again (`runbook exec " + runbook_id + "`); they pass.",
        "",
        "post_incident:",
        "  timeframes:",
        "    - within: 1 week",
        "      tasks: [Hold a blameless review, Update this runbook with what you learned]",
        "",
    ]
    return "\n".join(lines)


_LOCAL_CHECK = (
    "      - id: disk-space",
    "        title: The disk under this folder has room",
    "        kind: check",
    "        run: df -Pk . | awk 'NR == 2 {print $4}'",
    "        timeout: 10s",
    "        requires: [df, awk]",
    "        expect: {stdout: '^[0-9]+$'}",
)


def _scalar(text: str) -> str:
    """``text`` as a one-line YAML scalar: plain when YAML reads it back as the same
    string, else double-quoted (JSON strings are valid YAML)."""
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


# -- a new repository ----------------------------------------------------------------------

EXAMPLE_ID = "example-service-down"
PLUGIN_LINE = "  - runbook"

MKDOCS_YML = """\
# The runbook site: `runbook build` writes it into site/, `runbook serve` serves it live.
# Pages come from runbooks/**/*.yaml through the `runbook` plugin, which also brings the
# Markdown extensions, styles and scripts its pages need, and the search (Pagefind).
site_name: {site_name}
docs_dir: docs
theme:
  name: material
  font: false          # no Google Fonts: the site makes no request outside itself
  palette:             # dark when the reader's system is; the header toggle switches
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
plugins:
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
    from generator.schema import build_defaults_schema, build_schema, dump_schema

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
