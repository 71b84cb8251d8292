"""``runbook incident report``: the postmortem draft in Markdown, from the record.

A draft for people to finish: what the record knows is filled in (the facts, the
timeline, every block run with its output: the culprit is often found by a check that
passed), and what only people know (contributing factors, lessons) has a placeholder
saying how to record it, unless the record has it already. Incident text is data: it is
never raw HTML and never breaks a table.
"""

from __future__ import annotations

from generator.incident.model import IncidentRecord, Item, TimelineEntry, YamlValue
from generator.incident.report import open_checklist, severity_text, span_text, when_text
from generator.model import SeverityScheme

PLACEHOLDERS = {
    "contributing_factors": (
        "What made this incident more likely, larger or longer (a missing alert, a risky "
        "change, unclear ownership). Record them with `runbook incident update {ref} "
        "--contributing-factor TEXT`, or write them here."
    ),
    "lessons_learned": (
        "What went well, what went badly, where we were lucky. Record them with "
        "`runbook incident update {ref} --lesson TEXT`, or write them here."
    ),
}


def _inline(value: YamlValue) -> str:
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def _fence(text: str) -> list[str]:
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        if run >= len(ticks):
            ticks = "`" * (run + 1)
    return [f"{ticks}text", text, ticks]


def render_postmortem(record: IncidentRecord, scheme: SeverityScheme | None) -> str:
    """The postmortem in Markdown: summary, impact, key times, causes, timeline, the
    blocks run and their output, lessons, items."""
    title = record.raw("title") or record.raw("id") or "incident"
    out = [f"# Postmortem: {_inline(title)}", ""]
    facts = [
        f"**Incident:** {_inline(record.shown('id', ''))}",
        f"**Severity:** {_inline(severity_text(record, scheme))}",
        f"**Status:** {_inline(record.shown('status', 'unknown'))}",
    ]
    if record.has("runbook"):
        facts.append(f"**Runbook:** {_inline(record.raw('runbook'))}")
    out += [" · ".join(facts), "", "## Summary", ""]
    started = record.raw("started_at")
    summary = f"{_inline(title)} started {when_text(started)}"
    if record.has("detected_by"):
        summary += f", detected by {_inline(record.raw('detected_by'))}"
    took = span_text(started, record.raw("resolved_at"))
    if record.has("resolved_at"):
        summary += f", and was resolved {when_text(record.raw('resolved_at'))}"
        summary += f" after {took}." if took else "."
    else:
        summary += "; it is not resolved yet."
    out += [summary, ""]
    out += _impact(record)
    if record.fields:
        out += ["## Recorded fields", "", "| Field | Value |", "|---|---|"]
        out += [f"| {_inline(k)} | {_inline(v)} |" for k, v in record.fields.items()]
        out.append("")
    out += ["## Key times", "", "| Measure | Value |", "|---|---|"]
    out.append(f"| Started | {when_text(started)} |")
    for label, key in (("Acknowledged", "acknowledged_at"), ("Resolved", "resolved_at")):
        value = when_text(record.raw(key)) if record.has(key) else "not yet"
        out.append(f"| {label} | {value} |")
    tta = span_text(started, record.raw("acknowledged_at"))
    out.append(f"| Time to acknowledge | {tta or 'n/a'} |")
    out.append(f"| Time to resolve | {took or 'n/a'} |")
    out.append("")
    out += ["## Root cause", "", _inline(record.raw("root_cause") or "Not recorded."), ""]
    out += _to_fill(record, "Contributing factors", "contributing_factors")
    out += ["## Resolution", "", _inline(record.raw("resolution") or "Not recorded."), ""]
    out += _timeline(record)
    out += _actions(record)
    out += _to_fill(record, "Lessons learned", "lessons_learned")
    out += ["## Action items", ""]
    items = record.action_items
    for item in items:
        if item.plain:
            out.append(f"- [ ] {_inline(item.text)}")
        else:
            mark = "x" if item.done else " "
            owner = f" ({_inline(item.owner)})" if item.owner else ""
            out.append(f"- [{mark}] {_inline(item.text)}{owner}")
    if not items:
        out.append("None recorded.")
    open_items = open_checklist(record)
    if open_items:
        out += ["", "## Checklist items left open", ""]
        out += [f"- [ ] {_inline(text)}" for _, text in open_items]
    return "\n".join(out) + "\n"


def _impact(record: IncidentRecord) -> list[str]:
    impact = record.impact
    out = ["## Impact", ""]
    rows = [
        ("Users affected", impact.get("users_affected")),
        ("Revenue lost", impact.get("revenue_lost")),
        ("Duration (minutes)", impact.get("duration_minutes")),
        ("Summary", impact.get("summary")),
    ]
    rows += [(str(k), v) for k, v in impact.items() if k not in {
        "users_affected", "revenue_lost", "duration_minutes", "summary"}]  # fmt: skip
    known = [(name, value) for name, value in rows if value not in (None, "")]
    if known:
        out += ["| Measure | Value |", "|---|---|"]
        out += [f"| {_inline(name)} | {_inline(value)} |" for name, value in known]
    else:
        out.append("Not recorded.")
    return [*out, ""]


def _to_fill(record: IncidentRecord, heading: str, key: str) -> list[str]:
    """A section people write: the record's text or list, else a placeholder saying how."""
    value = record.raw(key)
    out = [f"## {heading}", ""]
    if isinstance(value, list):
        texts = [Item.from_yaml(v) for v in value]
        lines = [f"- {_inline(i.text or i.title or '')}" for i in texts if i.text or i.title]
        if lines:
            return [*out, *lines, ""]
    elif value not in (None, "") and not isinstance(value, dict):
        return [*out, _inline(value), ""]
    ref = _inline(record.shown("id", "INCIDENT"))
    return [*out, f"_{PLACEHOLDERS[key].format(ref=ref)}_", ""]


def _timeline(record: IncidentRecord) -> list[str]:
    out = ["## Timeline", ""]
    entries = record.timeline
    if not entries:
        return [*out, "No entries.", ""]
    out += ["| Time (UTC) | Event |", "|---|---|"]
    for entry in entries:
        moment = entry.moment
        when = moment.strftime("%Y-%m-%d %H:%M") if moment else _inline(entry.time or "")
        out.append(f"| {when} | {_inline(entry.event or entry.kind or '')} |")
    return [*out, ""]


def _run_time(run: TimelineEntry) -> str:
    moment = run.moment
    return moment.strftime("%H:%M:%S") if moment else _inline(run.time or "")


def _actions(record: IncidentRecord) -> list[str]:
    """Every block run, then the output of each: evidence, passing blocks' included."""
    runs = [e for e in record.timeline if e.kind == "exec"]
    out = ["## Actions run", ""]
    if not runs:
        return [*out, "No blocks were run with `--incident`.", ""]
    out += ["| Time (UTC) | Block | Status | Exit code |", "|---|---|---|---|"]
    for run in runs:
        code = "" if run.exit_code is None else str(run.exit_code)
        block, status = _inline(run.block or ""), _inline(run.status or "")
        out.append(f"| {_run_time(run)} | `{block}` | {status} | {code} |")
    out.append("")
    for run in runs:
        if run.output:
            what = f"{_inline(run.status or '')}, {_run_time(run)}"
            out += [f"Output of `{_inline(run.block or '')}` ({what}):", ""]
            out += [*_fence(run.output), ""]
    return out
