"""Markdown of the site's listing pages: home, services, alerts, tags.

Every value from YAML goes through ``literal_text`` (no HTML, no Markdown syntax);
badges are our own ``<span class="rb-badge ...">``. Links are relative ``.md`` paths, so
MkDocs' link and anchor validation (``--strict``) checks them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.model import Runbook
from generator.render.text import literal_text
from generator.render.verified import summarize, verified_cell
from generator.site.layout import (
    OrgGroup,
    ServiceGroup,
    alert_uri,
    relative_link,
    runbook_uri,
    slugify,
)

Results = Mapping[str, tuple[str, str]] | None
"""A check report's results (block id -> (status, finished_at)); None without a report:
then no listing has a "Last verified" column."""

HOME = "index.md"
ALERTS = "alerts/index.md"
TAGS = "tags/index.md"


@dataclass(frozen=True, slots=True)
class AlertTarget:
    """Where an alert is handled: a runbook page, or a section or scenario anchor in it."""

    runbook: Runbook
    anchor: str | None
    """Section or scenario id; None for the runbook as a whole."""
    label: str
    """What the anchor is (``section 'Diagnosis'``); empty for the whole runbook."""


@dataclass(frozen=True, slots=True)
class Redirect:
    """Where a page that only sends the reader on points (plain text, escaped on use)."""

    to_uri: str
    """The page's source path (``runbooks/db-pool.md``)."""
    anchor: str | None
    text: str
    """What the page says before the link (``Alert X is handled by``)."""
    link_text: str
    after: str
    """What follows the link (``, section 'Diagnosis'``), may be empty."""


def badge(text: str, kind: str) -> str:
    """A small coloured label; ``kind`` is one of our CSS modifiers (never user text)."""
    return f'<span class="rb-badge rb-badge--{kind}">{literal_text(text)}</span>'


def review_state(runbook: Runbook, today: dt.date) -> tuple[str, str]:
    """(text, badge kind) for the review column: when reviewed and whether it is stale."""
    if not runbook.last_reviewed:
        return ("never reviewed", "stale") if runbook.review_every else ("", "")
    due = runbook.review_due()
    if due is None:
        return (runbook.last_reviewed, "")
    if due < today:
        return (f"{runbook.last_reviewed} (stale since {due.isoformat()})", "stale")
    return (f"{runbook.last_reviewed} (due {due.isoformat()})", "fresh")


def _review_cell(runbook: Runbook, today: dt.date) -> str:
    text, kind = review_state(runbook, today)
    if kind == "stale":
        return f"{literal_text(text)} {badge('stale', 'stale')}"
    return literal_text(text)


def _link(text: str, from_uri: str, to_uri: str, anchor: str | None = None) -> str:
    target = relative_link(from_uri, to_uri) + (f"#{anchor}" if anchor else "")
    return f"[{literal_text(text)}]({target})"


def _runbook_table(
    runbooks: Sequence[Runbook], from_uri: str, today: dt.date, results: Results = None
) -> list[str]:
    verified = results is not None
    lines = [
        "| Runbook | Severity | Owner | Reviewed |" + (" Last verified |" if verified else ""),
        "|---|---|---|---|" + ("---|" if verified else ""),
    ]
    for rb in runbooks:
        severity = literal_text(rb.severity) if rb.severity else ""
        owner = literal_text(rb.owner) if rb.owner else ""
        target = relative_link(from_uri, runbook_uri(rb.id))
        last = f" {last_verified_cell(rb, results, target)} |" if results is not None else ""
        lines.append(
            f"| [{literal_text(rb.title)}]({target}) | {severity} | {owner} "
            f"| {_review_cell(rb, today)} |{last}"
        )
    return lines


def last_verified_cell(rb: Runbook, results: Mapping[str, tuple[str, str]], link: str) -> str:
    """What the report says of ``rb`` in a listing (``link``: its page, relative)."""
    return verified_cell(summarize(rb, results), link)


HOME_LISTS_UP_TO = 100
"""Runbooks the home page lists one by one. Above it, the home page names each service with
its counts and the service pages list the runbooks: a page of a thousand rows is slow to
open and no help at 3 a.m., when search or the service is the way in."""


def home_markdown(groups: Sequence[OrgGroup], today: dt.date, results: Results = None) -> str:
    """The home page: every service with its runbooks (or, on a large site, their counts),
    then the tags."""
    runbooks = [rb for g in groups for rb in g.runbooks()]
    stale = _due_for_review(runbooks, today)
    out = [
        "# Runbooks",
        "",
        f"{len(runbooks)} runbooks in {sum(len(g.services) for g in groups)} services"
        + (f", {stale} due for review" if stale else "")
        + ". Search with the box at the top (press `/`), or pick a service. New to these "
        + f"pages? {_link('How to use these runbooks', HOME, 'help.md')}.",
        "",
    ]
    listed = len(runbooks) <= HOME_LISTS_UP_TO
    for group in groups:
        out += [f"## {literal_text(group.title)}", ""]
        if group.org is not None:
            out += [
                f"Severities, escalation and contacts: {_link(group.title, HOME, group.uri)}.",
                "",
            ]
        for svc in group.services:
            if listed:
                out += [f"### {_link(svc.title, HOME, svc.uri)}", ""]
                out += _runbook_table(svc.runbooks, HOME, today, results)
            else:
                out.append(f"- {_link(svc.title, HOME, svc.uri)}: {_counts(svc.runbooks, today)}")
            out.append("")
    tags = collect_tags(runbooks)
    if tags:
        out += ["## Tags", ""]
        out.append(" · ".join(_link(tag, HOME, TAGS, tag_anchor(tag)) for tag in tags))
        out.append("")
    return "\n".join(out)


def _due_for_review(runbooks: Sequence[Runbook], today: dt.date) -> int:
    return sum(1 for rb in runbooks if review_state(rb, today)[1] == "stale")


def _counts(runbooks: Sequence[Runbook], today: dt.date) -> str:
    stale = _due_for_review(runbooks, today)
    noun = "runbook" if len(runbooks) == 1 else "runbooks"
    return f"{len(runbooks)} {noun}" + (f", {stale} due for review" if stale else "")


def service_markdown(
    group: OrgGroup, svc: ServiceGroup, today: dt.date, results: Results = None
) -> str:
    """A service's page: its runbooks with severity, owner and review state."""
    out = [f"# {literal_text(svc.title)}", ""]
    if group.org is not None:
        out += [f"Part of {_link(group.title, svc.uri, group.uri)}.", ""]
    out += _runbook_table(svc.runbooks, svc.uri, today, results)
    out.append("")
    for rb in svc.runbooks:
        if rb.summary:
            out.append(
                f"- {_link(rb.title, svc.uri, runbook_uri(rb.id))}: {literal_text(rb.summary)}"
            )
    return "\n".join(out) + "\n"


def collect_tags(runbooks: Iterable[Runbook]) -> list[str]:
    """Every tag once, case-insensitively sorted (spellings of one word in a fixed order:
    a set's order changes from run to run)."""
    return sorted({tag for rb in runbooks for tag in rb.tags}, key=lambda t: (t.lower(), t))


def tag_anchor(tag: str) -> str:
    return "tag-" + slugify(tag).lower()


TAG_LISTS_UP_TO = 50
"""Runbooks the tags page lists under one tag; a tag with more gets a page of its own, so
the tags page of a large site stays small."""


@dataclass(frozen=True, slots=True)
class TagPage:
    """The page of one tag with more runbooks than the tags page lists."""

    uri: str
    tag: str
    markdown: str


def tags_markdown(runbooks: Sequence[Runbook]) -> tuple[str, list[TagPage]]:
    """The tags page, one heading per tag (anchor ``tag-<slug>``) listing its runbooks,
    and a page for each tag with more than ``TAG_LISTS_UP_TO``."""
    out = ["# Tags", ""]
    members: dict[str, list[Runbook]] = {}
    shown: dict[str, str] = {}
    for tag in collect_tags(runbooks):
        # Two spellings of one slug share a heading, under the first spelling.
        shown.setdefault(tag_anchor(tag), tag)
    for rb in runbooks:
        for anchor in dict.fromkeys(tag_anchor(t) for t in rb.tags):
            members.setdefault(anchor, []).append(rb)
    if not shown:
        out += ["No runbook has tags yet.", ""]
    own: list[TagPage] = []
    for anchor, tag in shown.items():
        tagged = sorted(members[anchor], key=lambda rb: (rb.title.lower(), rb.id))
        out += [f"## {literal_text(tag)} {{#{anchor}}}", ""]
        out += [f"- {_link(rb.title, TAGS, runbook_uri(rb.id))}" for rb in tagged[:TAG_LISTS_UP_TO]]
        if len(tagged) > TAG_LISTS_UP_TO:
            uri = f"tags/{anchor}.md"  # never tags/index.md
            more = len(tagged) - TAG_LISTS_UP_TO
            out.append(f"- and {more} more: {_link(f'all {len(tagged)}', TAGS, uri)}")
            own.append(TagPage(uri, tag, _tag_page(tag, tagged, uri)))
        out.append("")
    return "\n".join(out), own


def _tag_page(tag: str, tagged: Sequence[Runbook], uri: str) -> str:
    out = [f"# Tagged {literal_text(tag)}", "", f"{len(tagged)} runbooks.", ""]
    out += [f"- {_link(rb.title, uri, runbook_uri(rb.id))}" for rb in tagged]
    return "\n".join(out) + "\n"


def collect_alerts(runbooks: Iterable[Runbook]) -> dict[str, list[AlertTarget]]:
    """Alert name -> where it is handled, in runbook order."""
    out: dict[str, list[AlertTarget]] = {}
    for rb in runbooks:
        for alert in rb.alerts:
            out.setdefault(alert, []).append(AlertTarget(rb, None, ""))
        for section in rb.all_sections():
            for alert in section.alerts:
                label = f"section '{section.title}'"
                out.setdefault(alert, []).append(AlertTarget(rb, section.id, label))
        for scenario in rb.scenarios:
            for alert in scenario.alerts:
                label = f"scenario '{scenario.title}'"
                out.setdefault(alert, []).append(AlertTarget(rb, scenario.id, label))
    return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))


def _target_line(target: AlertTarget, from_uri: str) -> str:
    rb = target.runbook
    link = _link(rb.title, from_uri, runbook_uri(rb.id), target.anchor)
    where = f", {literal_text(target.label)}" if target.label else ""
    severity = (
        f" {badge(_scenario_or_runbook_severity(target), 'manual')}" if _has_sev(target) else ""
    )
    return f"- {link}{where}{severity}"


def _scenario_or_runbook_severity(target: AlertTarget) -> str:
    if target.anchor:
        for sc in target.runbook.scenarios:
            if sc.id == target.anchor and sc.severity:
                return sc.severity
        for section in target.runbook.all_sections():
            if section.id == target.anchor and section.severity:
                return section.severity
    return target.runbook.severity or ""


def _has_sev(target: AlertTarget) -> bool:
    return bool(_scenario_or_runbook_severity(target))


def alert_markdown(alert: str, targets: Sequence[AlertTarget]) -> str:
    """The page an alert's ``runbook_url`` points at."""
    uri = alert_uri(alert)
    out = [f"# Alert: {literal_text(alert)}", ""]
    if len(targets) == 1:
        out += ["Handled by:", ""]
    else:
        out += [f"Handled in {len(targets)} places:", ""]
    out += [_target_line(t, uri) for t in targets]
    out += ["", f"All alerts: {_link('alerts index', uri, ALERTS)}.", ""]
    return "\n".join(out)


def alert_redirect(alert: str, targets: Sequence[AlertTarget]) -> Redirect | None:
    """An alert handled in one place goes straight there; so does one a runbook lists
    as a whole and in exactly one of its sections or scenarios (the specific place)."""
    specific = [t for t in targets if t.anchor]
    if len({t.runbook.id for t in targets}) == 1 and len(specific) == 1:
        target = specific[0]
    elif len(targets) == 1:
        target = targets[0]
    else:
        return None
    after = f", {target.label}" if target.label else ""
    return Redirect(
        runbook_uri(target.runbook.id),
        target.anchor,
        f"Alert {alert} is handled by",
        target.runbook.title,
        after,
    )


ALERT_HANDLERS_LISTED = 5
"""Handlers named in the alerts index; the alert's own page lists them all (a cell of
hundreds of links is unreadable, and Python-Markdown's link scan is quadratic in it)."""


def alerts_index_markdown(
    alerts: dict[str, list[AlertTarget]], *, directory_urls: bool = True
) -> str:
    """Every declared alert and the runbooks that handle it."""
    out = ["# Alerts", ""]
    if not alerts:
        return "\n".join([*out, "No runbook declares an alert yet.", ""])
    out += [
        "Point an alert's `runbook_url` at its path below, relative to this site's address:",
        "it opens the runbook (or the section) that handles the alert, or a list when",
        "several do.",
        "",
        "| Alert | `runbook_url` path | Handled by |",
        "|---|---|---|",
    ]
    for alert, targets in alerts.items():
        uri = alert_uri(alert)
        handled = ", ".join(
            _link(t.runbook.title, ALERTS, runbook_uri(t.runbook.id), t.anchor)
            + (f" ({literal_text(t.label)})" if t.label else "")
            for t in targets[:ALERT_HANDLERS_LISTED]
        )
        if len(targets) > ALERT_HANDLERS_LISTED:
            more = len(targets) - ALERT_HANDLERS_LISTED
            handled += f" and {_link(f'{more} more', ALERTS, uri)}"
        redirects = alert_redirect(alert, targets) is not None
        name = literal_text(alert) if redirects else _link(alert, ALERTS, uri)
        path = uri.removesuffix(".md") + ("/" if directory_urls else ".html")
        out.append(f"| {name} | `{path}` | {handled} |")
    out.append("")
    return "\n".join(out)
