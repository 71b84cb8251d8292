"""User-supplied regular expressions: bounded time, Python's meaning, located rejections.

A catastrophic pattern (``^(a+)+$`` against a's and a ``!``) takes Python's backtracking
``re`` minutes; every place that matches a runbook author's pattern must answer at once.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from checks.model import BlockOptions, Check, Risk, SourceLocation, Status
from checks.patterns import fullmatch, search
from checks.run.process import run_check
from tests.helpers import page, runbook

EVIL = "^(a+)+$"
SUBJECT = "a" * 36 + "!"


def test_a_catastrophic_expect_stdout_is_judged_at_once() -> None:
    check = Check(
        "p--evil",
        Risk.CHECK,
        "bash",
        f"echo '{SUBJECT}'\n",
        BlockOptions(timeout=5, expect_stdout=EVIL),
        SourceLocation("p.md", 1),
    )
    started = time.monotonic()
    result = run_check(check, dict(os.environ))
    assert time.monotonic() - started < 4
    assert result.status is Status.FAILED
    assert result.reason == f"stdout does not match /{EVIL}/"


def test_exec_with_a_catastrophic_header_pattern_and_variable_pattern_ends_quickly(
    tmp_path: Path,
) -> None:
    page(
        tmp_path,
        "# P\n\n```yaml {.runbook-variables}\n"
        "WORD: {pattern: '(a+)+$'}\n```\n\n"
        f'```bash {{#p--evil .check expect-stdout="{EVIL}" env=WORD}}\n'
        f"echo '{SUBJECT}'\n```\n",
    )
    started = time.monotonic()
    proc = runbook("exec", "page.md", "--var", f"WORD={SUBJECT}", cwd=tmp_path, timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 3, proc.stderr
    assert f"variable WORD: '{SUBJECT}' does not match /(a+)+$/" in proc.stderr


def test_lint_of_a_catastrophic_variable_pattern_ends_quickly(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "evil.yaml").write_text(
        "id: evil\ntitle: Evil\nvariables:\n"
        f"  WORD: {{description: w, pattern: '(a+)+$', default: '{SUBJECT}'}}\n"
        "sections:\n  - id: s\n    title: S\n    steps:\n"
        "      - {id: c, title: C, kind: check, run: echo hi}\n"
    )
    started = time.monotonic()
    proc = runbook("lint", cwd=tmp_path, timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 3, proc.stderr
    assert f"default '{SUBJECT}' does not match pattern '(a+)+$'" in proc.stdout


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"^\d+$", "42\n"),
        (r"^\d+$", "42\n\n"),
        (r"^\d+$", "٤٢"),
        (r"^\w+$", "été"),
        (r"^\s$", "\u2003"),
        (r"^\S+$", "ab\u2003"),
        (r"a\Z", "a\n"),
        (r"^x{,2}$", "xx"),
        (r"[\d]+", "٤"),
        (r"[]a]", "a"),
        (r"[^]a]", "]"),
        (r"(?m)^b$", "a\nb\nc"),
        (r"^https?://\S+$", "https://example.org/x"),
        (r"\(\d+ rows?\)", "(3 rows)"),
        (r"a|b$", "b\n"),
        (r"^i-[0-9a-f]+$", "i-0abc\n"),
    ],
)
def test_patterns_mean_what_they_mean_in_python(pattern: str, text: str) -> None:
    assert search(pattern, text) is bool(re.search(pattern, text))
    assert fullmatch(pattern, text) is bool(re.fullmatch(pattern, text))


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a)\1", "is not supported by the linear-time matcher (RE2): invalid escape sequence"),
        (r"(?=a)b", "is not supported by the linear-time matcher (RE2): invalid perl operator"),
        (r"a$b", "has '$' followed by more pattern (not supported)"),
        (r"[\S]", r"has '\S' inside [...] (not supported: use [^...])"),
    ],
)
def test_a_pattern_the_matcher_cannot_do_is_a_located_error(
    tmp_path: Path, pattern: str, why: str
) -> None:
    header = pattern.replace("\\", "\\\\")
    page(tmp_path, f'# P\n\n```bash {{#p--x .check expect-stdout="{header}"}}\necho\n```\n')
    proc = runbook("lint", "page.md", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "expect-stdout" in x)
    assert line.startswith("page.md:3:")
    assert f"expect-stdout: '{pattern}' {why}" in line
