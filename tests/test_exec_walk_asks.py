"""``--walk`` asks for a value that is missing when a block that reads it is about to run.

Optional or required, a variable without a value is asked for on the terminal (without
echo when secret) only once the person chose to run a block that reads it; a block that
is skipped asks nothing, and a value asked once serves every later block.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.pty_terminal import Terminal

SECRET = "tok-4c1d-walk-secret"
PAGE = """# Ask

```yaml {.runbook-variables}
TARGET: {description: Host to look at}
TOKEN: {description: API token, secret: true, required: true}
```

```bash {#ask--first .check}
echo first
```

```bash {#ask--look .check}
echo "looking at $TARGET"
```

```bash {#ask--again .check}
echo "again at $TARGET"
```

```bash {#ask--auth .action}
echo "token=$TOKEN"
```
"""
WALK = "[r]un, [s]kip or [q]uit? "

pytestmark = pytest.mark.work(unset=["TARGET", "TOKEN", "CI"])


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TARGET", "TOKEN", "CI")}
    return {**env, "TERM": "dumb"}


def test_walk_asks_for_missing_values_when_a_block_reading_them_is_about_to_run(
    work: Path,
) -> None:
    (work / "page.md").write_text(PAGE)
    term = Terminal(work, "exec", "page.md", "--walk", env=_env())
    term.expect(WALK)
    assert b"TARGET" not in term.seen and b"TOKEN" not in term.seen  # nothing asked up front
    term.send("r")
    term.expect("ask--look")
    term.expect(WALK)
    term.send("r")
    term.expect("TARGET (Host to look at): ")
    term.send("db-9")
    term.expect("looking at db-9")
    term.expect("ask--again")
    term.expect(WALK)
    term.send("r")
    term.expect("again at db-9")
    term.expect("ask--auth")
    term.expect(WALK)
    term.send("r")
    term.expect("TOKEN (API token) [secret]: ")
    term.send(SECRET)
    term.expect("token=***")
    assert term.wait() == 0, term.seen.decode(errors="replace")
    assert term.seen.count(b"TARGET (Host to look at): ") == 1  # asked once, used twice
    assert SECRET.encode() not in term.seen  # not echoed, and masked in the output


def test_walk_asks_nothing_for_a_block_that_is_skipped(work: Path) -> None:
    (work / "page.md").write_text(PAGE)
    term = Terminal(work, "exec", "page.md", "--walk", env=_env())
    for block, answer in (("first", "r"), ("look", "s"), ("again", "s"), ("auth", "s")):
        term.expect(f"ask--{block}")
        term.expect(WALK)
        term.send(answer)
    assert term.wait() == 0, term.seen.decode(errors="replace")
    assert b"TARGET (" not in term.seen and b"TOKEN (" not in term.seen


def test_walk_leaves_an_optional_value_empty_when_the_answer_is_empty(work: Path) -> None:
    (work / "page.md").write_text(PAGE)
    term = Terminal(work, "exec", "page.md", "--walk", "--step", "look", env=_env())
    term.expect(WALK)
    term.send("r")
    term.expect("TARGET (Host to look at): ")
    term.send("")
    term.expect("looking at ")
    assert term.wait() == 0, term.seen.decode(errors="replace")
