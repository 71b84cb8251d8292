"""What ``exec`` and ``check`` share: variables from every source, environments, the
terminal prompter, live progress lines and the reports written at the end."""

from __future__ import annotations

import getpass
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from checks.model import Check, Result, Risk, Status, Variable
from checks.problems import ExitCode, Problem, Severity
from checks.report import (
    Transcript,
    append_github_summary,
    print_summary,
    write_json,
    write_junit,
)
from checks.run.capture import redact_text, secret_forms
from checks.variables import (
    COMMAND_LINE,
    Resolution,
    Value,
    block_environment,
    parse_var_options,
    read_env_file,
    resolve_variables,
    used_variables,
    validate_resolution,
    validate_value,
)
from generator.errors import RunbookError, UsageError

_MARKS = {
    Status.PASSED: ("PASS", "green"),
    Status.FAILED: ("FAIL", "red"),
    Status.TIMEOUT: ("TIME", "red"),
    Status.ERROR: ("ERR ", "red"),
    Status.SKIPPED: ("SKIP", "yellow"),
}


def is_tty() -> bool:
    """The one TTY test: is stdin a terminal? (``$CI`` changes nothing.)"""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


@dataclass(frozen=True, slots=True)
class Variables:
    """Declared variables and their resolution for one run."""

    declared: tuple[Variable, ...]
    resolution: Resolution

    @property
    def secrets(self) -> tuple[bytes, ...]:
        values = [
            self.resolution.values[v.name].value
            for v in self.declared
            if v.secret and v.name in self.resolution.values
        ]
        return secret_forms(values)


def resolve_all(
    declared: Sequence[Variable],
    var_options: Sequence[str],
    env_file: str | None,
    environ: Mapping[str, str],
    *,
    needed: Sequence[str],
    tty: bool,
    ask: Callable[[Variable], str] | None = None,
) -> Variables:
    """Resolve, prompt for missing required values on a TTY, validate; exit 3 otherwise."""
    cli = parse_var_options(var_options)
    from_file = read_env_file(env_file) if env_file else {}
    resolution = resolve_variables(declared, cli, from_file, environ, env_file or "")
    missing = [v for v in resolution.missing if v.name in needed]
    if missing:
        if not tty:
            problems = [
                Problem(
                    v.location or COMMAND_LINE,
                    Severity.ERROR,
                    f"required variable {v.name} has no value (no TTY to ask: set it with "
                    f"--var {v.name}=..., --env-file or the environment)",
                    rule="variable",
                )
                for v in missing
            ]
            raise RunbookError(problems=problems, exit_code=ExitCode.INVALID)
        prompt = ask or prompt_variable
        values = dict(resolution.values)
        for var in missing:
            values[var.name] = Value(prompt(var), "prompt")
        resolution = Resolution(values=values, missing=())
    invalid = validate_resolution(declared, resolution)
    if invalid:
        raise RunbookError(problems=invalid, exit_code=ExitCode.INVALID)
    return Variables(tuple(declared), resolution)


def prompt_variable(var: Variable) -> str:
    """Ask for a value on the terminal; masked for secrets; re-ask until valid."""
    label = f"{var.name}" + (f" ({var.description})" if var.description else "")
    while True:
        if var.secret:
            value = getpass.getpass(f"{label} [secret]: ")
        else:
            sys.stderr.write(f"{label}: ")
            sys.stderr.flush()
            value = sys.stdin.readline().rstrip("\n")
        problem = validate_value(var, value) if value else f"{var.name} is required"
        if not problem:
            return value
        sys.stderr.write(f"error: {problem}\n")


def environments(
    checks: Sequence[Check], variables: Variables, environ: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The environment of every block: process env + resolved variables + its id."""
    return {c.id: block_environment(environ, variables.resolution, c) for c in checks}


def needed_names(checks: Sequence[Check], declared: Sequence[Variable]) -> list[str]:
    """Names of the declared variables the given blocks read."""
    names: list[str] = []
    for check in checks:
        names.extend(n for n in used_variables(check, declared) if n not in names)
    return names


class TerminalPrompter:
    """y/N, typed step ids, walk choices and Enter for manual steps, on stdin/stderr."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    def _ask(self, question: str) -> str:
        self.stream.write(question)
        self.stream.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    def _show(self, check: Check) -> None:
        self.stream.write(
            f"\n{check.risk.value.upper()} {check.id} ({check.location})"
            + (f": {check.title}" if check.title else "")
            + "\n"
            + "".join(f"    {line}\n" for line in check.command.rstrip("\n").split("\n"))
        )

    def confirm(self, check: Check) -> bool:
        self._show(check)
        return self._ask(f"Run action {check.step_id}? [y/N] ").lower() in ("y", "yes")

    def confirm_id(self, check: Check) -> bool:
        self._show(check)
        typed = self._ask(f"Destructive. Type the step id ({check.step_id}) to run it: ")
        return typed in (check.step_id, check.id)

    def walk(self, check: Check) -> str:
        self._show(check)
        while True:
            answer = self._ask("[r]un, [s]kip or [q]uit? ").lower()
            for word in ("run", "skip", "quit"):
                if answer and word.startswith(answer):
                    return word

    def manual(self, check: Check) -> None:
        self._show(check)
        self._ask("Manual step: press Enter when done ")


class Progress:
    """Live lines while a run goes: one when a block starts, one when it ends.

    A manual step's instruction is shown under its line (``show_manual``; in ``--walk``
    the prompter has shown it already).
    """

    def __init__(
        self,
        stream: TextIO,
        color: bool,
        transcript: Transcript | None,
        *,
        show_manual: bool = True,
        total: int = 0,
    ) -> None:
        self.stream = stream
        self.color = color
        self.transcript = transcript
        self.show_manual = show_manual
        self.total = total
        """Blocks the run will report on; result lines count up to it (``[3/9]``)."""
        self.done = 0
        self._lock = threading.Lock()  # --jobs: starts come from worker threads

    def _style(self, text: str, colour: str) -> str:
        if not self.color:
            return text
        import click

        return click.style(text, fg=colour, bold=True)

    def start(self, check: Check) -> None:
        with self._lock:
            self.stream.write(f"{self._style('RUN ', 'cyan')} {check.id}  ({check.location})\n")
            self.stream.flush()
        if self.transcript:
            self.transcript.event(
                "start", id=check.id, location=str(check.location), command=check.command
            )

    def result(self, result: Result) -> None:
        mark, colour = _MARKS[result.status]
        note = f"  {result.reason}" if result.reason else ""
        self.done += 1
        count = f"[{self.done}/{self.total}] " if self.total else ""
        lines = [
            f"{count}{self._style(mark, colour)} {result.check.id}  {result.duration_s:.2f}s{note}"
        ]
        if self.show_manual and result.check.risk is Risk.MANUAL:
            lines += [f"    | {line}" for line in result.check.command.rstrip("\n").split("\n")]
        with self._lock:
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
        if self.transcript:
            self.transcript.result(result)


class IncidentLog:
    """``--incident``: every block that ran goes to the incident's timeline as it ends."""

    def __init__(self, path: Path, stream: TextIO) -> None:
        self.path = path
        self.stream = stream
        self.failed = False

    def result(self, result: Result) -> None:
        if result.status is Status.SKIPPED or self.failed:
            return
        from generator.incident.record import append_block_result

        try:
            append_block_result(self.path, result)
        except (RunbookError, OSError) as exc:
            # The run goes on (it is an incident); say once that the record is behind.
            self.failed = True
            text = exc.format() if isinstance(exc, RunbookError) else str(exc)
            self.stream.write(
                f"warning: --incident {self.path}: cannot append to the timeline: {text}\n"
            )


def open_incident(spec: str, incident_dir: str) -> Path:
    """``--incident``: a path or an id in ``incident_dir``; checked before anything runs."""
    from generator.incident.record import find_incident, read_incident

    path = find_incident(spec, Path(incident_dir))
    read_incident(path)  # a record that does not parse is exit 3 now, not after the run
    return path


def check_report_paths(paths: Sequence[tuple[str, str | None]], environ: Mapping[str, str]) -> None:
    """Every report target can be written: a usage error (exit 2) before anything runs.

    ``paths`` are (option, path) pairs; ``$GITHUB_STEP_SUMMARY`` is checked when set.
    """
    targets = [(option, path) for option, path in paths if path]
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        targets.append(("$GITHUB_STEP_SUMMARY", summary))
    for option, path in targets:
        problem = _unwritable(path)
        if problem:
            raise UsageError(f"{option} {path}: {problem}")


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


def open_transcript(path: str | None) -> Transcript | None:
    """``--transcript FILE`` opened for appending (a usage error if it cannot be)."""
    if not path:
        return None
    try:
        return Transcript(path)
    except OSError as exc:
        raise UsageError(f"--transcript {path}: cannot write it: {exc.strerror or exc}") from None


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


def dry_run_text(
    checks: Sequence[tuple[Check, str]], variables: Variables, environ: Mapping[str, str]
) -> str:
    """Every selected block with what it would do and each variable's value and source."""
    secret_names = {v.name for v in variables.declared if v.secret}
    lines: list[str] = []
    for check, plan in checks:
        lines.append(f"{check.location}: {check.id} [{check.risk.value}] {plan}")
        lines.extend(f"    | {line}" for line in check.command.rstrip("\n").split("\n"))
        for name in needed_names([check], variables.declared) or []:
            value = variables.resolution.values.get(name)
            if value is None:
                lines.append(f"    {name} = (no value)")
                continue
            shown = "***" if name in secret_names else value.value
            lines.append(f"    {name} = {shown!r}  (from {value.source})")
    return redact_text("\n".join(lines), variables.secrets) + "\n"
