"""Blocks hand values on: ``NAME=value`` lines written to ``$RUNBOOK_OUTPUT``.

Each block runs in its own process, so an ``export`` is gone in the next one; a block
that declares ``outputs`` may write lines to the file named by ``$RUNBOOK_OUTPUT``, and
those values are environment (never command text) for the later blocks of the same run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Cli

SECRET = "tok-5150-handed-secret"
PAGE = """# Fail over

```yaml {.runbook-variables}
DB_TOKEN: {description: Token, secret: true}
```

```bash {#fo--find .check outputs=LEADER,DB_TOKEN}
export LOST=gone
echo "LEADER=db-2" >> "$RUNBOOK_OUTPUT"
echo "DB_TOKEN=tok-$((5100 + 50))-handed-secret" >> "$RUNBOOK_OUTPUT"
```

```bash {#fo--use .check}
echo "leader is $LEADER, token is $DB_TOKEN, lost is '${LOST:-}'"
```
"""

pytestmark = pytest.mark.work(unset=["LEADER", "DB_TOKEN", "LOST"])


def test_an_output_is_environment_of_the_later_blocks(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(PAGE)
    proc = cli.process("exec", "page.md", "--json", "r.json", "--transcript", "t.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert "leader is db-2, token is ***, lost is ''" in proc.stdout
    find, use = json.loads((work / "r.json").read_text())["results"]
    assert find["outputs"] == {"LEADER": "db-2", "DB_TOKEN": "***"}
    assert use["variables"] == {
        "LEADER": {"value": "db-2", "source": "output of fo--find"},
        "DB_TOKEN": {"value": "***", "source": "output of fo--find"},
    }
    events = [json.loads(line) for line in (work / "t.jsonl").read_text().splitlines()]
    logged = {e["id"]: e for e in events if e["event"] == "result"}
    assert logged["fo--find"]["outputs"] == {"LEADER": "db-2", "DB_TOKEN": "***"}
    for text in (proc.stdout, proc.stderr):
        assert SECRET not in text
    for path in work.rglob("*"):  # reports, transcript, caches
        assert path.is_dir() or SECRET.encode() not in path.read_bytes()


def test_a_value_is_never_text_in_a_later_command(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(
        "# P\n\n"
        "```bash {#p--set .check outputs=LEADER}\n"
        "echo 'LEADER=$(touch pwned); echo injected' >> \"$RUNBOOK_OUTPUT\"\n"
        "```\n\n"
        "```bash {#p--get .check}\n"
        'echo "got $LEADER"\n'
        "```\n"
    )
    proc = cli.process("exec", "page.md")
    assert proc.returncode == 0, proc.stderr
    assert "got $(touch pwned); echo injected" in proc.stdout
    assert not (work / "pwned").exists()


def test_bad_output_lines_are_located_warnings_not_tracebacks(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(
        "# P\n\n"
        "```bash {#p--set .check outputs=LEADER}\n"
        "printf 'no equals sign\\n1BAD=x\\nOTHER=y\\nLEADER=db-4\\n' >> \"$RUNBOOK_OUTPUT\"\n"
        "```\n\n"
        "```bash {#p--get .check}\n"
        'echo "got $LEADER ${OTHER:-unset}"\n'
        "```\n"
    )
    proc = cli.process("exec", "page.md")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    where = "page.md:3:1: warning: block 'p--set': $RUNBOOK_OUTPUT line"
    assert f"{where} 1: expected NAME=value (the line is not shown: it may hold a secret)" in (
        proc.stderr
    )
    assert f"{where} 2: '1BAD' is not a variable name" in proc.stderr
    assert (
        f"{where} 3: 'OTHER' is not among the block's outputs (declare it: outputs=LEADER,OTHER)"
        in proc.stderr
    )
    assert "got db-4 unset" in proc.stdout


def test_dry_run_shows_what_a_block_sets_and_who_sets_what_a_block_reads(
    work: Path, cli: Cli
) -> None:
    (work / "page.md").write_text(PAGE)
    proc = cli.process("exec", "page.md", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "    sets LEADER, DB_TOKEN for later blocks ($RUNBOOK_OUTPUT)" in lines
    assert "    LEADER = (set by fo--find)" in lines
    assert "    DB_TOKEN = (set by fo--find)" in lines


RUNBOOK = """\
id: fo
title: Fail over
severity: SEV2
sections:
  - id: fix
    title: Fix
    steps:
      - id: early
        title: Too early
        run: echo "$LEADER"
      - id: find
        title: Find the leader
        outputs: [LEADER]
        run: echo "LEADER=db-7" >> "$RUNBOOK_OUTPUT"
      - id: promote
        title: Promote it
        run: echo "promote $LEADER"
"""


@pytest.mark.work(runbooks=True)
def test_yaml_outputs_lint_render_and_run(work: Path, cli: Cli) -> None:
    (work / "runbooks" / "fo.yaml").write_text(RUNBOOK)
    lint = cli.process("lint")
    assert lint.returncode == 3
    undeclared = [line for line in lint.stdout.splitlines() if "is not a declared variable" in line]
    assert len(undeclared) == 1 and "step 'early'" in undeclared[0], lint.stdout
    (work / "runbooks" / "fo.yaml").write_text(RUNBOOK.replace('echo "$LEADER"', "echo early"))
    assert cli.process("lint").returncode == 0

    rendered = cli.process("render", "--out", "out")
    assert rendered.returncode == 0, rendered.stderr
    page = next((work / "out").rglob("fo.md")).read_text()
    assert "```bash {#fo--find .check outputs=LEADER}" in page
    assert "sets `$LEADER` for later steps" in page

    ran = cli.process("exec", "fo")
    assert ran.returncode == 0, ran.stderr
    assert "promote db-7" in ran.stdout


def test_markdown_lint_knows_outputs_of_earlier_blocks(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(
        "# P\n\n"
        "```bash {#p--before .check}\n"
        'echo "$LEADER"\n'
        "```\n\n"
        "```bash {#p--set .check outputs=LEADER}\n"
        'echo LEADER=x >> "$RUNBOOK_OUTPUT"\n'
        "```\n\n"
        "```bash {#p--after .check}\n"
        'echo "$LEADER"\n'
        "```\n"
    )
    lint = cli.process("lint", "page.md")
    undeclared = [line for line in lint.stdout.splitlines() if "is not a declared variable" in line]
    assert [line.split(": ")[0] for line in undeclared] == ["page.md:4:7"], lint.stdout


def test_an_output_name_must_be_a_variable_name(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text("# P\n\n```bash {#p--set .check outputs=1BAD}\necho\n```\n")
    lint = cli.process("lint", "page.md")
    assert lint.returncode == 3
    assert "outputs: '1BAD' is not a variable name" in lint.stdout


HANDOFF = """# H

```bash {#h--find .check outputs=LEADER}
echo "LEADER=db-2" >> "$RUNBOOK_OUTPUT"
```

```bash {#h--use .check}
test "$LEADER" = db-2
```
"""


def test_runbook_check_hands_outputs_on_too(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(HANDOFF)
    proc = cli.process("check", "page.md", "--json", "r.json")
    assert proc.returncode == 0, proc.stderr
    results = json.loads((work / "r.json").read_text())["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("h--find", "passed"),
        ("h--use", "passed"),
    ]
    assert results[1]["variables"] == {"LEADER": {"value": "db-2", "source": "output of h--find"}}


def test_the_pytest_plugin_hands_outputs_on_between_the_items_of_a_file(work: Path) -> None:
    (work / "page.md").write_text(HANDOFF)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--runbooks", "page.md", "-q"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout
    assert "2 passed" in proc.stdout


@pytest.mark.work(runbooks=True)
def test_a_yaml_output_name_must_be_a_variable_name(work: Path, cli: Cli) -> None:
    (work / "runbooks" / "fo.yaml").write_text(RUNBOOK.replace("[LEADER]", "[LEADER, 2nd]"))
    lint = cli.process("lint")
    assert lint.returncode == 3
    assert (
        "runbooks/fo.yaml:13:27: error: step 'find': outputs: '2nd' is not a variable name"
        in lint.stdout
    ), lint.stdout
