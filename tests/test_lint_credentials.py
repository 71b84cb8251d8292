"""``credential`` (lint error): an access key, a token, a webhook URL or a private key
written into a runbook file is reported where it is, whatever field (or comment) holds it;
documented examples and filler are not. The credentials are assembled here at run time so
that this file holds none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli

MIXED = "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0"
CREDENTIALS = {
    "an AWS access key id": "AKIA" + "Q7XLP2RTZK4MW9BN",
    "a GitHub token": "ghp" + "_" + MIXED[:36],
    "a Slack token": "xox" + "b-1234567890-" + MIXED[:24],
    "a Slack webhook URL": "https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/" + MIXED[:24],
    "a Google API key": "AIza" + MIXED[:35],
    "a Stripe live key": "sk" + "_live_" + MIXED[:24],
    "an AWS secret access key": "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/" + MIXED[:18],
    "a private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
}
RUNBOOK = """\
id: api
title: API down
sections:
  - id: s
    title: Diagnose
    steps:
      - id: call
        title: Call the API
        kind: check
        run: |
          curl -fsS https://api.example.com/health
          echo '{credential}'
"""


@pytest.mark.parametrize("what", sorted(CREDENTIALS))
def test_a_credential_in_a_command_is_an_error_at_its_place(
    tmp_path: Path, cli: Cli, what: str
) -> None:
    (tmp_path / "api.yaml").write_text(RUNBOOK.format(credential=CREDENTIALS[what]))
    code, out, err = cli("lint", "api.yaml", cwd=tmp_path)
    assert code == 3, err
    assert out.splitlines()[0] == (
        f"api.yaml:12:17: error: {what} is written here: everything in a runbook is published "
        "on the site and in its search index; declare a variable with `secret: true` and give "
        "its value with --var, --env-file or the environment"
    )


def test_a_credential_in_a_comment_or_a_template_is_found_too(tmp_path: Path, cli: Cli) -> None:
    webhook = CREDENTIALS["a Slack webhook URL"]
    text = RUNBOOK.format(credential="fine") + (
        f"# the old webhook: {webhook}\n"
        "communications:\n"
        "  templates:\n"
        "    - id: update\n"
        "      channel: slack\n"
        f"      body: 'Posted to {CREDENTIALS['a Slack token']}'\n"
    )
    (tmp_path / "api.yaml").write_text(text)
    code, out, _ = cli("lint", "api.yaml", cwd=tmp_path)
    assert code == 3
    places = [line.split(": error: ")[0] for line in out.splitlines() if ": error: " in line]
    assert places == ["api.yaml:13:20", "api.yaml:18:24"]


@pytest.mark.parametrize(
    "text",
    [
        "AKIA" + "IOSFODNN7EXAMPLE",  # AWS's documented example key
        "ghp" + "_" + "x" * 36,  # filler
        "xox" + "b-your-slack-bot-token",  # a stand-in, as public runbooks write them
        "xox" + "b-123456789012-1234567890123-YOURTOKENHERE1234",
        "ghp" + "_" + "yourPersonalAccessTokenGoesHere12345",
        "a key is like AKIA followed by 16 characters",
        "$GITHUB_TOKEN",
    ],
)
def test_examples_filler_and_variables_are_not_credentials(
    tmp_path: Path, cli: Cli, text: str
) -> None:
    (tmp_path / "api.yaml").write_text(RUNBOOK.format(credential=text))
    code, out, _ = cli("lint", "api.yaml", cwd=tmp_path)
    assert (code, "written here" in out) == (0, False), out


def test_a_markdown_runbook_is_looked_at_too(tmp_path: Path, cli: Cli) -> None:
    token = CREDENTIALS["a GitHub token"]
    (tmp_path / "page.md").write_text(
        f"# Page\n\n```bash {{#p--call .check}}\ncurl -H 'Authorization: token {token}' x\n```\n"
    )
    code, out, _ = cli("lint", "page.md", cwd=tmp_path)
    assert code == 3
    assert out.startswith("page.md:4:31: error: a GitHub token is written here")


def test_a_defaults_file_is_looked_at_once_for_all_the_runbooks_it_serves(
    tmp_path: Path, cli: Cli
) -> None:
    root = tmp_path / "runbooks"
    root.mkdir()
    webhook = CREDENTIALS["a Slack webhook URL"]
    (root / "_defaults.yaml").write_text(f"title: Payments\n# old channel: {webhook}\n")
    for name in ("api", "db"):
        (root / f"{name}.yaml").write_text(RUNBOOK.format(credential="fine").replace("api", name))
    code, out, _ = cli("lint", "--root", str(root), cwd=tmp_path)
    assert code == 3
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert [e.split(": error: ")[0] for e in errors] == ["runbooks/_defaults.yaml:2:16"]
