"""The text of a new runbook: every part of the format, commented, lint-clean as written."""

from __future__ import annotations

import datetime as dt
import json
import re

import yaml

__all__ = ["ID_PATTERN", "scaffold", "title_for"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
"""A runbook id: lower-case letters, digits and dashes (it becomes a URL and block ids)."""
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/()-]*(?<! )")


def title_for(runbook_id: str) -> str:
    """``payments-db-failover`` -> ``Payments db failover``."""
    words = runbook_id.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


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
        "    pattern: '^https?://'",
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
