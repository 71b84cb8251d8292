"""What a check report says about one runbook: when its blocks last ran and how it went.

A page and the listings claim only what the report holds: without a report there is no
summary at all; with one, a runbook none of whose blocks is in it says so. Report entries
for ids that are no longer blocks of the runbook (a renamed step) are not counted.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass

from generator.model import Runbook
from generator.render.text import escape_inline, literal_text

__all__ = ["Verified", "summarize", "verified_cell", "verified_markdown"]

ANCHOR = "last-verified"
"""The id of a page's summary (listings link a failing runbook's counts there)."""
_FAILING = frozenset({"failed", "timeout", "error"})


@dataclass(frozen=True, slots=True)
class Verified:
    """One runbook's blocks in a check report."""

    last_run: str
    """The latest ``finished_at`` among them (ISO text as written); empty when none ran."""
    passed: int
    failed: int
    """Failed, timed out or stopped by an error."""
    skipped: int
    failing: tuple[tuple[str, str], ...]
    """(block id, step title) of each failing block, in page order."""

    @property
    def ran(self) -> int:
        return self.passed + self.failed + self.skipped


def summarize(runbook: Runbook, results: Mapping[str, tuple[str, str]]) -> Verified:
    """The report's ``results`` (block id -> (status, finished_at)) for ``runbook``."""
    passed = failed = skipped = 0
    latest = ""
    failing: list[tuple[str, str]] = []
    for step in runbook.all_steps():
        block_id = runbook.block_id(step)
        result = results.get(block_id)
        if result is None:
            continue
        status, finished = result
        latest = max(latest, finished)
        if status == "passed":
            passed += 1
        elif status in _FAILING:
            failed += 1
            failing.append((block_id, step.title or step.id))
        else:
            skipped += 1
    return Verified(latest, passed, failed, skipped, tuple(failing))


def when(finished_at: str) -> str:
    """``2026-11-19T08:30:00Z`` -> ``2026-11-19 08:30 UTC``; text it cannot read stays."""
    try:
        moment = dt.datetime.fromisoformat(finished_at)
    except ValueError:
        return finished_at
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


def _counts(verified: Verified) -> str:
    parts = [f"{verified.passed} passed", f"{verified.failed} failed"]
    return ", ".join(parts) + f", {verified.skipped} skipped"


def verified_markdown(verified: Verified) -> str:
    """The line under a runbook page's title; failing blocks link to their block."""
    if not verified.ran:
        text = "**Last verified:** not in the check report this site was built with"
        return text + f"\n{{: #{ANCHOR} .runbook-last-verified .last-verified-none }}"
    kind = "failed" if verified.failed else "passed"
    text = "**Last verified:**"
    if verified.last_run:
        text += f" {escape_inline(when(verified.last_run))} ·"
    text += f" {_counts(verified)}"
    if verified.failing:
        # Raw links: MkDocs does not see the ids of code blocks, so it would call a
        # Markdown link to one a broken anchor. Both parts are escaped here.
        links = ", ".join(
            f'<a href="#{html.escape(block_id, quote=True)}">{html.escape(title)}</a>'
            for block_id, title in verified.failing
        )
        text += f" · failing: {links}"
    return text + f"\n{{: #{ANCHOR} .runbook-last-verified .last-verified-{kind} }}"


def verified_cell(verified: Verified, link: str) -> str:
    """A listing's "Last verified" cell; ``link`` is the runbook page's relative path.
    Safe in a Markdown table cell (no ``|``)."""
    if not verified.ran:
        return "not in the report"
    text = literal_text(when(verified.last_run)) if verified.last_run else ""
    kind = "failed" if verified.failed else "passed"
    counts = literal_text(_counts(verified))
    badge = f'<span class="rb-badge rb-badge--{kind}">{kind}</span>'
    if verified.failing:
        counts = f"[{counts}]({link}#{ANCHOR})"
    return f"{text} {badge} {counts}".strip()
