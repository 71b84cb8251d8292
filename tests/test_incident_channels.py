"""``runbook incident status`` per comms channel: cadences as the seed runbooks write them."""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.incident.cadence import parse_cadence
from generator.load.tree import load_tree, severity_scheme
from tests.helpers import SEEDS, Cli, loopback_server

# Every cadence the seeds' _defaults.yaml write, as read for their own scheme: a new seed
# cadence fails here until someone decides what it means.
SEED_CADENCES = {
    "Every 15 minutes (SEV1), 30 minutes (SEV2)": {"SEV1": 900.0, "SEV2": 1800.0},
    "Every 15 minutes for SEV1, every 30 minutes for SEV2": {"SEV1": 900.0, "SEV2": 1800.0},
    "Every 15 minutes for SEV-0/SEV-1": {"SEV-0": 900.0, "SEV-1": 900.0},
    "Every 30 minutes": {None: 1800.0},
    "Every 15 minutes (SEV1) or 30 minutes (SEV2)": {"SEV1": 900.0, "SEV2": 1800.0},
    "At the start of a SEV1/SEV2": {},
    "Updates every 30 minutes": {None: 1800.0},
    "Every 15 minutes": {None: 900.0},
    "An update within 15 minutes of each post": {},
}


def test_every_seed_cadence_is_read_or_kept_as_written() -> None:
    seen = {}
    for runbook in load_tree(SEEDS).runbooks:
        levels = [level.id for level in severity_scheme(runbook).levels]
        for channel in runbook.communications.channels:
            if channel.cadence:
                seen[channel.cadence] = dict(parse_cadence(channel.cadence, levels).every)
    assert seen == SEED_CADENCES


@pytest.mark.parametrize(
    ("text", "every"),
    [
        ("Hourly", {None: 3600.0}),
        ("every 30 min", {None: 1800.0}),
        ("every hour", {None: 3600.0}),
        ("Every 15 minutes for SEV1 and SEV2, hourly otherwise",
         {"SEV1": 900.0, "SEV2": 900.0, None: 3600.0}),
        ("P0: every 10 minutes; P1: every 1h", {"P0": 600.0, "P1": 3600.0}),
        ("Twice a day", {}),
    ],
)  # fmt: skip
def test_other_cadences(text: str, every: dict[str | None, float]) -> None:
    assert dict(parse_cadence(text).every) == every


class _Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    with loopback_server(_Hook) as url:
        yield url + "/hook"


ROOT = ("--root", str(SEEDS))


def channel_lines(out: str) -> list[str]:
    lines = out.splitlines()
    rest = lines[lines.index("channel updates:") + 1 :]
    return rest[: next((i for i, line in enumerate(rest) if not line.startswith("  ")), None)]


def test_status_says_which_channel_update_is_due_and_when(
    work: Path,
    cli: Cli,
    webhook: str,
) -> None:
    code, out, _ = cli(
        "incident", "start",
        "--runbook", "payments-incident-response", "--title", "Card payments failing",
        "--severity", "SEV1", *ROOT,
        env={"RUNBOOK_NOW": "2024-01-15T14:00:00Z"},
    )  # fmt: skip
    assert code == 0
    path = out.strip()
    status = ("incident", "status", path, *ROOT)
    code, out, err = cli(*status, env={"RUNBOOK_NOW": "2024-01-15T14:20:00Z"})
    assert (code, err) == (0, "")
    assert channel_lines(out)[:3] == [
        "  Incident channel (Slack, created with /incident): every 15m, "
        "next by 2024-01-15 14:15 UTC: OVERDUE by 5m",
        "  Email to internal stakeholders: At the start of a SEV1/SEV2 (as written)",
        "  Email to customers (if needed): every 30m, next by 2024-01-15 14:30 UTC",
    ]
    # A message sent with the channel's template restarts that channel's cadence only.
    code, _, err = cli(
        "comms", "payments-incident-response",
        "status-update", "--incident", path, "--set", "incident.impact.summary=Card declines",
        "--set", "actions_in_progress=Rolling back", "--send", "slack-webhook", webhook, *ROOT,
        env={"RUNBOOK_NOW": "2024-01-15T14:22:00Z"},
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = cli(*status, env={"RUNBOOK_NOW": "2024-01-15T14:25:00Z"})
    assert channel_lines(out)[:3] == [
        "  Incident channel (Slack, created with /incident): every 15m, "
        "next by 2024-01-15 14:37 UTC",
        "  Email to internal stakeholders: At the start of a SEV1/SEV2 (as written)",
        "  Email to customers (if needed): every 30m, next by 2024-01-15 14:52 UTC",
    ]
    code, out, _ = cli(*status, "--format", "json", env={"RUNBOOK_NOW": "2024-01-15T14:25:00Z"})
    channels = json.loads(out)["channels"]
    assert [(c["channel"], c["every_s"], c["next_update"], c["parsed"]) for c in channels] == [
        ("Incident channel (Slack, created with /incident)", 900.0, "2024-01-15T14:37:00+00:00",
         True),
        ("Email to internal stakeholders", None, None, False),
        ("Email to customers (if needed)", 1800.0, "2024-01-15T14:52:00+00:00", True),
    ]  # fmt: skip
    assert channels[0]["last_update_is_channel"] is True


def test_a_cadence_for_other_severities_is_not_applied(work: Path, cli: Cli) -> None:
    code, out, _ = cli(
        "incident", "start",
        "--runbook", "origin-platform-incident", "--title", "Slow logins", "--severity", "SEV-2",
        *ROOT,
        env={"RUNBOOK_NOW": "2024-01-15T14:00:00Z"},
    )  # fmt: skip
    assert code == 0
    status = ("incident", "status", out.strip(), *ROOT)
    code, out, _ = cli(*status, env={"RUNBOOK_NOW": "2024-01-15T14:40:00Z"})
    assert channel_lines(out) == [
        "  Incident Channel (dedicated Slack channel, `#incident-timestamp`): none for SEV-2 "
        "(Every 15 minutes for SEV-0/SEV-1)",
        "  Leadership Updates: every 30m, next by 2024-01-15 14:30 UTC: OVERDUE by 10m",
    ]
    # Resolved: nothing is due on any channel.
    cli("incident", "resolve", "INC-20240115-1400",
        "--resolution", "Restarted", env={"RUNBOOK_NOW": "2024-01-15T14:45:00Z"})  # fmt: skip
    code, out, _ = cli(*status, env={"RUNBOOK_NOW": "2024-01-15T14:50:00Z"})
    assert "channel updates:" not in out
