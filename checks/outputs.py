"""Where a run's reports go: every path checked before the run, every report written after.

``checks.report`` knows how to write each report; this module writes all of those a run
asked for (the terminal summary, ``--json``, ``--junit``, ``$GITHUB_STEP_SUMMARY``) and says
up front which path could not take one, so a run never ends without its reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from checks.model import Result
from checks.report import append_github_summary, print_summary, write_json, write_junit


def report_path_problem(paths: Sequence[tuple[str, str | None]], environ: Mapping[str, str]) -> str:
    """The first report target that cannot be written, as ``OPTION PATH: why`` ('' = none).

    ``paths`` are (option, path) pairs; ``$GITHUB_STEP_SUMMARY`` is checked when set.
    """
    targets = [(option, path) for option, path in paths if path]
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        targets.append(("$GITHUB_STEP_SUMMARY", summary))
    for option, path in targets:
        problem = _unwritable(path)
        if problem:
            return f"{option} {path}: {problem}"
    return ""


def _unwritable(path: str) -> str:
    target = Path(path)
    if target.is_dir():
        return "is a directory (expected a file name)"
    parent = target.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        return f"cannot write it: the directory '{parent}' {what}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot write it: the directory '{parent}' is not writable"
    if target.exists() and not os.access(target, os.W_OK):
        return "cannot write it: the file is not writable"
    return ""


def write_reports(
    results: Sequence[Result],
    *,
    json_path: str | None,
    junit_path: str | None,
    interrupted: bool,
    environ: Mapping[str, str],
    stream: TextIO,
    color: bool,
) -> bool:
    """The terminal summary, ``--json``, ``--junit`` and ``$GITHUB_STEP_SUMMARY``.

    Paths were checked before the run; one that still fails (the disk filled up, the
    folder went away) is reported on ``stream`` and the other reports are still written.
    Returns False when one could not be written.
    """
    print_summary(results, stream, color=color)
    writers: list[tuple[str, str | None, Callable[[str], None]]] = [
        ("--json", json_path, lambda p: write_json(p, results, interrupted=interrupted)),
        ("--junit", junit_path, lambda p: write_junit(p, results)),
        (
            "$GITHUB_STEP_SUMMARY",
            environ.get("GITHUB_STEP_SUMMARY"),
            lambda p: append_github_summary(results, {"GITHUB_STEP_SUMMARY": p}),
        ),
    ]
    ok = True
    for option, path, write in writers:
        if not path:
            continue
        try:
            write(path)
        except OSError as exc:
            ok = False
            stream.write(f"error: {option} {path}: cannot write it: {exc.strerror or exc}\n")
    return ok
