"""Expectations: does a finished block's exit code and output match what its page says?"""

from __future__ import annotations

import re

from checks.model import Check
from checks.patterns import PatternError, search

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def normalise_output(text: str) -> str:
    """ANSI codes stripped, CRLF as LF, trailing whitespace and final newlines dropped."""
    text = _ANSI.sub("", text).replace("\r\n", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).rstrip("\n")


def judge(check: Check, exit_code: int, stdout: str) -> tuple[bool, str, tuple[str, ...]]:
    """(passed, reason, details) for a block that exited with ``exit_code``."""
    opts = check.options
    if exit_code not in opts.expect_exit:
        wanted = ", ".join(str(c) for c in opts.expect_exit)
        return False, f"exit code {exit_code}, expected {wanted}", ()
    return judge_output(check, stdout)


def judge_output(check: Check, stdout: str) -> tuple[bool, str, tuple[str, ...]]:
    """The output expectations alone (a ``follow`` block that reached its timeout)."""
    opts = check.options
    if opts.expect_stdout is not None:
        try:
            found = search(opts.expect_stdout, stdout)
        except PatternError as exc:
            return False, f"expect-stdout: '{opts.expect_stdout}' {exc}", ()
        if not found:
            return False, f"stdout does not match /{opts.expect_stdout}/", ()
    if opts.expect_contains is not None and opts.expect_contains not in stdout:
        return False, f"stdout does not contain {opts.expect_contains!r}", ()
    if check.expected_output is not None:
        want = normalise_output(check.expected_output)
        got = normalise_output(stdout)
        if want != got:
            import difflib  # here: only a differing output needs it

            diff = difflib.unified_diff(
                want.split("\n"), got.split("\n"), "expected", "got", lineterm=""
            )
            return False, "stdout differs from the expected output", tuple(diff)
    return True, "", ()
