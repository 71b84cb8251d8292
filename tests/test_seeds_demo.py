"""The demo runbook (``runbooks/demo``): the README's main command, run for real.

It must need nothing but bash, coreutils and python3, so every check passes here.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.load.tree import load_tree
from generator.model import Risk
from tests.helpers import REPO, SEEDS, Cli

TOKEN = "demo-t0ken-4f9c2e"


def test_demo_covers_every_kind_of_step() -> None:
    result = load_tree(SEEDS, [SEEDS / "demo"])
    assert [p for p in result.problems if p.severity.value == "error"] == []
    (demo,) = result.runbooks
    steps = demo.all_steps()
    assert 8 <= len(steps) <= 12
    assert {s.kind for s in steps} == set(Risk)
    assert any(s.interpreter == "python3" for s in steps)
    assert any(s.follow and s.timeout for s in steps)
    assert any(s.expected_output for s in steps)
    assert any("http.server" in s.run and "127.0.0.1" in s.run and "trap" in s.run for s in steps)
    secret = [v for v in demo.variables if v.secret]
    assert [v.name for v in secret] == ["DEMO_TOKEN"]
    assert any("$DEMO_TOKEN" in s.run and s.kind is Risk.CHECK for s in steps)
    assert demo.communications.templates


def test_demo_checks_pass_and_the_secret_never_shows(tmp_path: Path, cli: Cli) -> None:
    report = tmp_path / "r.json"
    proc = cli.process(
        "check", "runbooks/demo", "--json", report, cwd=REPO, env={"DEMO_TOKEN": TOKEN}
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = {r["id"]: r for r in json.loads(report.read_text())["results"]}
    assert {k: r["status"] for k, r in results.items()} == {
        "demo--disk-free": "passed",
        "demo--memory-available": "passed",
        "demo--kernel": "passed",
        "demo--load-per-cpu": "passed",
        "demo--local-health": "passed",
        "demo--token-configured": "passed",
        "demo--watch-load": "passed",
    }
    assert results["demo--local-health"]["stdout"] == "200 ok\n"
    assert "token in use: *** (17 characters)" in results["demo--token-configured"]["stdout"]
    assert TOKEN not in proc.stdout + proc.stderr + report.read_text()
