"""The terminal side of a run: is there a TTY, questions asked on it, live progress lines."""

from __future__ import annotations

import getpass
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import BinaryIO, TextIO

from checks.model import Check, Result, Risk, ShownValue, Status, Variable
from checks.report import Transcript
from checks.terminal import visible, visible_lines
from checks.variables import validate_value
from generator.plan import value_lines

_MARKS = {
    Status.PASSED: ("PASS", "green"),
    Status.FAILED: ("FAIL", "red"),
    Status.TIMEOUT: ("TIME", "red"),
    Status.ERROR: ("ERR ", "red"),
    Status.SKIPPED: ("SKIP", "yellow"),
    Status.DONE: ("DONE", "green"),
}


def is_tty() -> bool:
    """The one TTY test: is stdin a terminal? (``$CI`` changes nothing.)"""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def prompt_variable(var: Variable, *, optional: bool = False) -> str:
    """Ask for a value on the terminal; masked for secrets; re-ask until valid.

    ``optional``: an empty answer is taken (the variable stays unset) unless the
    variable is required. The end of input is an ``EOFError``, never an endless loop.
    """
    label = f"{var.name}" + (f" ({var.description})" if var.description else "")
    while True:
        if var.secret:
            value = getpass.getpass(f"{label} [secret]: ")
        else:
            sys.stderr.write(f"{label}: ")
            sys.stderr.flush()
            line = sys.stdin.readline()
            if not line:
                raise EOFError
            value = line.rstrip("\n")
        if not value and optional and not var.required:
            return ""
        problem = validate_value(var, value) if value else f"{var.name} is required"
        if not problem:
            return value
        sys.stderr.write(f"error: {problem}\n")


class TerminalPrompter:
    """y/N, typed step ids, walk choices and Enter for manual steps, on stdin/stderr.

    Each question shows the block and the values it reads (``shown``: their lines, as
    ``--dry-run`` writes them), so a person consents to what will run.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        shown: Callable[[Check], Sequence[ShownValue]] = lambda check: (),
    ) -> None:
        self.stream = stream or sys.stderr
        self.shown = shown

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
            + (f": {visible(check.title)}" if check.title else "")
            + "\n"
            + "".join(f"    {line}\n" for line in visible_lines(check.command))
            + "".join(f"{visible(line)}\n" for line in value_lines(self.shown(check)))
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

    def value(self, variable: Variable) -> str:
        return prompt_variable(variable, optional=True)

    def after_failure(self, result: Result) -> str:
        question = f"{result.check.id} {result.status.value}: [c]ontinue, [r]etry or [q]uit? "
        while True:
            answer = self._ask(question).lower()
            for word in ("continue", "retry", "quit"):
                if answer and word.startswith(answer):
                    return word


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
        self.line_open = False
        """The block output last teed to this stream's terminal or file did not end its
        line: this progress's next line starts on a fresh one."""
        self._lock = threading.Lock()  # --jobs: starts come from worker threads

    def block_streams(self, out: BinaryIO, err: BinaryIO) -> tuple[BlockOutput, BlockOutput]:
        """``out`` and ``err`` for teeing block output, noting where it leaves a line open
        on the stream these progress lines go to (the same file: a terminal, ``2>&1``)."""
        return BlockOutput(out, self, _same_file(out, self.stream)), BlockOutput(
            err, self, _same_file(err, self.stream)
        )

    def _write(self, text: str) -> None:
        with self._lock:
            if self.line_open:
                text = "\n" + text
                self.line_open = False
            self.stream.write(text)
            self.stream.flush()

    def fresh_line(self) -> None:
        """End a line block output left open, before the program writes on its own."""
        if self.line_open:
            self._write("")

    def _style(self, text: str, colour: str) -> str:
        if not self.color:
            return text
        import click

        return click.style(text, fg=colour, bold=True)

    def start(self, check: Check) -> None:
        self._write(f"{self._style('RUN ', 'cyan')} {check.id}  ({check.location})\n")
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
        if result.status in (Status.PASSED, Status.DONE):
            # What a passing block left behind and was stopped (a background server the
            # reader may have meant to keep): a failure's details come in the summary.
            lines += [f"    note: {detail}" for detail in result.details]
        if self.show_manual and result.check.risk is Risk.MANUAL:
            lines += [f"    | {line}" for line in visible_lines(result.check.command)]
        self._write("\n".join(lines) + "\n")
        if self.transcript:
            self.transcript.result(result)


class BlockOutput:
    """A stream block output is teed to, telling a ``Progress`` on the same file whether
    the output left a line open (the output itself is passed on as it is)."""

    def __init__(self, stream: BinaryIO, progress: Progress, shared: bool) -> None:
        self.stream = stream
        self.progress = progress
        self.shared = shared

    def write(self, data: bytes) -> int:
        written = self.stream.write(data)
        if self.shared and data:
            self.progress.line_open = not data.endswith(b"\n")
        return written

    def flush(self) -> None:
        self.stream.flush()


def _same_file(stream: BinaryIO, text: TextIO) -> bool:
    """Whether ``stream`` and ``text`` end up in the same place (one terminal, one file)."""
    if stream is getattr(text, "buffer", None):
        return True
    try:
        return os.path.samestat(os.fstat(stream.fileno()), os.fstat(text.fileno()))
    except (OSError, ValueError, AttributeError):
        return False
