"""The shell rules of lint: what bash would read, and whether it would parse.

A ``ShellBlock`` is the text bash sees for a step (its command, or the command of its
interpreter), with the names the runbook declares for it and a way back to the YAML (or
Markdown) line and column of any offset in it. Rules: ``undeclared-variable``,
``bash-syntax`` (the scanner for quotes that never close, then ``bash -n`` for every
block at once) and ``strict-exit-status``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from checks.header import VARIABLES_CLASS
from checks.model import Check, Risk, SourceLocation
from checks.problems import Problem, Severity, did_you_mean
from checks.shell.reads import ShellScan, is_standard, scan_shell
from checks.shell.syntax import SyntaxCache, check_bash_syntax
from generator.load._fast import constructor
from generator.model import Runbook, Step

__all__ = [
    "ShellBlock",
    "block_problems",
    "markdown_block",
    "may_read_or_quote",
    "runbook_blocks",
    "shell_problems",
]

_SHELLS = frozenset({"bash", "sh"})
_SHELL_LANGS = frozenset({"bash", "sh", "shell", "console"})


@dataclass(frozen=True, slots=True)
class ShellBlock:
    """A command as bash sees it, with what it may read and where its text is."""

    label: str
    text: str
    declared: frozenset[str]
    strict: bool
    start: SourceLocation
    """Where the text's first line is: of a YAML block scalar, its first line that is not
    blank (the leading blank lines are before ``start``)."""
    flat: bool = False
    """True when the text is one line of a plain or quoted scalar (columns offset)."""
    skip_blank: bool = False
    """True when ``start`` is the first line that is not blank (a YAML block scalar's)."""
    markdown: bool = False
    """A block of a Markdown runbook, whose variables are declared in the page's
    ``{.runbook-variables}`` block (not under ``variables:``)."""

    def at(self, line: int, col: int) -> SourceLocation:
        """The file location of a 0-based (line, column) offset into ``text``: the one
        conversion of the scanner's and bash's positions in a block."""
        if self.flat:
            return SourceLocation(self.start.path, self.start.line, self.start.col + col)
        lines = self.text.rstrip("\n").split("\n")
        line = min(max(line, 0), len(lines) - 1)
        if self.skip_blank:
            line -= next((i for i, text in enumerate(lines) if text.strip()), 0)
        return SourceLocation(self.start.path, self.start.line + line, self.start.col + col)


_SHELL_BLOCK: Callable[..., ShellBlock] = constructor(ShellBlock)
"""``ShellBlock``, made for every command of every runbook: the fast constructor."""


def runbook_blocks(runbook: Runbook) -> list[ShellBlock]:
    """The shell text of every step bash runs: the command, or an interpreter's command."""
    declared = frozenset(v.name for v in runbook.variables)
    out = []
    for step in runbook.all_steps():
        if step.kind is Risk.MANUAL or not step.run:
            continue
        fixed = declared | {name for name, _ in step.env} if step.env else declared
        declared |= frozenset(step.outputs)  # set for the steps after this one
        if step.interpreter:
            out.append(
                _SHELL_BLOCK(
                    f"step '{step.id}' interpreter",
                    step.interpreter,
                    fixed,
                    strict=False,
                    start=step.interpreter_location or step.location,
                    flat=True,
                )
            )
        elif step.lang in _SHELL_LANGS and (step.shell is None or step.shell in _SHELLS):
            out.append(step_block(step, step.run, fixed))
    return out


def step_block(step: Step, text: str, declared: frozenset[str] = frozenset()) -> ShellBlock:
    flat = "\n" not in text or step.run_location is None or not text.endswith("\n")
    return _SHELL_BLOCK(
        f"step '{step.id}'",
        text,
        declared,
        strict=step.strict and step.shell is None,
        start=step.run_location or step.location,
        flat=flat,
        skip_blank=not flat,
    )


def markdown_block(check: Check, declared: frozenset[str]) -> ShellBlock | None:
    options = check.options
    where = check.location
    if check.risk.value == "manual":
        return None
    if options.interpreter:
        return ShellBlock(f"block '{check.id}' interpreter", options.interpreter, declared,
                      strict=False, start=where, flat=True, markdown=True)  # fmt: skip
    if check.lang not in _SHELL_LANGS or (options.shell and options.shell not in _SHELLS):
        return None
    start = SourceLocation(where.path, where.line + 1, 1)
    strict = options.strict and options.shell is None
    return ShellBlock(
        f"block '{check.id}'", check.command, declared, strict=strict, start=start, markdown=True
    )


_WHERE_DECLARED = {
    False: "under 'variables:'",
    True: f"in the page's ```yaml {{.{VARIABLES_CLASS}}}``` block",
}


def block_problems(block: ShellBlock, scan: ShellScan) -> list[Problem]:
    """Undeclared variables, an unclosed quote, and ``$?`` under strict bash."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for ref in scan.references:
        name = ref.name
        if name in seen or name in block.declared or name in scan.assigned or is_standard(name):
            continue
        seen.add(name)
        hint = did_you_mean(name, block.declared)
        problems.append(
            Problem(
                block.at(ref.line, ref.col),
                Severity.ERROR,
                f"{block.label}: '${name}' is not a declared variable{hint}: declare it "
                f"{_WHERE_DECLARED[block.markdown]} so the page lists it and runbook exec can "
                "ask for it",
                "undeclared-variable",
            )
        )
    if scan.unterminated is not None:
        what, line, col = scan.unterminated
        problems.append(
            Problem(
                block.at(line, col),
                Severity.ERROR,
                f"{block.label}: bash syntax: {what} is never closed",
                "bash-syntax",
            )
        )
    if block.strict:
        problems.extend(
            Problem(
                block.at(line, col),
                Severity.WARNING,
                f"{block.label}: '$?' is tested after a command that, under strict bash "
                "(-e), already ended the block if it failed: use 'if ! command; then', "
                "'command || ...', or 'strict: false'",
                "strict-exit-status",
            )
            for line, col in scan.status_tests
        )
    return problems


def may_read_or_quote(text: str) -> bool:
    """False for text in which the scanner can find no variable read, ``$?`` or open
    quote: none of ``$``, quotes, ``((`` or ``<<`` (many real commands, most of them
    short: ``kubectl get pods -n prod``)."""
    return "$" in text or "'" in text or '"' in text or "(" in text or "<<" in text


def shell_problems(
    blocks: Sequence[ShellBlock], *, bash: str, cache: SyntaxCache | None
) -> list[list[Problem]]:
    """The problems of each block: the scanner's rules, then ``bash -n`` over every block
    at once (a quote that never closes is the scanner's to report). ``cache`` is the
    caller's to save."""
    found: list[list[Problem]] = []
    todo: list[int] = []
    for index, block in enumerate(blocks):
        if not may_read_or_quote(block.text):
            found.append([])  # nothing the scanner's rules could report
            todo.append(index)
            continue
        scan = scan_shell(block.text)
        found.append(block_problems(block, scan))
        if scan.unterminated is None:
            todo.append(index)
    if not todo:
        return found
    try:
        results = check_bash_syntax([blocks[i].text for i in todo], bash=bash, cache=cache)
    except FileNotFoundError:
        message = f"'{bash}' not found: bash syntax of {len(todo)} block(s) not checked"
        found[todo[0]].append(
            Problem(blocks[todo[0]].start, Severity.WARNING, message, "bash-syntax")
        )
        return found
    for index, result in zip(todo, results, strict=True):
        if result is not None:
            block = blocks[index]
            found[index].append(
                Problem(
                    block.at(result.line - 1, 0),  # ``at`` takes offsets into the text
                    Severity.ERROR,
                    f"{block.label}: bash syntax: {result.message}",
                    "bash-syntax",
                )
            )
    return found
