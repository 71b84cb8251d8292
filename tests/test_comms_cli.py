"""``runbook comms``: list, render (text and JSON), errors with exit codes, goldens, sending.

Goldens: every template of the fixture runbooks and of ``runbooks/`` rendered with its
examples over the built-in sample incident (what the site shows), one file per template in
``tests/golden/comms/<runbook>/<template>.txt``. Regenerate with
``RUNBOOK_UPDATE_GOLDENS=1 python -m pytest tests/test_comms_cli.py`` and review the diff.
"""

from __future__ import annotations

import http.server
import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from generator.comms.templates import render_example
from generator.load.tree import load_tree
from generator.model import Runbook
from tests.helpers import FIXTURES, GOLDEN, SEEDS, Cli, assert_golden, loopback_server

RUNBOOKS = FIXTURES / "comms" / "runbooks"
COMMS = GOLDEN / "comms"
pytestmark = pytest.mark.work(runbooks=RUNBOOKS, env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"})


def _templates() -> list[tuple[Runbook, str]]:
    out = []
    for root in (RUNBOOKS, SEEDS):
        if not root.is_dir():
            continue
        for runbook in load_tree(root).runbooks:
            out.extend((runbook, t.id) for t in runbook.communications.templates)
    return out


TEMPLATES = _templates()


@pytest.mark.parametrize(
    ("runbook", "template_id"),
    TEMPLATES,
    ids=[f"{rb.id}/{tid}" for rb, tid in TEMPLATES],
)
def test_every_template_renders_its_golden(runbook: Runbook, template_id: str) -> None:
    template = next(t for t in runbook.communications.templates if t.id == template_id)
    subject, body = render_example(runbook, template)
    text = (f"Subject: {subject}\n\n" if subject is not None else "") + body + "\n"
    assert_golden(COMMS / runbook.id / f"{template_id}.txt", text)


def test_fixture_goldens_cover_every_channel_kind() -> None:
    # The fixtures exercise Slack escaping, plain email with a subject, and HTML.
    slack = (COMMS / "payments-down" / "slack-update.txt").read_text()
    assert slack.splitlines()[1] == "*SEV1* Payment processing down"
    email = (COMMS / "payments-down" / "email-stakeholders.txt").read_text()
    assert email.splitlines()[0] == "Subject: [SEV1] Production Incident - payments-api"
    html = (COMMS / "payments-down" / "status-investigating.txt").read_text()
    assert html.splitlines()[0] == (
        "<p>We are investigating reports of errors and timeouts in payments-api.</p>"
    )


def start(cli: Cli, title: str) -> str:
    code, out, _ = cli("incident", "start", "--runbook", "payments-down", "--title", title)
    assert code == 0
    return out.strip()


def test_list_shows_templates_variables_channels_and_context(work: Path, cli: Cli) -> None:
    code, out, err = cli("comms", "payments-down", "--list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:5] == [
        "payments-down: comms templates",
        "  slack-update          slack -> internal status=investigating",
        "                        reads: now, incident.severity, incident.title, incident.status, "
        "incident.next_update",
        "  email-stakeholders    email -> stakeholders",
        "                        reads: incident.severity, runbook.service, incident.title, "
        "incident.impact.summary, incident.started_at, incident.channel, status_page, "
        "incident.update_every",
    ]
    assert lines[5] == "                        needs: --set status_page=..."
    assert "  slack -> internal, Every 15 minutes (SEV1), 30 minutes (SEV2)" in lines
    context = lines[lines.index("context:") + 1 :]
    assert context[0].startswith("  incident: the incident (fields: id, title, severity, ")
    assert context[1:4] == [
        "  incident.impact: the incident's impact (fields: users_affected, revenue_lost, "
        "duration_minutes, summary)",
        "  incident.severity_level: the severity's entry in the runbook's scheme (fields: id, "
        "label, impact, criteria, examples, response, escalation, update_every)",
        "    incident.severity_level.id: SEV1, P0 ...",
    ]
    assert "    incident.severity_level.impact: what this level means" in context
    assert "    incident.severity_level.update_every: the level's update cadence (15 minutes)" in (
        context
    )
    assert lines[-1] == (
        "  NAME: any value given with --set NAME=VALUE, or with --incident a field the "
        "incident records (runbook incident update --set NAME=VALUE)"
    )
    code, out, _ = cli("comms", "payments-down", "--list", "--format", "json")
    listed = json.loads(out)
    assert [t["id"] for t in listed["templates"]] == [
        "slack-update",
        "email-stakeholders",
        "slack-resolved",
        "status-investigating",
    ]
    assert listed["templates"][2]["needs_set"] == ["postmortem_url"]
    assert listed["severity_level_fields"]["response"] == "response time, as written"
    assert "incident.severity_level" in listed["context"]


def test_render_for_a_real_incident_escapes_the_title_for_slack(
    work: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = start(cli, "<!channel> payments & refunds down")
    monkeypatch.setenv("RUNBOOK_NOW", "2024-01-15T14:20:00Z")
    code, out, err = cli("comms", "payments-down", "slack-update", "--incident", path)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "UPDATE [14:20 UTC]",
        "*SEV1* &lt;!channel&gt; payments &amp; refunds down",
        "Status: investigating",
        "Next update: 14:30 UTC",
    ]
    code, out, _ = cli(
        "comms", "payments-down", "slack-update", "--incident", path, "--format", "json"
    )
    assert json.loads(out) == {
        "template": "slack-update",
        "channel": "slack",
        "audience": "internal",
        "status": "investigating",
        "format": "text",
        "subject": None,
        "body": "UPDATE [14:20 UTC]\n*SEV1* &lt;!channel&gt; payments &amp; refunds down\n"
        "Status: investigating\nNext update: 14:30 UTC",
    }


def test_missing_value_exits_3_naming_variable_and_location(work: Path, cli: Cli) -> None:
    path = start(cli, "Payments down")
    code, out, err = cli("comms", "payments-down", "slack-resolved", "--incident", path)
    assert (code, out) == (3, "")
    # The record has no root cause yet: the message says so and points at the body line
    # that uses it (line 54, column 9 of the _defaults.yaml that declares the template).
    assert err == (
        "runbooks/acme/_defaults.yaml:54:9: error: comms template 'slack-resolved': "
        "undefined variable 'incident.root_cause': the incident has no value for it "
        f"(record it with `runbook incident update {path} --root-cause TEXT`, "
        "or pass --set incident.root_cause=VALUE)\n"
    )
    code, out, err = cli(
        "comms", "payments-down", "slack-resolved", "--incident", path,
        "--set", "incident.root_cause=Leak", "--set", "incident.resolution=Rollback",
    )  # fmt: skip
    assert (code, out) == (3, "")
    # A name of the template's own: a custom field of the incident, never its example.
    assert (
        "undefined variable 'postmortem_url': the incident has no field 'postmortem_url' "
        f"(record it with `runbook incident update {path} --set postmortem_url=VALUE`, "
        "or pass --set postmortem_url=VALUE)" in err
    )
    code, out, err = cli(
        "comms", "payments-down", "slack-resolved", "--incident", path,
        "--set", "incident.root_cause=Leak", "--set", "incident.resolution=Rollback",
        "--set", "postmortem_url=https://pm/1",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        "Root cause: Leak",
        "Resolution: Rollback",
        "Duration: 0m",
        "Post-mortem: https://pm/1",
    ]


def test_a_set_value_the_template_does_not_read_is_a_warning_naming_the_closest(
    work: Path, cli: Cli
) -> None:
    path = start(cli, "Payments down")
    code, out, err = cli(
        "comms", "payments-down", "slack-resolved", "--incident", path,
        "--set", "incident.root_cuase=Leak", "--set", "incident.resolution=Rollback",
        "--set", "postmortem_url=https://pm/1", "--set", "ticket=OPS-1",
    )  # fmt: skip
    # The misspelt field explains the missing value that stops the render.
    assert (code, out) == (3, "")
    assert err.splitlines()[:2] == [
        "warning: --set incident.root_cuase: template 'slack-resolved' does not read it "
        "(did you mean 'incident.root_cause'?)",
        "warning: --set ticket: template 'slack-resolved' does not read it",
    ]
    assert "undefined variable 'incident.root_cause'" in err.splitlines()[2]
    # (Names it reads warn of nothing: the last render of the test above has empty stderr.)


def test_unknown_template_and_secret_set_exit_2(work: Path, cli: Cli) -> None:
    code, out, err = cli("comms", "payments-down", "slack-updat")
    assert (code, out) == (2, "")
    assert err == (
        "error: runbook 'payments-down' has no comms template 'slack-updat' (did you mean "
        "'slack-update'?); templates: slack-update, email-stakeholders, slack-resolved, "
        "status-investigating\n"
    )
    code, out, err = cli("comms", "payments-down", "slack-update", "--set", "API_TOKEN=abc")
    assert (code, out) == (2, "")
    assert (
        err
        == "error: --set API_TOKEN: 'API_TOKEN' is a secret variable; secrets are never rendered\n"
    )


@pytest.mark.parametrize("value", ["status", "=investigating", " =x"])
def test_a_set_without_a_name_and_a_value_exits_2(work: Path, cli: Cli, value: str) -> None:
    code, out, err = cli("comms", "payments-down", "slack-update", "--set", value)
    assert (code, out, err) == (2, "", f"error: --set {value!r}: expected NAME=VALUE\n")


def test_a_target_that_holds_no_runbook_is_a_usage_error_for_every_command(
    work: Path, cli: Cli
) -> None:
    defaults = work / "runbooks" / "_defaults.yaml"
    defaults.write_text("title: Payments\n")
    for command in (["comms"], ["list"], ["incident", "start", "--title", "x", "--runbook"]):
        code, out, err = cli(*command, "runbooks/_defaults.yaml")
        assert (code, out, err) == (2, "", "error: runbooks/_defaults.yaml: no runbook found\n")


def test_example_render_says_so_and_refuses_to_send(work: Path, cli: Cli) -> None:
    code, out, err = cli("comms", "payments-down", "email-stakeholders")
    assert code == 0
    assert err == "note: filled with example values; pass --incident FILE for a real incident\n"
    assert out.splitlines()[0] == "Subject: [SEV1] Production Incident - payments-api"
    code, out, err = cli(
        "comms", "payments-down", "slack-update", "--send", "slack-webhook", "http://x/"
    )
    assert (code, out) == (2, "")
    assert err == (
        "error: --send: refusing to send a message filled with example values; "
        "pass --incident FILE\n"
    )


class _Hook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, str, bytes]]] = []
    answer: ClassVar[int] = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Hook.received.append((self.path, self.headers["Content-Type"], self.rfile.read(length)))
        self.send_response(_Hook.answer)
        self.end_headers()
        self.wfile.write(b"ok" if _Hook.answer == 200 else b"invalid_token")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    _Hook.received = []
    _Hook.answer = 200
    with loopback_server(_Hook) as url:
        yield url + "/services/T000/B000/SECRETPATH"


def test_send_posts_to_the_webhook_and_records_it(
    work: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    webhook: str,
) -> None:
    path = start(cli, "<!channel> down")
    monkeypatch.setenv("HOOK_URL", webhook)
    monkeypatch.setenv("RUNBOOK_NOW", "2024-01-15T14:25:00Z")
    code, out, err = cli(
        "comms", "payments-down", "slack-update", "--incident", path,
        "--send", "slack-webhook", "env:HOOK_URL",
    )  # fmt: skip
    host = webhook.split("/services")[0]
    assert code == 0
    assert err == f"sent to {host}: HTTP 200\n"
    assert "SECRETPATH" not in out + err
    assert _Hook.received == [
        (
            "/services/T000/B000/SECRETPATH",
            "application/json; charset=utf-8",
            json.dumps(
                {
                    "text": "UPDATE [14:25 UTC]\n*SEV1* &lt;!channel&gt; down\n"
                    "Status: investigating\nNext update: 14:30 UTC"
                }
            ).encode(),
        )
    ]
    # The sent message counts as an update: the cadence restarts from it.
    code, out, _ = cli("incident", "status", path)
    assert "next update:  2024-01-15 14:40 UTC (every 15m)" in out.splitlines()

    _Hook.answer = 403
    code, out, err = cli(
        "comms", "payments-down", "slack-update", "--incident", path,
        "--send", "slack-webhook", "env:HOOK_URL",
    )  # fmt: skip
    assert code == 1
    assert err == f"error: sending to {host} failed: HTTP 403: invalid_token\n"


def test_send_reports_an_unset_variable_and_an_unreachable_host(
    work: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = start(cli, "down")
    monkeypatch.delenv("NO_SUCH_HOOK", raising=False)
    code, _, err = cli(
        "comms", "payments-down", "slack-update", "--incident", path,
        "--send", "slack-webhook", "env:NO_SUCH_HOOK",
    )  # fmt: skip
    assert code == 2
    assert err == (
        "error: --send slack-webhook env:NO_SUCH_HOOK: "
        "environment variable NO_SUCH_HOOK is not set\n"
    )
    # A port nothing listens on (bound, then closed).
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    code, _, err = cli(
        "comms", "payments-down", "slack-update", "--incident", path,
        "--send", "slack-webhook", f"http://127.0.0.1:{port}/hook",
    )  # fmt: skip
    assert code == 1
    assert err.startswith(f"error: sending to http://127.0.0.1:{port} failed: no answer: ")


def test_sending_to_slack_escapes_values_whatever_the_template_channel(
    work: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    webhook: str,
) -> None:
    # The seed's stakeholder-update is an email template: printed, its values are plain
    # text; sent to Slack, they get Slack's escaping, and what is printed is what is sent.
    root = str(SEEDS)
    code, out, _ = cli(
        "incident", "start", "--runbook", "microservices-incident-response",
        "--root", root, "--title", "<!channel> orders & payments down", "--severity", "P0",
    )  # fmt: skip
    assert code == 0
    path = out.strip()
    code, _, _ = cli("incident", "update", path, "--impact", "summary=<@U123> can't pay")
    assert code == 0
    args = [
        "comms", "microservices-incident-response", "stakeholder-update", "--root", root,
        "--incident", path, "--set", "services_affected=<!here> orders",
    ]  # fmt: skip
    code, printed, err = cli(*args)
    assert (code, err) == (0, "")
    assert printed.splitlines()[0] == "Subject: [P0] <!channel> orders & payments down"
    assert "Services affected: <!here> orders" in printed.splitlines()
    code, sent_out, err = cli(*args, "--send", "slack-webhook", webhook)
    assert code == 0
    assert err == f"sent to {webhook.split('/services')[0]}: HTTP 200\n"
    text = json.loads(_Hook.received[0][2])["text"]
    assert text.splitlines() == [
        "[P0] &lt;!channel&gt; orders &amp; payments down",
        "Severity: P0 (Critical)",
        "Status: investigating",
        "Services affected: &lt;!here&gt; orders",
        "Impact: &lt;@U123&gt; can't pay",
        "Started: 2024-01-15 14:15 UTC",
    ]
    assert sent_out.splitlines() == ["Subject: " + text.splitlines()[0], "", *text.splitlines()[1:]]


@pytest.mark.parametrize(
    ("key", "reads", "warned"),
    [
        ("incident.title", ["incident.title"], False),
        ("incident.impact", ["incident.impact.summary"], False),  # a field under it is read
        ("incident.impact.summary", ["incident.impact"], False),  # read as a whole
        ("incident.title", ["incident.title.upper"], False),  # a leaf's own attribute
        ("incident.titel", ["incident.title"], True),
        ("incident", ["incidents.x"], True),  # a prefix of a name, not of its path
    ],
)
def test_which_set_keys_a_template_reads(key: str, reads: list[str], warned: bool) -> None:
    from generator.comms.hints import unread_values

    assert bool(unread_values([key], reads, "t")) is warned
