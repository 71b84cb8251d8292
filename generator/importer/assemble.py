"""A draft, once bash has read its blocks -> the runbook mapping, its variables and counts.

A step bash rejects becomes manual here; then variables are declared from what the
runnable steps read (each block runs in its own process, so a name set in one block and
read in a later one must be declared too, and is reported).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.shell.reads import is_standard, scan_shell
from generator.importer.drafts import SectionDraft, StepDraft, Warning_
from generator.importer.options import ImportOptions
from generator.importer.prose import clean_prose, file_links, rewrite_links
from generator.importer.table import CommandTable

__all__ = ["Assembled", "assemble", "runnable_shell_steps"]

_SECRET = re.compile(r"PASS|TOKEN|SECRET|KEY|CREDENTIAL|PRIVATE|AUTH|CERT|COOKIE|SESSION", re.I)
_CI_REASON = "imported from Markdown: run it by hand once, then remove ci: false"


@dataclass(slots=True)
class Assembled:
    mapping: dict[str, Any]
    warnings: list[Warning_]
    kinds: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    samples: int = 0
    variables: int = 0
    sections: int = 0


def runnable_shell_steps(sections: list[SectionDraft]) -> list[StepDraft]:
    """Steps bash would run: their text must pass ``bash -n`` to stay runnable."""
    return [
        s
        for s in _steps(sections)
        if s.decision.shell and s.decision.kind != "manual" and s.header is None
    ]


def assemble(
    draft: Any,
    syntax: Mapping[str, str | None],
    opts: ImportOptions,
    table: CommandTable,
) -> Assembled:
    """The runbook mapping for ``draft``; ``syntax``: block text -> bash's complaint or None."""
    warnings = list(draft.warnings)
    for step in runnable_shell_steps(draft.sections):
        problem = syntax.get(step.decision.run)
        if problem is not None:
            d = step.decision
            d.would_be, d.kind, d.rule, d.reason = (
                d.kind,
                "manual",
                "manual-syntax",
                f"bash -n: {problem}",
            )
            warnings.append(
                Warning_(
                    step.line,
                    step.col,
                    "manual",
                    f"step '{step.id}' is manual: bash -n says {problem} (otherwise {d.would_be})",
                )
            )
    variables = _variables(draft, warnings)
    result = Assembled({}, warnings)
    linked: set[str] = set()

    def prose(text: str, comments: list[str], line: int) -> str | None:
        if not text.strip():
            return None
        cleaned = clean_prose(text)
        comments.extend(cleaned.comments)
        if cleaned.html_kept:
            tags = ", ".join(sorted(set(cleaned.html_kept))[:3])
            warnings.append(
                Warning_(line, 1, "html", f"HTML kept as text (no Markdown equivalent): {tags}")
            )
        out = rewrite_links(cleaned.text, draft.anchors).strip("\n")
        for target in file_links(out):
            if target not in linked:
                linked.add(target)
                warnings.append(
                    Warning_(
                        line,
                        1,
                        "link-outside",
                        f"link to '{target}' points outside this runbook; "
                        "the site cannot follow it",
                    )
                )
        return out if out.strip() else None

    fields = draft.fields
    top_comments: list[str] = []
    summary = (
        prose(str(fields.get("summary", "")), top_comments, 1) if fields.get("summary") else None
    )
    mapping: dict[str, Any] = {"id": draft.id}
    if draft.generated_title:
        mapping["#title"] = ["title generated from the file name"]
    mapping["title"] = fields["title"]
    mapping["summary"] = summary
    for key in (
        "service",
        "owner",
        "tags",
        "alerts",
        "severity",
        "version",
        "status",
        "last_reviewed",
        "review_every",
    ):
        if fields.get(key):
            mapping[key] = fields[key]
    if variables:
        mapping["variables"] = variables
    sections = [_section(s, prose, result, draft.source) for s in draft.sections]
    if sections:
        mapping["sections"] = sections
    if top_comments:
        mapping = {
            "#html": ["HTML comments before the first section:", *_comment_lines(top_comments)],
            **mapping,
        }
    result.mapping = mapping
    result.variables = len(variables)
    result.warnings = warnings
    del table
    return result


def _comment_lines(comments: list[str]) -> list[str]:
    out: list[str] = []
    for comment in comments:
        lines = comment.split("\n")
        out.extend(f"<!-- {lines[0].strip()}" if i == 0 else line for i, line in enumerate(lines))
        out[-1] = out[-1] + " -->"
    return out


def _section(section: SectionDraft, prose: Any, result: Assembled, source: str) -> dict[str, Any]:
    result.sections += 1
    comments: list[str] = []
    out: dict[str, Any] = {"#source": [f"source: {source}:{section.line}"]}
    out["id"] = section.id
    if section.title_generated:
        out["#title"] = ["title generated"]
    out["title"] = section.title
    if section.alerts:
        out["alerts"] = section.alerts
    out["body"] = prose(section.body, comments, section.line)
    steps = [_step(s, prose, comments, result, source) for s in section.steps]
    if steps:
        out["steps"] = steps
    if section.diagram is not None:
        out["diagram"] = {"mermaid": section.diagram}
    out["footer"] = prose(section.footer, comments, section.line)
    if comments:
        keys = list(out)
        at = keys.index("body")
        items = list(out.items())
        items.insert(at, ("#html", _comment_lines(comments)))
        out = dict(items)
    children = [_section(c, prose, result, source) for c in section.children]
    if children:
        out["sections"] = children
    return out


def _step(
    step: StepDraft, prose: Any, comments: list[str], result: Assembled, source: str
) -> dict[str, Any]:
    d = step.decision
    result.kinds[d.kind] += 1
    result.rules[d.rule] += 1
    why = f"kind: {d.kind} ({d.reason})"
    if d.kind == "manual" and d.would_be:
        why += f"; otherwise {d.would_be}"
    out: dict[str, Any] = {"#source": [f"source: {source}:{step.line}", why], "id": step.id}
    if step.title_generated:
        out["#title"] = ["title generated from the command"]
    out["title"] = step.title
    out["body"] = prose(step.body, comments, step.line)
    out["kind"] = d.kind
    if d.lang != "bash":
        out["lang"] = d.lang
    if step.header is not None:
        _header_keys(out, step)
    else:
        if d.interpreter:
            out["interpreter"] = d.interpreter
        out["run"] = d.run
        if d.kind != "manual":
            if d.follow:
                out["timeout"] = "30s"
                out["follow"] = True
            if not d.strict:
                out["strict"] = False
            if d.interactive:
                out["interactive"] = True
            if d.requires:
                out["requires"] = list(d.requires)
            if d.kind == "check":
                out["ci"] = False
                out["ci_reason"] = _CI_REASON
    if step.sample is not None:
        result.samples += 1
        out["sample_output"] = step.sample
    if step.expected is not None:
        out["expected_output"] = step.expected
    return out


def _header_keys(out: dict[str, Any], step: StepDraft) -> None:
    h = step.header or {}
    if h.get("interpreter"):
        out["interpreter"] = h["interpreter"]
    if h.get("shell"):
        out["shell"] = h["shell"]
    out["run"] = step.decision.run
    if h.get("expect"):
        out["expect"] = h["expect"]
    if h.get("timeout") is not None:
        seconds = float(h["timeout"])
        out["timeout"] = f"{int(seconds)}s" if seconds.is_integer() else f"{int(seconds * 1000)}ms"
    for key, default in (("strict", True), ("interactive", False), ("follow", False), ("ci", True)):
        if h.get(key, default) != default:
            out[key] = h[key]
    if h.get("ci_reason"):
        out["ci_reason"] = h["ci_reason"]
    for key in ("requires", "tags"):
        if h.get(key):
            out[key] = list(h[key])
    if h.get("cwd"):
        out["cwd"] = h["cwd"]


def _variables(draft: Any, warnings: list[Warning_]) -> dict[str, Any]:
    declared: dict[str, Any] = {name: dict(value) for name, value in draft.declared.items()}
    set_before: dict[str, str] = {}
    for step in _steps(draft.sections):
        d = step.decision
        if d.kind == "manual":
            continue
        texts = [d.interpreter] if d.interpreter else []
        if d.shell or (step.header is not None and d.lang in ("bash", "sh", "shell", "console")):
            texts.append(d.run)
        for text in texts:
            scan = scan_shell(text)
            for ref in scan.references:
                name = ref.name
                if is_standard(name) or name in scan.assigned or name in declared:
                    continue
                declared[name] = {"required": True}
                if _SECRET.search(name):
                    declared[name]["secret"] = True
                if name in set_before:
                    warnings.append(
                        Warning_(
                            step.line,
                            step.col,
                            "variable-across-blocks",
                            f"step '{step.id}' reads ${name}, set by step "
                            f"'{set_before[name]}': each block runs in its own process, "
                            "so it is declared as a variable to give",
                        )
                    )
            for name in scan.assigned:
                set_before.setdefault(name, step.id)
    return declared


def _steps(sections: list[SectionDraft]) -> list[StepDraft]:
    out: list[StepDraft] = []
    for section in sections:
        out.extend(section.steps)
        out.extend(_steps(section.children))
    return out
