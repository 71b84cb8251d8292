"""Shared test settings: deterministic, load-tolerant hypothesis; the repository root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# CI runs on 2 busy cores: never fail a property because an example was slow.
settings.register_profile(
    "runbook",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)
settings.load_profile("runbook")

REPO = Path(__file__).resolve().parent.parent


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``runbook ARGS`` in this process: exit code, stdout and stderr of that call only."""
    from generator.cli import main

    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_fresh(script: str) -> str:
    """``script`` in a new interpreter (the repository importable), its stdout; fails on a
    non-zero exit. For what needs a process without threads: a test session runs servers
    in threads, and ``workers.fork_each`` does not fork a process that runs threads."""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def mkdocs_yml(folder: Path, change: tuple[str, str] = ("", ""), extra: str = "") -> Path:
    """Our mkdocs.yml written into ``folder`` (docs_dir still the repository's), with
    ``change`` (old, new) applied and ``extra`` appended."""
    config = (REPO / "mkdocs.yml").read_text().replace("docs_dir: docs", f"docs_dir: {REPO}/docs")
    old, new = change
    if old:
        assert old in config, old
        config = config.replace(old, new)
    path = folder / "mkdocs.yml"
    path.write_text(config + extra)
    return path


@pytest.fixture
def repo_root() -> Path:
    """The checkout's top folder (tests never read ../shared)."""
    return REPO


@pytest.fixture
def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the YAML files the loader parses from now on, in order (cache hits
    are not parses)."""
    from generator.load import parse

    calls: list[str] = []
    real = parse.parse_bytes

    def counting(data: bytes, display: str) -> object:
        calls.append(Path(display).name)
        return real(data, display)

    monkeypatch.setattr(parse, "parse_bytes", counting)
    return calls
