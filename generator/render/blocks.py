"""The executable parts of a page: step blocks, their outputs, the variables block.

These are what ``checks.extract`` reads back, so each one is a top-level fence with a
blank line before it, written with ``checks.header.format_header``; the round trip
(model -> Markdown -> extract) is a tested property.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Mapping

import yaml

from checks.header import BlockHeader, format_duration, format_header
from checks.model import BlockOptions, Risk, Variable
from checks.problems import Problem, Severity
from generator.errors import RunbookError
from generator.model import Runbook, Step
from generator.render.text import escape_inline, fenced, safe_markdown

__all__ = [
    "block_command",
    "block_options",
    "human_duration",
    "render_step",
    "render_variables_block",
    "step_header",
]


def block_options(step: Step) -> BlockOptions:
    """The header options a step's block carries (its fixed ``env`` lives in the command)."""
    interpreter = step.interpreter
    if interpreter and step.env:
        interpreter = "env " + " ".join(_assignments(step)) + " " + interpreter
    return BlockOptions(
        timeout=step.timeout,
        expect_exit=step.expect.exit,
        expect_stdout=step.expect.stdout,
        expect_contains=step.expect.contains,
        requires=step.requires,
        cwd=step.cwd,
        shell=step.shell,
        interpreter=interpreter,
        strict=step.strict,
        interactive=step.interactive,
        follow=step.follow,
        ci=step.ci,
        ci_reason=_display_reason(step.ci_reason),
        tags=step.tags,
        outputs=step.outputs,
    )


def _display_reason(reason: str | None) -> str | None:
    """``ci_reason`` is only shown: one line, and no ``"`` (the site's attribute lists
    cannot escape it)."""
    if reason is None:
        return None
    return " ".join(reason.split()).replace('"', "'")


def block_command(step: Step) -> str:
    """The block text exactly as the page shows it (and the executor runs it).

    A step's fixed ``env`` is shown, not hidden: ``export NAME=value`` lines before
    the command, or ``env NAME=value`` in front of the interpreter.
    """
    if step.env and not step.interpreter:
        exports = "".join(f"export {a}\n" for a in _assignments(step))
        return exports + step.run
    return step.run


def _assignments(step: Step) -> list[str]:
    return [f"{name}={shlex.quote(value)}" for name, value in step.env]


def step_header(runbook: Runbook, step: Step) -> BlockHeader:
    """The parsed form of a step's fence header (what ``parse_header`` must give back)."""
    return BlockHeader(
        lang=_lang(step),
        id=runbook.block_id(step),
        classes=(step.kind.value,),
        options=block_options(step),
    )


def _lang(step: Step) -> str:
    lang = step.lang.strip() or "bash"
    return lang if all(c.isalnum() or c in "_+-#." for c in lang) else "text"


def render_step(
    runbook: Runbook,
    step: Step,
    level: int,
    last_result: tuple[str, str] | None = None,
) -> list[str]:
    """Markdown blocks for one step: heading, meta line, body, fence, outputs, last run."""
    blocks: list[str] = []
    title = step.title or step.id
    blocks.append(f"{'#' * min(level, 6)} {escape_inline(title)}")
    blocks.append(_meta_line(step))
    if step.body.strip():
        blocks.append(safe_markdown(step.body, heading_floor=min(level, 6)))
    if step.kind is Risk.MANUAL and not step.run.strip():
        return blocks
    header = step_header(runbook, step)
    try:
        info = format_header(header)
        if "\n" in info or "\r" in info:
            raise ValueError("a block option cannot contain a line break")
        injected = html_attributes_injected(info)
        if injected:
            raise ValueError(
                f"an option value with a double quote would give the page's code block an "
                f"'{injected}' attribute (the site's attribute lists have no escapes); "
                "reword it or use single quotes"
            )
    except ValueError as exc:
        problem = Problem(step.location, Severity.ERROR, f"step '{step.id}': {exc}", "schema")
        raise RunbookError(problems=[problem]) from None
    blocks.append(fenced(block_command(step), info))
    block_id = runbook.block_id(step)
    if step.expected_output is not None:
        blocks.append(fenced(step.expected_output, f"text {{.expected-output for={block_id}}}"))
    if step.sample_output is not None:
        blocks.append(fenced(step.sample_output, f"text {{.sample-output for={block_id}}}"))
    if last_result is not None:
        blocks.append(_last_run(*last_result))
    return blocks


# Python-Markdown's attr_list tokenizer (the site reads fence headers with it): a quoted
# value ends at the first quote, there are no backslash escapes.
_ATTR_TOKEN = re.compile(r"""[^ =}]+=".*?"|[^ =}]+='.*?'|[^ =}]+=[^ =}]+|[^ =}]+| """)


def html_attributes_injected(info: str) -> str | None:
    """An event-handler or style attribute the site would read from this header, if any.

    ``checks.header`` escapes ``"`` inside quoted values, but attr_list does not, so a
    value such as ``x" onclick="...`` would become a live attribute on the page.
    """
    start, end = info.find("{"), info.rfind("}")
    if start < 0 or end < start:
        return None
    for m in _ATTR_TOKEN.finditer(info, start + 1, end):
        key = m.group().split("=", 1)[0].lower()
        if key.startswith("on") or key in ("style", "href", "src"):
            return key
    return None


def _meta_line(step: Step) -> str:
    parts = [f"**{step.kind.value}**"]
    if step.timeout is not None:
        parts.append(f"timeout {human_duration(step.timeout)}")
    if step.requires:
        parts.append("requires " + ", ".join(escape_inline(r) for r in step.requires))
    if step.interactive:
        parts.append("interactive")
    if step.follow:
        parts.append("streams until stopped")
    if not step.ci:
        reason = f": {escape_inline(step.ci_reason)}" if step.ci_reason else ""
        parts.append(f"not in CI{reason}")
    if step.tags:
        parts.append("tags " + ", ".join(escape_inline(t) for t in step.tags))
    if step.outputs:
        parts.append(
            "sets " + ", ".join(f"`${name}`" for name in step.outputs) + " for later steps"
        )
    return " · ".join(parts) + f"\n{{: .runbook-meta .risk-{step.kind.value} }}"


_UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def human_duration(seconds: float) -> str:
    """A duration as a person writes it (``90s``, ``10m``, ``1h30m``, ``2h``, ``250ms``):
    the reader's text only; the block header keeps the seconds ``exec`` parses."""
    if seconds < 1:
        return f"{format_duration(round(seconds * 1000, 3))}ms"
    if seconds < 120 and not float(seconds / 60).is_integer():
        return f"{format_duration(seconds)}s"
    parts: list[str] = []
    rest = seconds
    for unit, size in _UNITS:
        count = int(rest // size)
        if count:
            parts.append(f"{count}{unit}")
            rest -= count * size
    if rest:
        parts.append(f"{format_duration(round(rest, 3))}s")
    return "".join(parts)


def _last_run(status: str, finished_at: str) -> str:
    word = "".join(c for c in status.lower() if c.isalnum()) or "unknown"
    when = f" at {escape_inline(finished_at)}" if finished_at else ""
    return f"Last run: **{escape_inline(status)}**{when}\n{{: .runbook-last-run .last-run-{word} }}"


# libyaml's emitter, where PyYAML has it: the pure-Python one was about a quarter of rendering a
# seed runbook's page. Same YAML either way (both emit the SafeDumper's representation).
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.lru_cache(maxsize=256)  # runbooks of one folder often share their variables
def render_variables_block(variables: tuple[Variable, ...]) -> str:
    """The ``{.runbook-variables}`` block: NAME -> declaration; secrets keep no value."""
    data: dict[str, dict[str, object]] = {}
    for var in variables:
        entry: dict[str, object] = {}
        if var.description:
            entry["description"] = var.description
        if var.default is not None and not var.secret:
            entry["default"] = var.default
        if var.required:
            entry["required"] = True
        if var.secret:
            entry["secret"] = True
        if var.pattern is not None:
            entry["pattern"] = var.pattern
        if var.choices:
            entry["choices"] = list(var.choices)
        if var.example is not None and not var.secret:
            entry["example"] = var.example
        data[var.name] = entry
    if not data:
        return fenced("", "yaml {.runbook-variables}")
    text = yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1000)
    return fenced(text, "yaml {.runbook-variables}")


def last_result_for(
    results: Mapping[str, tuple[str, str]], runbook: Runbook, step: Step
) -> tuple[str, str] | None:
    """The report entry for a step, by full block id."""
    return results.get(runbook.block_id(step))
