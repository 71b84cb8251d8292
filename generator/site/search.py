"""What Pagefind indexes on a page, and how: attributes added to the finished page HTML.

The site's search is Pagefind (``generator.site.search_index`` runs its indexer over the
written site): a static index split in chunks, so a query fetches a few hundred KB whatever
the number of runbooks, where Material's lunr index is one file the browser downloads and
indexes on every page load. Pagefind reads what to index from ``data-pagefind-*``
attributes; they are added here, after nh3 has cleaned the page content (the attributes are
the plugin's, never a runbook's), on the whole page MkDocs wrote:

- ``data-pagefind-body`` on the article: navigation, header and footer are not indexed;
- headings keep their ids, so each section and step is a sub-result linking to its anchor;
- a section's alert names and each step's id are weighted highest (an alert name finds the
  section that handles it first); a step id, shown nowhere as text, is added as a hidden
  word next to its command;
- filters (organisation, service, severity, alert, tag, step kind) and metadata shown in
  results (kind, severity, service, organisation) as empty elements that carry only
  attributes;
- the variables table's header row and the headings' permalink signs are ignored (copy
  buttons are added by the theme's script in the browser, never in the written HTML).
"""

from __future__ import annotations

import html
import re

from generator.model import Runbook

__all__ = ["PageFacts", "mark_page", "page_kind", "runbook_facts"]

PageFacts = tuple[tuple[str, str], ...]
"""(name, value) pairs of a page: ``filter:name`` or ``meta:name``."""

ALERT_WEIGHT = 10
"""Pagefind's largest weight: an alert name or a step id outranks a title word (7)."""

_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset"')
_HEADERLINK = re.compile(r'<a class="headerlink"')
_SECTION_META = re.compile(r'<p class="runbook-section-meta">(.*?)</p>', re.S)
_STEP_META = re.compile(r'<p class="runbook-meta risk-([a-z-]+)"')
_STEP_BLOCK = re.compile(r'<pre class="highlight"><code id="[^"]*?--([^"]+)"')
_VARIABLES_HEAD = re.compile(r'(<h2 id="variables">.*?<table>\s*)<thead>', re.S)


def runbook_facts(rb: Runbook, org_title: str | None) -> PageFacts:
    """What a runbook's page is filtered and labelled by in search results."""
    facts: list[tuple[str, str]] = [("meta:kind", "runbook")]
    if org_title:
        facts += [("filter:organisation", org_title), ("meta:organisation", org_title)]
    if rb.service:
        facts += [("filter:service", rb.service), ("meta:service", rb.service)]
    if rb.severity:
        facts += [("filter:severity", rb.severity), ("meta:severity", rb.severity)]
    alerts = dict.fromkeys(
        [*rb.alerts, *(a for s in rb.all_sections() for a in s.alerts)]
        + [a for sc in rb.scenarios for a in sc.alerts]
    )
    facts += [("filter:alert", alert) for alert in alerts]
    facts += [("filter:tag", tag) for tag in dict.fromkeys(rb.tags)]
    return tuple(facts)


def page_kind(src_uri: str) -> str:
    """What a generated page is, by where the plugin puts it."""
    if src_uri.startswith("runbooks/"):
        return "runbook"
    if src_uri.startswith("orgs/"):
        return "service" if "/services/" in src_uri else "organisation"
    if src_uri.startswith("alerts/"):
        return "alert"
    if src_uri.startswith("tags/"):
        return "tags"
    return "page"


def mark_page(page_html: str, facts: PageFacts) -> str:
    """``page_html`` (a whole page the theme wrote) with Pagefind's attributes."""
    at = _ARTICLE.search(page_html)
    if at is None:
        return page_html
    end = page_html.find("</article>", at.end())
    if end < 0:
        return page_html
    head, article, tail = page_html[: at.end()], page_html[at.end() : end], page_html[end:]
    article = _HEADERLINK.sub('<a class="headerlink" data-pagefind-ignore', article)
    article = _VARIABLES_HEAD.sub(r"\1<thead data-pagefind-ignore>", article, count=1)
    article = _SECTION_META.sub(_weighted_section_meta, article)
    article = _STEP_BLOCK.sub(_with_step_id, article)
    kinds = dict.fromkeys(_STEP_META.findall(article))
    all_facts = [*facts, *(("filter:step kind", kind) for kind in kinds)]
    tags = "".join(_fact_tag(name, value) for name, value in all_facts)
    # The facts go right after the article's opening tag (before its first heading).
    close = article.find(">") + 1
    article = article[:close] + tags + article[close:]
    head += " data-pagefind-body"
    return head + article + tail


def _weighted_section_meta(match: re.Match[str]) -> str:
    """A section's ``alerts`` line, weighted (the page's facts make them filters)."""
    weight = f'data-pagefind-weight="{ALERT_WEIGHT}"'
    return f'<p class="runbook-section-meta" {weight}>{match.group(1)}</p>'


def _with_step_id(match: re.Match[str]) -> str:
    """The step's id as a hidden, weighted word just before its command (the heading
    above both is the sub-result a search for the id opens)."""
    step_id = match.group(1)
    return f'<span hidden data-pagefind-weight="{ALERT_WEIGHT}">{step_id}</span>' + match.group(0)


def _fact_tag(name: str, value: str) -> str:
    kind, _, key = name.partition(":")
    # Pagefind splits a list of facts on commas; one fact per element, commas escaped.
    escaped = value.replace(",", "\\,")
    text = html.escape(f"{key}:{escaped}", quote=True)
    return f'<span data-pagefind-{kind}="{text}"></span>'
