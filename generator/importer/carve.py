"""One section's lines -> its body, steps (with sample outputs), diagram and footer.

Blocks that become steps, samples or the diagram are cut out of the text; every other
block stays where it is, verbatim, inside the prose. Prose before the first step is the
body, prose between steps is the next step's body, prose after the last step the footer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checks.header import HeaderError, is_tagged, parse_header
from generator.importer.decide import (
    Decision,
    decide_step,
    looks_like_output,
    step_language,
)
from generator.importer.drafts import SectionDraft, StepDraft, Warning_
from generator.importer.markdown import Fence
from generator.importer.naming import Ids, generated_title, slugify
from generator.importer.options import ImportOptions
from generator.importer.table import CommandTable

__all__ = ["Carver", "lead_in_title"]

_LIST_MARK = re.compile(r"^\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_OUTPUT_WORDS = re.compile(
    r"\b(?:output|outputs|returns?|result|results|response|shows?|prints?|see|looks?|like|"
    r"example|expected|sample|should|displays?|gives?|get|similar)\b",
    re.I,
)


@dataclass(slots=True)
class Carver:
    """Cuts sections for one file; keeps the file-wide state (ids, variables, warnings)."""

    lines: tuple[str, ...]
    fences: tuple[Fence, ...]
    line_offset: int
    table: CommandTable
    opts: ImportOptions
    step_ids: Ids
    runbook_id: Callable[[], str]
    drop: set[int] = field(default_factory=set)
    """Body lines the renderer generated (step meta lines): not prose."""
    step_titles: dict[int, str] = field(default_factory=dict)
    """Body line of a rendered step heading -> its title."""
    warnings: list[Warning_] = field(default_factory=list)
    declared: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Variables declared by a ``{.runbook-variables}`` block."""
    snippets: int = 0

    def carve(self, section: SectionDraft, start: int, end: int) -> None:
        """Fill ``section`` from body lines ``[start, end)``."""
        fences = [f for f in self.fences if start <= f.start < end]
        pending: list[str] = []
        cursor = start
        dedent = 0
        for index, fence in enumerate(fences):
            gap = self._gap(cursor, fence.start, dedent)
            role = self._role(fence, gap, section, fences[index + 1 :], end)
            if role == "snippet":
                self.snippets += 1
                continue
            if role == "step":
                heading = self._rendered_heading(cursor, fence.start)
                if heading is not None:  # a page `runbook render` wrote: its step heading
                    pending.append(self._gap(cursor, heading, dedent))
                    lead: str | None = self.step_titles[heading]
                    rest = self._gap(heading, fence.start, 0)
                else:
                    lead, rest = lead_in_title(gap)
                if section.steps or heading is not None:
                    body = _join([*pending, rest]) if section.steps else rest
                    if not section.steps:
                        section.body = _join(pending)
                else:  # text before the first step is the section's body
                    section.body, body = _join([*pending, rest]), ""
                pending = []
                section.steps.append(self._step(fence, lead, body))
            elif role in ("sample", "expected"):
                target = self._output_target(fence, section)
                if target is None:
                    self.snippets += 1
                    continue
                if role == "sample":
                    target.sample = fence.content
                else:
                    target.expected = fence.content
                if gap.strip():
                    target.body = _join([target.body, gap])
            elif role == "diagram":
                pending.append(gap)
                section.diagram = fence.content
            elif role == "variables":
                pending.append(gap)
                self._variables(fence)
                self._drop_variables_table(fence.end, end)
                section.declares_variables = True
            cursor = fence.end
            dedent = fence.indent if fence.nested else 0
        pending.append(self._gap(cursor, end, dedent))
        text = _join(pending)
        if section.steps:
            section.footer = text
        else:
            section.body = text

    def _drop_variables_table(self, start: int, end: int) -> None:
        """The variables table ``runbook render`` writes after the block: generated, not prose."""
        i = start
        while i < end and not self.lines[i].strip():
            i += 1
        if i < end and self.lines[i].startswith("| Name | Description |"):
            while i < end and self.lines[i].startswith("|"):
                self.drop.add(i)
                i += 1

    def _gap(self, start: int, end: int, dedent: int) -> str:
        lines = [self.lines[i] for i in range(start, end) if i not in self.drop]
        if dedent:
            for i, line in enumerate(lines):
                spaces = len(line) - len(line.lstrip(" "))
                if line.strip() and spaces < dedent:
                    break
                lines[i] = line[min(spaces, dedent) :]
        return "\n".join(lines)

    def _rendered_heading(self, start: int, end: int) -> int | None:
        found = [i for i in range(start, end) if i in self.step_titles]
        return found[-1] if found else None

    def _role(
        self, fence: Fence, gap: str, section: SectionDraft, later: list[Fence], end: int
    ) -> str:
        if is_tagged(fence.info):
            role = self._header_role(fence)
            if role is not None:
                return role
        if fence.lang == "mermaid":
            rest = "".join(self.lines[fence.end : end]).strip()
            if (
                not later
                and not rest
                and section.diagram is None
                and (not section.steps or not gap.strip())
            ):
                return "diagram"
            return "snippet"
        previous = section.steps[-1] if section.steps else None
        if (
            previous is not None
            and previous.sample is None
            and previous.decision.run
            and _is_lead_in(gap)
            and fence.content.strip()
            and looks_like_output(fence.lang, fence.content, self.table)
            and (
                fence.lang not in ("json", "yaml", "yml", "")
                or _OUTPUT_WORDS.search(gap)
                or not gap.strip()
            )
            and self._last_carved_is(previous, fence)
        ):
            return "sample"
        group = step_language(fence.lang, fence.content, self.table, self.opts)
        return "step" if group is not None else "snippet"

    def _last_carved_is(self, step: StepDraft, fence: Fence) -> bool:
        """No other block sits between the step's block and this one."""
        between = [
            f for f in self.fences if step.line - 1 - self.line_offset < f.start < fence.start
        ]
        return not between

    def _header_role(self, fence: Fence) -> str | None:
        try:
            header = parse_header(fence.info)
        except HeaderError as exc:
            self._warn(
                fence,
                "block-header",
                f"fence header not read ({exc.message}); read as a plain block",
            )
            return None
        role = header.role
        return {
            "step": "step",
            "sample-output": "sample",
            "expected-output": "expected",
            "variables": "variables",
        }.get(role)

    def _output_target(self, fence: Fence, section: SectionDraft) -> StepDraft | None:
        if is_tagged(fence.info):
            try:
                header = parse_header(fence.info)
            except HeaderError:
                header = None
            if header is not None and header.for_id:
                wanted = header.for_id.split("--", 1)[-1]
                for step in reversed(section.steps):
                    if step.id == wanted:
                        return step
        return section.steps[-1] if section.steps else None

    def _step(self, fence: Fence, title: str | None, body: str) -> StepDraft:
        header_options: dict[str, Any] | None = None
        wanted_id: str | None = None
        if is_tagged(fence.info):
            try:
                header = parse_header(fence.info)
            except HeaderError:
                header = None
            if header is not None and header.risk is not None:
                decision = Decision(
                    header.risk.value,
                    "header",
                    "the block's own header",
                    lang=header.lang or "bash",
                    run=fence.content,
                )
                header_options = _header_options(header.options)
                wanted_id = (header.id or "").split("--", 1)[-1] or None
        if header_options is None:
            group = step_language(fence.lang, fence.content, self.table, self.opts) or "shell"
            decision = decide_step(group, fence.lang, fence.content, self.table, self.opts)
        generated = not title
        if not title:
            title = generated_title(decision.run, fence.lang)
        wanted = wanted_id or (
            slugify(title, fallback="step", limit=40)
            if not generated
            else _command_slug(decision.run)
        )
        ident = self.step_ids.claim(wanted)
        step = StepDraft(
            ident,
            title,
            generated,
            body,
            decision,
            fence.start + 1 + self.line_offset,
            fence.col,
            header=header_options,
        )
        if decision.rewritten:
            self._warn(
                fence, "rewritten", f"step '{ident}': command text changed: {decision.rewritten}"
            )
        for word in dict.fromkeys(decision.unknown):
            self._warn(
                fence,
                "unknown-command",
                f"step '{ident}': '{word}' is not in the command table; kind {decision.kind}",
            )
        if decision.kind == "manual" and decision.rule != "header":
            would = f" (otherwise {decision.would_be})" if decision.would_be else ""
            self._warn(fence, "manual", f"step '{ident}' is manual: {decision.reason}{would}")
        return step

    def _variables(self, fence: Fence) -> None:
        import yaml

        try:
            data = yaml.load(fence.content, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            data = None
        if not isinstance(data, dict):
            self._warn(
                fence, "variables", "a {.runbook-variables} block that is not a mapping; ignored"
            )
            return
        for name, value in data.items():
            if isinstance(value, str):
                value = {"description": value}
            if isinstance(value, dict):
                self.declared[str(name)] = value

    def _warn(self, fence: Fence, code: str, message: str) -> None:
        self.warnings.append(Warning_(fence.start + 1 + self.line_offset, fence.col, code, message))


def _command_slug(run: str) -> str:
    """``kubectl-get-pods`` from a command: its first words that are not options."""
    words: list[str] = []
    for line in run.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "--")):
            continue
        for word in re.sub(r"^\S*[$#>%] ", "", stripped).split():
            if word.startswith("-") or not any(c.isalpha() for c in word):
                continue
            words.append(word)
            if len(words) == 3:
                break
        break
    return slugify(" ".join(words), fallback="step", limit=32)


def _header_options(options: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in (
        "timeout",
        "requires",
        "cwd",
        "shell",
        "interpreter",
        "strict",
        "interactive",
        "follow",
        "ci",
        "ci_reason",
        "tags",
    ):
        out[name] = getattr(options, name)
    expect: dict[str, Any] = {}
    if tuple(options.expect_exit) != (0,):
        expect["exit"] = list(options.expect_exit)
    if options.expect_stdout is not None:
        expect["stdout"] = options.expect_stdout
    if options.expect_contains is not None:
        expect["contains"] = options.expect_contains
    out["expect"] = expect
    return out


def _is_lead_in(gap: str) -> bool:
    text = gap.strip()
    if not text:
        return True
    return "\n\n" not in text and len(text) <= 200 and text.rstrip("*_ ").endswith((":", "："))


def lead_in_title(gap: str) -> tuple[str | None, str]:
    """(title, the gap without it) when the gap ends with a short line ending in ':'."""
    lines = gap.split("\n")
    last = len(lines) - 1
    while last >= 0 and not lines[last].strip(" \t>"):
        last -= 1
    if last < 0:
        return None, gap
    line = lines[last]
    if last > 0 and lines[last - 1].strip(" \t>") and not _LIST_MARK.match(line):
        return None, gap  # the last paragraph has more than one line (a list item starts one)
    stripped = line.strip()
    core = stripped.rstrip("*_ ").rstrip()
    if (
        not core.endswith((":", "："))
        or len(core) > 90
        or stripped.startswith(("|", "#", "<", "!!!", "???"))
    ):
        return None, gap
    title = _LIST_MARK.sub("", line).strip()
    title = title.lstrip(">").strip()
    for mark in ("**", "__", "*", "_"):
        if title.startswith(mark) and title.endswith(mark) and len(title) > 2 * len(mark):
            title = title[len(mark) : -len(mark)].strip()
    title = title.rstrip(":：").rstrip()
    for mark in ("**", "__"):
        if title.endswith(mark) and title.count(mark) % 2 == 1:
            title = title[: -len(mark)].rstrip().rstrip(":：").rstrip()
    if not title or title.count("`") % 2:
        return None, gap
    rest = lines[:last] + lines[last + 1 :]
    return title, "\n".join(rest)


def _join(parts: list[str]) -> str:
    texts = [_trim(p) for p in parts]
    return "\n\n".join(t for t in texts if t)


def _trim(text: str) -> str:
    """Without blank lines (or empty quote lines, ``>``) at either end."""
    lines = text.split("\n")
    while lines and not lines[0].strip(" \t>"):
        lines.pop(0)
    while lines and not lines[-1].strip(" \t>"):
        lines.pop()
    return "\n".join(lines)
