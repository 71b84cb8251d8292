"""Prompts on a real terminal (a pty): y/N for actions, typed ids, masked secrets."""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, gone
from tests.pty_terminal import Terminal

pytestmark = pytest.mark.work(files=[FIXTURES / "exec" / "demo.md"])


def _env(work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("API_TOKEN", "CI")}
    return {**env, "MARK_DIR": str(work), "TERM": "dumb", **extra}


def test_action_asks_y_n_on_a_tty(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "restart", env=_env(work, API_TOKEN="t"))
    term.expect("Run action restart? [y/N] ")
    term.send("y")
    assert term.wait() == 0
    assert (work / "restart").read_text() == "restarted\n"


def test_declined_action_does_not_run(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "restart", env=_env(work, API_TOKEN="t"))
    term.expect("[y/N] ")
    term.send("")
    assert term.wait() == 4
    assert not (work / "restart").exists()
    assert b"declined at the prompt" in term.seen


def test_destructive_needs_the_step_id_typed(work: Path) -> None:
    args = ("exec", "demo.md", "--step", "drop-cache")
    term = Terminal(work, *args, "--yes", env=_env(work, API_TOKEN="t"))
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("y")
    assert term.wait() == 4
    assert not (work / "drop").exists()
    term = Terminal(work, *args, env=_env(work, API_TOKEN="t"))
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("drop-cache")
    assert term.wait() == 0
    assert (work / "drop").read_text() == "dropped\n"


def test_missing_secret_is_prompted_masked_and_redacted(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--step", "token", env=_env(work))
    term.expect("API_TOKEN (Token for the API) [secret]: ")
    term.send("typed-secret-123")
    assert term.wait() == 0
    assert b"typed-secret-123" not in term.seen  # not echoed, and redacted when printed
    assert b"token=***" in term.seen


def test_walk_asks_once_per_block_run_is_consent_for_an_action(work: Path) -> None:
    term = Terminal(
        work, "exec", "demo.md", "--walk", "--json", "r.json", env=_env(work, API_TOKEN="t")
    )
    term.expect("demo--hello")
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("demo--token")
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("s")
    term.expect("demo--restart")
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("run")
    term.expect("demo--drop-cache")
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("r")
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("drop-cache")
    term.expect("Post in #incidents that the worker restarted.")
    term.expect("Manual step: press Enter when done ")
    time.sleep(0.5)
    assert term.running()  # the manual step waits for Enter
    term.send("")
    assert term.wait() == 0
    assert term.seen.count(b"[r]un, [s]kip or [q]uit? ") == 4  # not for the manual step
    assert b"[y/N]" not in term.seen  # "run" was the consent for the action
    assert term.seen.count(b"Type the step id") == 1
    assert (work / "restart").read_text() == "restarted\n"
    assert (work / "drop").read_text() == "dropped\n"
    results = json.loads((work / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in results] == [
        ("demo--hello", "passed", ""),
        ("demo--token", "skipped", "skipped in --walk"),
        ("demo--restart", "passed", ""),
        ("demo--drop-cache", "passed", ""),
        ("demo--tell", "done", "manual step: done (Enter pressed)"),
    ]


def test_walk_quit_stops_before_the_next_block(work: Path) -> None:
    term = Terminal(work, "exec", "demo.md", "--walk", env=_env(work, API_TOKEN="t"))
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("q")
    assert term.wait() == 4
    assert b"demo--token" not in term.seen.split(b"[q]uit? ", 1)[1].split(b"status", 1)[0]


def test_yes_runs_an_action_on_a_tty_without_asking(work: Path) -> None:
    term = Terminal(
        work, "exec", "demo.md", "--step", "restart", "--yes", env=_env(work, API_TOKEN="t")
    )
    assert term.wait() == 0
    assert b"[y/N]" not in term.seen
    assert (work / "restart").read_text() == "restarted\n"


def test_yes_allow_destructive_runs_on_a_tty_without_the_typed_id(work: Path) -> None:
    args = ("exec", "demo.md", "--step", "drop-cache", "--allow", "destructive")
    term = Terminal(work, *args, "--yes", env=_env(work, API_TOKEN="t"))
    assert term.wait() == 0
    assert b"Type the step id" not in term.seen
    assert (work / "drop").read_text() == "dropped\n"
    (work / "drop").unlink()
    term = Terminal(work, *args, env=_env(work, API_TOKEN="t"))  # --allow alone: still asks
    term.expect("Type the step id (drop-cache) to run it: ")
    term.send("")
    assert term.wait() == 4
    assert not (work / "drop").exists()


INTERACTIVE = """# I

```bash {#i--shell .check interactive=true}
sleep 77 >/dev/null 2>&1 &
echo $! > bg.pid
test -t 0 && test -t 1 && echo "stdin and stdout are the terminal"
read -r -p "name? " name
echo "hi $name"
```

```python {#i--py .check interactive=true}
import getpass, sys
secret = getpass.getpass("pw: ")
tty = sys.stdin.isatty(), sys.stdout.isatty()
print("got", len(secret), "chars; stdin tty:", tty[0], "stdout tty:", tty[1])
```
"""


def test_interactive_blocks_get_the_terminal_and_an_interpreter_its_text(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(INTERACTIVE)
    term = Terminal(
        tmp_path, "exec", "page.md", "--json", "r.json", "--grace", "0.5", env=_env(tmp_path)
    )
    term.expect("stdin and stdout are the terminal")
    term.expect("name? ")
    term.send("Ada")
    term.expect("hi Ada")
    term.expect("pw: ", timeout=10)
    term.send("abc")
    term.expect("got 3 chars; stdin tty: False stdout tty: True", timeout=10)
    assert term.wait() == 0, term.seen.decode(errors="replace")
    assert b"abc" not in term.seen  # getpass read the terminal without echo
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("i--shell", "passed"),
        ("i--py", "passed"),
    ]
    assert results[0]["details"] == [
        "interactive: output went to the terminal and was not captured",
        "a background process was still running after the block ended; its process group "
        "was stopped",
    ]
    assert gone(int((tmp_path / "bg.pid").read_text()))  # nothing left behind


def _block(block_id: str, attrs: str) -> str:
    return (
        f"```bash {{#p--{block_id} .check{attrs}}}\n"
        f'echo "{block_id} start $(date +%s.%N)" >> times\n'
        "sleep 0.4\n"
        f'echo "{block_id} end $(date +%s.%N)" >> times\n'
        "```\n\n"
    )


def test_with_jobs_an_interactive_block_has_the_terminal_to_itself(tmp_path: Path) -> None:
    blocks = [("a", ""), ("i1", " interactive=true"), ("b", ""), ("i2", " interactive=true")]
    blocks += [("c", ""), ("d", "")]
    (tmp_path / "page.md").write_text("# P\n\n" + "".join(_block(i, a) for i, a in blocks))
    term = Terminal(tmp_path, "exec", "page.md", "--jobs", "4", env=_env(tmp_path))
    assert term.wait() == 0, term.seen.decode(errors="replace")
    spans: dict[str, list[float]] = {}
    for line in (tmp_path / "times").read_text().splitlines():
        block_id, _, moment = line.split()
        spans.setdefault(block_id, []).append(float(moment))
    assert sorted(spans) == ["a", "b", "c", "d", "i1", "i2"]
    for alone in ("i1", "i2"):
        start, end = spans[alone]
        for other, (other_start, other_end) in spans.items():
            if other != alone:
                assert other_end <= start or other_start >= end, (alone, other, spans)
    # The other blocks still ran side by side.
    starts = sorted(s for block_id, (s, _) in spans.items() if block_id in "abcd")
    assert any(later - earlier < 0.3 for earlier, later in itertools.pairwise(starts))
