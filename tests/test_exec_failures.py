"""What a failure does to the rest of a run: a failed check is a signal, not a stop."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import Cli, page
from tests.pty_terminal import Terminal

# The check fails; the action fails while the file break-fix exists (then once more:
# it removes the file, so a retry passes).
INCIDENT = """# F

```bash {#f--look .check}
echo look; exit 7
```

```bash {#f--fix .action}
if [ -e break-fix ]; then rm break-fix; exit 5; fi
touch fixed
```

```bash {#f--after .check}
echo after
```
"""


def _results(folder: Path) -> list[tuple[str, str]]:
    return [(r["id"], r["status"]) for r in json.loads((folder / "r.json").read_text())["results"]]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "TERM": "dumb"}


def test_a_failed_check_does_not_stop_the_run_mitigation_included(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, INCIDENT)
    steps = [a for s in ("look", "fix", "after") for a in ("--step", s)]
    proc = cli.process(
        "exec", "page.md", *steps, "--allow", "action", "--json", "r.json", cwd=tmp_path
    )
    assert proc.returncode == 1  # a check failed: still exit 1
    assert _results(tmp_path) == [
        ("f--look", "failed"),
        ("f--fix", "passed"),
        ("f--after", "passed"),
    ]
    assert (tmp_path / "fixed").exists()


def test_a_failed_action_stops_the_run_unless_keep_going(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, INCIDENT)
    (tmp_path / "break-fix").touch()
    steps = [a for s in ("look", "fix", "after") for a in ("--step", s)]
    proc = cli.process(
        "exec", "page.md", *steps, "--allow", "action", "--json", "r.json", cwd=tmp_path
    )
    assert proc.returncode == 1
    assert _results(tmp_path) == [
        ("f--look", "failed"),
        ("f--fix", "failed"),
        ("f--after", "skipped"),
    ]
    reason = json.loads((tmp_path / "r.json").read_text())["results"][2]["reason"]
    assert reason == (
        "not run: an earlier action or destructive block failed (use --keep-going to run the rest)"
    )
    (tmp_path / "break-fix").touch()
    proc = cli.process(
        "exec",
        "page.md",
        *steps,
        "--allow",
        "action",
        "--keep-going",
        "--json",
        "r.json",
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert _results(tmp_path) == [
        ("f--look", "failed"),
        ("f--fix", "failed"),
        ("f--after", "passed"),
    ]


def test_walk_asks_after_a_failure_retry_runs_it_again(tmp_path: Path) -> None:
    page(tmp_path, INCIDENT)
    (tmp_path / "break-fix").touch()
    term = Terminal(tmp_path, "exec", "page.md", "--walk", "--json", "r.json", env=_env())
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("f--look failed: [c]ontinue, [r]etry or [q]uit? ")
    term.send("c")
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("f--fix failed: [c]ontinue, [r]etry or [q]uit? ")
    term.send("r")
    term.expect("[r]un, [s]kip or [q]uit? ")  # the retry passed: on to f--after
    term.send("r")
    assert term.wait() == 1
    assert term.seen.count(b"[c]ontinue, [r]etry or [q]uit?") == 2
    assert (tmp_path / "fixed").exists()
    assert _results(tmp_path) == [  # the retry's result stands for the block
        ("f--look", "failed"),
        ("f--fix", "passed"),
        ("f--after", "passed"),
    ]


def test_walk_quit_after_a_failure_runs_nothing_more(tmp_path: Path) -> None:
    page(tmp_path, INCIDENT)
    term = Terminal(tmp_path, "exec", "page.md", "--walk", "--json", "r.json", env=_env())
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("f--look failed: [c]ontinue, [r]etry or [q]uit? ")
    term.send("q")
    assert term.wait() == 1
    assert _results(tmp_path) == [("f--look", "failed")]
    assert not (tmp_path / "fixed").exists()
