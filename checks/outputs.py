"""Where a run's reports go: every path checked before the run, every report written after.

``checks.report`` knows how to write each report; this module writes all of those a run
asked for (the terminal summary, ``--json``, ``--junit``, ``$GITHUB_STEP_SUMMARY``) and says
up front which path could not take one, so a run never ends without its reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
        if path == "-":  # not a file named "-": the reader meant standard output
            return (
                f"{option} -: standard output carries the blocks' own output, so a report "
                "cannot go there; name a file"
            )
        problem = _unwritable(path)
        if problem:
            return f"{option} {path}: {problem}"
    return ""


def _unwritable(path: str) -> str:
    from checks.files import write_problem

    return write_problem(path)


def write_reports(
    results: Sequence[Result],
    *,
    json_path: str | None,
    junit_path: str | None,
    interrupted: bool,
    environ: Mapping[str, str],
    stream: TextIO,
    color: bool,
    signum: int = 2,
) -> bool:
    """The terminal summary, ``--json``, ``--junit`` and ``$GITHUB_STEP_SUMMARY``.

    Paths were checked before the run; one that still fails (the disk filled up, the
    folder went away) is reported on ``stream`` and the other reports are still written.
    Returns False when one could not be written.
    """
    print_summary(results, stream, color=color)
    writers: list[tuple[str, str | None, Callable[[str], None]]] = [
        (
            "--json",
            json_path,
            lambda p: write_json(p, results, interrupted=interrupted, signum=signum),
        ),
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
