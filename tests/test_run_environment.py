"""A block sees exactly the environment it is given, however its process is started."""

from __future__ import annotations

import os

import pytest

from checks.model import BlockOptions, Check, Risk, SourceLocation
from checks.run.process import run_check

DUMP = "env -0 | LC_ALL=C sort -z | tr '\\0' '\\n' | grep -v '^RUNBOOK_BLOCK_RUN='\n"


def dumped(env: dict[str, str]) -> list[str]:
    check = Check("e--b", Risk.CHECK, "bash", DUMP, BlockOptions(), SourceLocation("e.md", 1))
    result = run_check(check, env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def _steady(lines: list[str]) -> list[str]:
    """Without what bash sets itself."""
    return [x for x in lines if not x.startswith(("_=", "SHLVL=", "PWD=", "OLDPWD="))]


def expected(env: dict[str, str]) -> list[str]:
    lines = [f"{k}={v}" for k, v in env.items() if "\n" not in v]
    return sorted(lines, key=lambda line: line.encode())


def test_a_block_sees_its_environment_exactly_and_ours_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUNNER_ONLY", "mine")
    monkeypatch.delenv("BLOCK_ONLY", raising=False)
    before = dict(os.environ)
    changed = {**before, "BLOCK_ONLY": "theirs", "RUNNER_ONLY": "changed", "PATH": before["PATH"]}
    removed = {k: v for k, v in before.items() if k != "RUNNER_ONLY"}
    for env in (before, changed, removed):
        assert _steady(dumped(env)) == _steady(expected(env))
        assert dict(os.environ) == before
