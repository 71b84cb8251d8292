"""One consent model, every cell: kind x terminal or not x flags.

The rule: --yes is the yes to every question; a destructive block also needs
--allow destructive for that yes to count, and --allow action alone lets actions run.
On a terminal, a question that has no yes yet is asked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, Cli
from tests.pty_terminal import Terminal

pytestmark = pytest.mark.work(files=[FIXTURES / "exec" / "demo.md"], env={"MARK_DIR": "{work}"})

STEP = {"action": ("restart", "restart"), "destructive": ("drop-cache", "drop")}
NONE: tuple[str, ...] = ()
YES = ("--yes",)
ALLOW_ACTION = ("--allow", "action")
ALLOW_DESTRUCTIVE = ("--allow", "destructive")
BOTH = ("--yes", "--allow", "destructive")


@pytest.mark.parametrize(
    ("kind", "flags", "runs"),
    [
        ("action", NONE, False),
        ("action", YES, True),
        ("action", ALLOW_ACTION, True),
        ("action", ALLOW_DESTRUCTIVE, False),
        ("action", BOTH, True),
        ("destructive", NONE, False),
        ("destructive", YES, False),
        ("destructive", ALLOW_ACTION, False),
        ("destructive", ALLOW_DESTRUCTIVE, False),
        ("destructive", BOTH, True),
    ],
)
def test_without_a_terminal(
    work: Path, cli: Cli, kind: str, flags: tuple[str, ...], runs: bool
) -> None:
    step, mark = STEP[kind]
    proc = cli.process("exec", "demo.md", "--step", step, *flags, cwd=work)
    assert (work / mark).exists() is runs, proc.stderr
    assert proc.returncode == (0 if runs else 4), proc.stderr
    if not runs:
        hint = "--yes" if kind == "action" else "--yes --allow destructive"
        assert f"{kind}: needs consent and there is no TTY (pass {hint})" in proc.stderr


def _env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("API_TOKEN", "CI")}
    return {**env, "MARK_DIR": str(work), "TERM": "dumb", "API_TOKEN": "t"}


@pytest.mark.parametrize(
    ("kind", "flags", "question"),
    [
        ("action", NONE, "Run action restart? [y/N] "),
        ("action", YES, None),
        ("action", ALLOW_ACTION, None),
        ("action", ALLOW_DESTRUCTIVE, "Run action restart? [y/N] "),
        ("action", BOTH, None),
        ("destructive", NONE, "Type the step id (drop-cache) to run it: "),
        ("destructive", YES, "Type the step id (drop-cache) to run it: "),
        ("destructive", ALLOW_ACTION, "Type the step id (drop-cache) to run it: "),
        ("destructive", ALLOW_DESTRUCTIVE, "Type the step id (drop-cache) to run it: "),
        ("destructive", BOTH, None),
    ],
)
def test_on_a_terminal(work: Path, kind: str, flags: tuple[str, ...], question: str | None) -> None:
    step, mark = STEP[kind]
    term = Terminal(work, "exec", "demo.md", "--step", step, *flags, env=_env(work))
    if question is not None:
        term.expect(question)
        term.send("")  # no answer is no
        assert term.wait() == 4
        assert not (work / mark).exists()
    else:
        assert term.wait() == 0
        assert b"[y/N]" not in term.seen and b"Type the step id" not in term.seen
        assert (work / mark).exists()
