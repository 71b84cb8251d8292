"""Results -> terminal summary, JSON, JUnit XML, GitHub step summary; and the run's Outcome.

Reporters consume plain ``Result`` objects and never run anything. Results arrive
already redacted (the runner masks secrets before anything is captured).
"""

from __future__ import annotations

import os
import re
import stat
import threading
from collections import Counter
from collections.abc import Sequence
from typing import IO, Any

from checks._plain_table import plain_table
from checks.files import write_report
from checks.model import Result, Status
from checks.problems import Outcome
from checks.run.outcome import now_iso
from checks.terminal import visible

RAN = frozenset({Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.ERROR})
BAD = frozenset({Status.FAILED, Status.TIMEOUT, Status.ERROR})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TAIL_LINES = 15
SUMMARY_COLUMNS = ("status", "time", "block", "location", "note")
SUMMARY_WIDTH = 120
LINE_HEAD, LINE_TAIL = 200, 400
"""Characters of one excerpt line kept at its start and at its end (the end says why)."""


def outcome_of(
    results: Sequence[Result], *, interrupted: bool = False, signum: int = 2, reported: bool = True
) -> Outcome:
    """What a run of blocks amounts to: a block failed, timed out or errored, or a report it
    asked for could not be written (``reported`` False: its record is missing, not a
    success); none ran; ``signum`` (SIGINT, SIGTERM, SIGHUP) interrupted it."""
    return Outcome(
        failed=not reported or any(r.status in BAD for r in results),
        nothing_ran=not any(r.status in RAN for r in results),
        interrupted=interrupted,
        signum=signum,
    )


def summarize(
    results: Sequence[Result], *, interrupted: bool = False, signum: int = 2
) -> dict[str, Any]:
    """Counts per status, total time and the exit code of the run."""
    counts = Counter(r.status.value for r in results)
    summary: dict[str, Any] = {"total": len(results)}
    summary.update({s.value: counts.get(s.value, 0) for s in Status})
    summary["duration_s"] = round(sum(r.duration_s for r in results), 3)
    outcome = outcome_of(results, interrupted=interrupted, signum=signum)
    summary["exit_code"] = int(outcome.exit_code)
    return summary


def result_to_json(result: Result) -> dict[str, Any]:
    """One result as the JSON report and the transcript write it."""
    return {
        "id": result.check.id,
        "status": result.status.value,
        "exit_code": result.exit_code,
        "duration_s": result.duration_s,
        "finished_at": result.finished_at,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "location": str(result.check.location),
        "reason": result.reason,
        "details": list(result.details),
        "risk": result.check.risk.value,
        "title": result.check.title,
        "user": result.user,
        "host": result.host,
        "variables": variables_json(result),
        "outputs": dict(result.outputs),
    }


def variables_json(result: Result) -> dict[str, dict[str, str | None]]:
    """The variables a block read, ``{NAME: {value, source}}`` (secrets already masked),
    as the JSON report, the transcript and an incident's timeline record them."""
    return {v.name: {"value": v.value, "source": v.source} for v in result.variables}


def write_json(
    path: str, results: Sequence[Result], *, interrupted: bool = False, signum: int = 2
) -> None:
    """The ``--json`` report (version 1), written atomically (``files.write_report``).

    An interrupted run's exit code is 128 + ``signum`` (130 for Ctrl-C, 143 for SIGTERM).
    """
    summary = summarize(results, interrupted=interrupted, signum=signum)
    if interrupted:
        summary["interrupted"] = True
    doc = {
        "version": 1,
        "generated_at": now_iso(),
        "results": [result_to_json(r) for r in results],
        "summary": summary,
    }
    import json  # here: only a run with --json needs it

    write_report(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def write_junit(path: str, results: Sequence[Result], *, name: str = "runbook") -> None:
    """JUnit XML as pytest writes it (junit-10 schema): one testsuite per source file."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name=name)
    suites: dict[str, list[Result]] = {}
    for r in results:
        suites.setdefault(r.check.location.path, []).append(r)
    totals = Counter[str]()
    for source, items in suites.items():
        counts = Counter(r.status for r in items)
        failures = counts[Status.FAILED]
        errors = counts[Status.TIMEOUT] + counts[Status.ERROR]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=source,
            tests=str(len(items)),
            failures=str(failures),
            errors=str(errors),
            skipped=str(counts[Status.SKIPPED]),
            time=f"{sum(r.duration_s for r in items):.3f}",
            timestamp=items[0].finished_at,
            file=source,
        )
        totals.update(tests=len(items), failures=failures, errors=errors)
        for r in items:
            case = ET.SubElement(
                suite,
                "testcase",
                name=r.check.id,
                classname=_classname(r),
                time=f"{r.duration_s:.3f}",
            )
            message = _xml(f"{r.check.location}: {r.status.value}: {r.reason}".rstrip(": "))
            body = _xml("\n".join(r.details))
            if r.status is Status.FAILED:
                ET.SubElement(case, "failure", type="failed", message=message).text = body
            elif r.status in (Status.TIMEOUT, Status.ERROR):
                # <error> as pytest, Jenkins and GitLab write it (not <errors>).
                tag = r.status.value
                ET.SubElement(case, "error", type=tag, message=message).text = body
            elif r.status is Status.SKIPPED:
                ET.SubElement(case, "skipped", type="skipped", message=message)
            if r.stdout:
                ET.SubElement(case, "system-out").text = _xml(r.stdout)
            if r.stderr:
                ET.SubElement(case, "system-err").text = _xml(r.stderr)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", f"{sum(r.duration_s for r in results):.3f}")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    write_report(path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")


def _classname(result: Result) -> str:
    runbook = result.check.id.split("--", 1)[0]
    return f"runbook.{runbook}"


def _xml(text: str) -> str:
    """Characters XML 1.0 cannot hold, shown as escapes instead of breaking the file."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def github_summary(results: Sequence[Result]) -> str:
    """A Markdown table for ``$GITHUB_STEP_SUMMARY``."""
    summary = summarize(results)
    lines = [
        "### runbook: "
        + ", ".join(f"{summary[s.value]} {s.value}" for s in Status if summary[s.value]),
        "",
        "| status | block | time | location | reason |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        reason = r.reason.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r.status.value} | `{r.check.id}` | {r.duration_s:.2f}s "
            f"| `{r.check.location}` | {reason} |"
        )
    return "\n".join(lines) + "\n"


def append_github_summary(results: Sequence[Result], environ: dict[str, str]) -> None:
    """Append the table to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(github_summary(results))


def failure_text(result: Result) -> str:
    """A failed block for humans: file:line, status, expected vs got, last output lines."""
    lines = [f"{result.check.location}: {result.status.value}: {result.check.id}"]
    if result.reason:
        lines.append(f"    {result.reason}")
    lines.extend(f"    {d}" for d in result.details)
    for label, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        tail = text.rstrip("\n").split("\n")[-TAIL_LINES:] if text.strip() else []
        if tail:
            lines.append(f"    last {label}:")
            lines.extend(f"      {_clip(line)}" for line in tail)
    return visible("\n".join(lines))


def _clip(line: str) -> str:
    """One excerpt line bounded: a 5 MB line must not become a 5 MB summary."""
    dropped = len(line) - LINE_HEAD - LINE_TAIL
    if dropped <= 0:
        return line
    return f"{line[:LINE_HEAD]} [... {dropped} characters not shown ...] {line[-LINE_TAIL:]}"


def print_summary(results: Sequence[Result], stream: IO[str], *, color: bool = False) -> None:
    """The end-of-run view: failures in detail, then a table of every block."""
    summary = summarize(results)
    parts = [f"{summary[s.value]} {s.value}" for s in Status if summary[s.value]]
    total = f"{', '.join(parts) or 'nothing selected'} in {summary['duration_s']:.2f}s\n"
    rows = [
        (
            r.status.value,
            f"{r.duration_s:.2f}s",
            r.check.id,
            str(r.check.location),
            r.reason if r.status is not Status.PASSED else "",
        )
        for r in results
    ]
    failed = [r for r in results if r.status in BAD]
    plain = None if color else plain_table(SUMMARY_COLUMNS, rows, SUMMARY_WIDTH)
    if plain is not None and not failed:
        stream.write(plain + total)
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, force_terminal=color, no_color=not color, width=SUMMARY_WIDTH)
    for r in failed:
        console.print(failure_text(r), markup=False, highlight=False)
    if plain is not None:
        stream.write(plain + total)
        return
    table = Table(title=None, show_edge=False, pad_edge=False)
    for column in SUMMARY_COLUMNS:
        table.add_column(column, overflow="fold")
    styles = {
        Status.PASSED: "green",
        Status.FAILED: "red",
        Status.TIMEOUT: "red",
        Status.ERROR: "red",
        Status.SKIPPED: "yellow",
        Status.DONE: "green",
    }
    for r, (status, *cells) in zip(results, rows, strict=True):
        table.add_row(f"[{styles[r.status]}]{status}[/]", *cells[:3], _escape(cells[3]))
    console.print(table)
    console.print(total.rstrip("\n"))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(visible(text))


class Transcript:
    """JSON lines, one event per line, flushed and fsynced per event: a crash loses nothing."""

    def __init__(self, path: str) -> None:
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 (lives for the run)
        # A FIFO or a device (/dev/stderr) cannot be fsynced; it has no disk to lose.
        self._sync = stat.S_ISREG(os.fstat(self.handle.fileno()).st_mode)
        self._lock = threading.Lock()  # --jobs: blocks start in workers, end in the main thread

    def event(self, kind: str, **data: Any) -> None:
        import json  # here: only a run with --transcript needs it

        record = {"event": kind, "at": now_iso(), **data}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.handle.write(line)
            self.handle.flush()
            if self._sync:
                os.fsync(self.handle.fileno())

    def result(self, result: Result) -> None:
        data = result_to_json(result)
        data["stdout"] = _tail(result.stdout)
        data["stderr"] = _tail(result.stderr)
        self.event("result", **data)

    def close(self) -> None:
        self.handle.close()


def _tail(text: str, limit: int = 65536) -> str:
    return text if len(text) <= limit else f"[... {len(text) - limit} chars ...]" + text[-limit:]
