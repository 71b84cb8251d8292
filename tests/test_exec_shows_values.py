"""Consent shows what will happen; the reports say who ran each block, where, with what.

The action and destructive prompts list the variables a block reads, their values (a
secret's masked) and where each came from, as ``--dry-run`` does; the JSON report, the
transcript and an incident's timeline record the user, the host and those values.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from pathlib import Path

import pytest
import yaml

from tests.helpers import Cli
from tests.pty_terminal import Terminal

SECRET = "pw-77cc91-secret"
PAGE = """# Replica

```yaml {.runbook-variables}
REPLICA_HOST: {description: The replica, default: db-1}
DB_PASSWORD: {description: Password, secret: true, required: true}
```

```bash {#rep--restart .action}
echo "restart $REPLICA_HOST" > restarted
```

```bash {#rep--wipe .destructive}
test -n "$DB_PASSWORD"
echo "wipe $REPLICA_HOST" > wiped
```
"""

pytestmark = pytest.mark.work(unset=["DB_PASSWORD", "REPLICA_HOST", "CI"])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DB_PASSWORD", "REPLICA_HOST")}
    return {**env, "TERM": "dumb", **extra}


def test_action_prompt_shows_each_value_the_block_reads_and_its_source(work: Path) -> None:
    (work / "page.md").write_text(PAGE)
    args = ("exec", "page.md", "--step", "restart", "--var", "REPLICA_HOST=db-2")
    term = Terminal(work, *args, env=_env(DB_PASSWORD=SECRET))
    term.expect("Run action restart? [y/N] ")
    before = term.seen.split(b"Run action restart?")[0].decode()
    assert "    REPLICA_HOST = 'db-2'  (from --var)" in before
    assert "DB_PASSWORD" not in before  # the block does not read it
    term.send("y")
    assert term.wait() == 0
    assert (work / "restarted").read_text() == "restart db-2\n"


def test_destructive_prompt_shows_values_with_the_secret_masked(work: Path) -> None:
    (work / "page.md").write_text(PAGE)
    term = Terminal(work, "exec", "page.md", "--step", "wipe", env=_env(DB_PASSWORD=SECRET))
    term.expect("Type the step id (wipe) to run it: ")
    before = term.seen.decode()
    assert "    DB_PASSWORD = '***'  (from environment)" in before
    assert "    REPLICA_HOST = 'db-1'  (from default)" in before
    term.send("wipe")
    assert term.wait() == 0
    assert SECRET.encode() not in term.seen
    assert (work / "wiped").read_text() == "wipe db-1\n"


def test_json_and_transcript_record_user_host_and_masked_values(work: Path, cli: Cli) -> None:
    (work / "page.md").write_text(PAGE)
    proc = cli.process(
        "exec",
        "page.md",
        "--step",
        "wipe",
        "--yes",
        "--allow",
        "destructive",
        "--json",
        "r.json",
        "--transcript",
        "t.jsonl",
        env={"DB_PASSWORD": SECRET},
    )
    assert proc.returncode == 0, proc.stderr
    expected = {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "variables": {
            "DB_PASSWORD": {"value": "***", "source": "environment"},
            "REPLICA_HOST": {"value": "db-1", "source": "default"},
        },
    }
    (result,) = json.loads((work / "r.json").read_text())["results"]
    assert {k: result[k] for k in expected} == expected
    events = [json.loads(line) for line in (work / "t.jsonl").read_text().splitlines()]
    (logged,) = [e for e in events if e["event"] == "result"]
    assert {k: logged[k] for k in expected} == expected
    for name in ("r.json", "t.jsonl"):
        assert SECRET not in (work / name).read_text()


RUNBOOK = """\
id: rep
title: Replica lag
severity: SEV2
variables:
  REPLICA_HOST: {description: The replica, default: db-1}
  DB_PASSWORD: {description: Password, secret: true, required: true}
sections:
  - id: fix
    title: Fix
    steps:
      - id: restart
        title: Restart the replica
        kind: action
        run: echo "restart $REPLICA_HOST $DB_PASSWORD"
"""


@pytest.mark.work(env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"}, unset=["DB_PASSWORD"])
def test_incident_timeline_records_user_host_and_masked_values(work: Path, cli: Cli) -> None:
    (work / "runbooks").mkdir()
    (work / "runbooks" / "rep.yaml").write_text(RUNBOOK)
    started = cli.process("incident", "start", "--runbook", "rep", "--title", "Lag")
    assert started.returncode == 0, started.stderr
    record = work / started.stdout.strip()
    proc = cli.process(
        "exec",
        "rep",
        "--step",
        "restart",
        "--yes",
        "--var",
        "REPLICA_HOST=db-3",
        "--incident",
        str(record),
        env={"DB_PASSWORD": SECRET},
    )
    assert proc.returncode == 0, proc.stderr
    entry = yaml.safe_load(record.read_text())["incident"]["timeline"][-1]
    assert entry["block"] == "rep--restart"
    assert entry["user"] == getpass.getuser()
    assert entry["host"] == socket.gethostname()
    assert entry["variables"] == {
        "REPLICA_HOST": {"value": "db-3", "source": "--var"},
        "DB_PASSWORD": {"value": "***", "source": "environment"},
    }
    assert SECRET not in record.read_text()
