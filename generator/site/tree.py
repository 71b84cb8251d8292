"""The whole site as data: every generated page's Markdown and the navigation.

``load_site`` is the composition root of the site (loader, page renderer, comms, listing
pages); the MkDocs plugin only turns its result into ``File`` objects. It has no MkDocs
import, so it is testable and fast to call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator.load.cache import ParseCache
from generator.model import CommsTemplate, Org, Runbook, SeverityScheme
from generator.render.text import literal_text
from generator.site.help import HELP, help_markdown
from generator.site.layout import (
    NavItem,
    OrgGroup,
    alert_uri,
    build_nav,
    group_runbooks,
    relative_link,
    runbook_uri,
)
from generator.site.page_form import form_data
from generator.site.pages import (
    ALERTS,
    HOME,
    TAGS,
    Redirect,
    alert_markdown,
    alert_redirect,
    alerts_index_markdown,
    collect_alerts,
    home_markdown,
    service_markdown,
    tags_markdown,
)
from generator.site.runbook_pages import render_runbook_pages
from generator.site.safety import escape_title
from generator.site.search import runbook_facts


@dataclass(frozen=True, slots=True)
class SitePage:
    """One generated page."""

    uri: str
    """Source path inside the site (``runbooks/db-pool.md``)."""
    title: str
    """Plain text (escaped where it is used)."""
    markdown: str
    in_nav: bool = True
    source: SourceLocation | None = None
    """The YAML it comes from: MkDocs' link warnings are pointed here."""
    search_boost: float = 0.0
    redirect: Redirect | None = None
    """Set when the page only sends the reader on (an alert one runbook handles): the
    plugin then writes a small redirect instead of a themed page; ``markdown`` is still
    the full page for other engines (``runbook render``)."""
    search: tuple[tuple[str, str], ...] = ()
    """What search results filter and label the page by (``generator.site.search``)."""
    form: str = ""
    """A runbook page's variables, for the form its script draws (JSON,
    ``generator.site.page_form``); empty for other pages."""


@dataclass(frozen=True, slots=True)
class Site:
    pages: tuple[SitePage, ...]
    nav: list[NavItem]
    problems: tuple[Problem, ...]


def load_site(
    root: Path,
    *,
    today: dt.date,
    results: Mapping[str, Any] | None,
    cache: MutableMapping[Any, str] | None = None,
    parse_cache: ParseCache | None = None,
    jobs: int | None = None,
    directory_urls: bool = True,
) -> Site:
    """Load ``root`` and produce every page; on load errors, no pages and the problems.

    ``parse_cache``: keep one between the loads of a serve session (unchanged files are
    not parsed again). ``jobs``: processes for parsing and rendering (None: every core
    when there are many runbooks). ``results``: a check report's results by block id
    (``generator.site.report``), None when the site is built without one.
    ``directory_urls``: MkDocs' ``use_directory_urls`` (the alert URLs the alerts index
    shows)."""
    from generator.load.tree import load_tree

    loaded = load_tree(root=root, cache=parse_cache, jobs=jobs)
    problems = tuple(loaded.problems)
    if any(p.severity is Severity.ERROR for p in problems):
        return Site((), [], problems)
    pages, nav, page_problems = build_pages(
        loaded.runbooks, loaded.orgs, today, results, cache, jobs, directory_urls
    )
    return Site(pages, nav, problems + page_problems)


def build_pages(
    runbooks: tuple[Runbook, ...] | list[Runbook],
    orgs: tuple[Org, ...] | list[Org],
    today: dt.date,
    results: Mapping[str, Any] | None,
    cache: MutableMapping[Any, str] | None = None,
    jobs: int | None = None,
    directory_urls: bool = True,
) -> tuple[tuple[SitePage, ...], list[NavItem], tuple[Problem, ...]]:
    """Pages, navigation and the problems of runbook pages (comms templates that cannot
    render: errors, so the site fails with their location)."""
    groups = group_runbooks(runbooks, orgs)
    report = _as_pairs(results)
    slots: list[SitePage | _Job] = [
        SitePage(HOME, "Home", home_markdown(groups, today, report)),
        SitePage(HELP, "How to use these runbooks", help_markdown()),
    ]
    for group in groups:
        slots.extend(_group_pages(group, today, report, cache))
    todo = [slot for slot in slots if isinstance(slot, _Job)]
    rendered = iter(render_runbook_pages([(j.runbook, j.context) for j in todo], jobs))
    pages: list[SitePage] = []
    problems: list[Problem] = []
    for slot in slots:
        if isinstance(slot, SitePage):
            pages.append(slot)
            continue
        page = next(rendered)
        problems.extend(page.problems)
        if cache is not None and not page.problems:
            cache[slot.key] = page.markdown
        rb = slot.runbook
        facts = runbook_facts(rb, slot.context.org_title)
        pages.append(_runbook_page(rb, page.markdown, facts))
    alerts = collect_alerts(runbooks)
    index = alerts_index_markdown(alerts, directory_urls=directory_urls)
    pages.append(SitePage(ALERTS, "Alerts", index))
    by_uri: dict[str, list[str]] = {}
    for alert in alerts:
        by_uri.setdefault(alert_uri(alert), []).append(alert)
    for uri, names in by_uri.items():
        # Names that slug alike ("A/B", "A-B") share a page listing both.
        text = "\n".join(alert_markdown(name, alerts[name]) for name in names)
        first = alerts[names[0]][0].runbook.location
        redirect = alert_redirect(names[0], alerts[names[0]]) if len(names) == 1 else None
        pages.append(SitePage(uri, names[0], text, False, first, redirect=redirect))
    tags, tag_pages = tags_markdown(list(runbooks))
    pages.append(SitePage(TAGS, "Tags", tags))
    pages.extend(SitePage(p.uri, f"Tagged {p.tag}", p.markdown, False) for p in tag_pages)
    nav = build_nav(groups, {p.uri: escape_title(p.title) for p in pages})
    # A broken template in a _defaults.yaml reaches every runbook below it: say it once.
    return tuple(pages), nav, tuple(dict.fromkeys(problems))


def _runbook_page(rb: Runbook, markdown: str, facts: tuple[tuple[str, str], ...]) -> SitePage:
    return SitePage(
        runbook_uri(rb.id), rb.title, markdown, source=rb.location, search=facts, form=form_data(rb)
    )


@dataclass(frozen=True, slots=True)
class _Job:
    """A runbook page to render (not in the cache)."""

    runbook: Runbook
    context: Any
    """``generator.render.page.PageContext``."""
    key: Any
    """Its cache key."""


def _as_pairs(results: Mapping[str, Any] | None) -> dict[str, tuple[str, str]] | None:
    """Block id -> (status, finished_at), what pages read of a report."""
    if results is None:
        return None
    return {k: (v.status, v.finished_at) for k, v in results.items()}


def _group_pages(
    group: OrgGroup,
    today: dt.date,
    results: Mapping[str, tuple[str, str]] | None,
    cache: MutableMapping[Any, str] | None,
) -> list[SitePage | _Job]:
    from generator.load.tree import severity_scheme
    from generator.render.page import PageContext
    from generator.site.org import org_markdown

    pages: list[SitePage | _Job] = []
    org = group.org
    if org is not None:
        schemes = _schemes(group, severity_scheme)
        org_page = org_markdown(group, schemes, _example_renderer(org), results)
        pages.append(SitePage(group.uri, org.title, org_page, source=org.location))
    else:
        pages.append(SitePage(group.uri, group.title, _loose_index(group)))
    for svc in group.services:
        service_page = service_markdown(group, svc, today, results)
        pages.append(SitePage(svc.uri, svc.title, service_page))
        for rb in svc.runbooks:
            uri = runbook_uri(rb.id)
            org_url = relative_link(uri, group.uri) if org is not None else None
            org_title = org.title if org is not None else None
            help_url = relative_link(uri, HELP)
            prefix = rb.id + "--"
            mine = tuple(sorted((k, v) for k, v in (results or {}).items() if k.startswith(prefix)))
            key = (rb, org_url, org_title, help_url, mine, results is not None, today)
            markdown: str | None = cache.get(key) if cache is not None else None
            if markdown is not None:
                facts = runbook_facts(rb, org_title)
                pages.append(_runbook_page(rb, markdown, facts))
                continue
            ctx = PageContext(
                org_url=org_url,
                org_title=org_title,
                help_url=help_url,
                last_results=dict(mine),
                report=results is not None,
                today=today,
                severity_scheme=severity_scheme(rb),
            )
            pages.append(_Job(rb, ctx, key))
    return pages


def _schemes(group: OrgGroup, severity_scheme: Any) -> list[SeverityScheme]:
    """Each distinct scheme in force among the organisation's runbooks (its own first)."""
    org = group.org
    schemes: list[SeverityScheme] = []
    if org is not None and org.severities is not None:
        schemes.append(org.severities)
    for rb in group.runbooks():
        scheme: SeverityScheme = severity_scheme(rb)
        if all(s.name != scheme.name or s.levels != scheme.levels for s in schemes):
            schemes.append(scheme)
    if not schemes and org is not None:
        schemes.append(severity_scheme(Runbook(id="org", title=org.title)))
    return schemes


def _example_renderer(org: Org) -> Any:
    from generator.comms.context import ExampleContexts
    from generator.comms.templates import render_example

    # The organisation's defaults as a runbook, so its templates see what a runbook
    # inheriting them would.
    holder = Runbook(
        id=(org.id.replace("/", "-") or "org"),
        title=org.title,
        summary=org.summary,
        severities=org.severities,
        escalation=org.escalation,
        contacts=org.contacts,
        roles=org.roles,
        links=org.links,
        communications=org.communications,
        path=org.path,
        org=org.id,
        location=org.location,
    )

    contexts = ExampleContexts(holder)

    def render(template: CommsTemplate) -> tuple[str, str]:
        subject, body = render_example(holder, template, contexts)
        return subject or "", body

    return render


def _loose_index(group: OrgGroup) -> str:
    lines = ["# Runbooks", "", "Runbooks outside every organisation folder.", ""]
    for svc in group.services:
        lines.append(f"- [{literal_text(svc.title)}]({relative_link(group.uri, svc.uri)})")
    return "\n".join(lines) + "\n"
