"""Bounds on what a run accepts and prints: ``--timeout`` values, the failure excerpt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import page, runbook

TOUCH = "# H\n\n```bash {#h--touch .check}\ntouch ran\n```\n"


@pytest.mark.parametrize("command", ["exec", "check"])
@pytest.mark.parametrize("value", ["-1", "0", "nan", "inf", "1e30", "-inf"])
def test_a_timeout_that_is_not_a_usable_number_of_seconds_is_a_usage_error(
    tmp_path: Path, command: str, value: str
) -> None:
    page(tmp_path, TOUCH)
    proc = runbook(command, "page.md", f"--timeout={value}", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--timeout': '{value}': expected seconds above 0 "
        "and at most 604800 (a week)"
    )
    assert not (tmp_path / "ran").exists()


def test_exec_grace_that_is_not_a_number_of_seconds_is_a_usage_error(tmp_path: Path) -> None:
    page(tmp_path, TOUCH)
    proc = runbook("exec", "page.md", "--grace=nan", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--grace': 'nan': expected seconds from 0 "
        "and at most 604800 (a week)"
    )
    assert not (tmp_path / "ran").exists()


def test_a_failing_block_printing_one_huge_line_gets_a_bounded_excerpt(tmp_path: Path) -> None:
    page(
        tmp_path,
        "# H\n\n```bash {#h--huge .check}\n"
        "head -c 5000000 /dev/zero | tr '\\0' a; echo END-OF-LINE; exit 1\n```\n",
    )
    proc = runbook("exec", "page.md", cwd=tmp_path)
    assert proc.returncode == 1
    assert len(proc.stdout) > 5_000_000  # streamed live, whole
    assert len(proc.stderr) < 10_000
    # The summary wraps at its width: compare without the whitespace.
    excerpt = "".join(proc.stderr[proc.stderr.index("    last stdout:\n") :].split())
    assert excerpt.startswith("laststdout:" + "a" * 200 + "[...")
    assert "charactersnotshown...]" in excerpt
    assert excerpt[: excerpt.index("status")].endswith("a" * 389 + "END-OF-LINE")
