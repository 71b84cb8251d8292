"""Malformed runbook YAML: each fixture gives exactly its golden compiler-style lines.

Every entry of ``tests/fixtures/invalid/`` is one case: a ``.yaml`` file is loaded alone,
a folder is loaded as a tree. ``expected.txt`` holds the exact lines, paths relative to
the repository. After a deliberate message change, regenerate and review the diff::

    RUNBOOK_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_loading_invalid.py
    git diff tests/fixtures/invalid/expected.txt
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checks.problems import Problem
from generator.load.tree import LoadResult, load_file, load_tree
from tests.helpers import REPO, assert_golden

FOLDER = Path("tests/fixtures/invalid")
GOLDEN = REPO / FOLDER / "expected.txt"
CASES = sorted(name for name in os.listdir(REPO / FOLDER) if name != "expected.txt")


def load_case(name: str) -> LoadResult:
    path = FOLDER / name
    return load_tree(path) if path.is_dir() else load_file(path, FOLDER)


def golden_lines(name: str) -> list[str]:
    prefix = f"{(FOLDER / name).as_posix()}"
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.startswith((prefix + ":", prefix + "/"))]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Locations are relative to the working directory, as a user sees them.
    monkeypatch.chdir(REPO)


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", CASES)
def test_malformed_document_gives_its_exact_problem_lines(name: str) -> None:
    result = load_case(name)
    got = [str(p) for p in result.problems]
    expected = golden_lines(name)
    assert expected, f"no golden line for {name} in {GOLDEN}"
    assert got == expected
    assert all(isinstance(p, Problem) for p in result.problems)


@pytest.mark.parametrize("name", [n for n in CASES if n.endswith(".yaml")])
def test_malformed_runbook_is_left_out(name: str) -> None:
    assert load_case(name).runbooks == ()


def test_runbook_under_a_broken_defaults_file_still_loads_and_the_problem_is_reported() -> None:
    result = load_case("defaults-unknown-key")
    assert [rb.id for rb in result.runbooks] == ["db"]
    assert [str(p.location) for p in result.problems] == [
        "tests/fixtures/invalid/defaults-unknown-key/_defaults.yaml:3:1"
    ]


def test_duplicate_runbook_id_keeps_the_first_file() -> None:
    result = load_case("duplicate-runbook-id")
    assert [rb.path for rb in result.runbooks] == [
        "tests/fixtures/invalid/duplicate-runbook-id/a.yaml"
    ]


def test_expected_txt_is_every_case_in_order_and_nothing_else() -> None:
    lines = [str(p) for name in CASES for p in load_case(name).problems]
    assert_golden(GOLDEN, "\n".join(lines) + "\n")
