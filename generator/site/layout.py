"""Where every page of the site lives and how the navigation groups them (no MkDocs here).

URLs are stable and short so an alert's ``runbook_url`` survives reorganisation:

- ``index.md``                               home
- ``runbooks/<id>.md``                       one page per runbook
- ``orgs/<org>/index.md``                    one page per ``_defaults.yaml`` folder
- ``orgs/<org>/services/<service>/index.md`` a service's runbooks (the nav section index)
- ``alerts/index.md``, ``alerts/<Alert>.md`` alert pages (outside the nav)
- ``tags/index.md``                          the tags index

The navigation is organisation > service > runbook, with big services split into
chunks, so with ``navigation.prune`` a page carries only its own section: its size does
not grow with the number of runbooks.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.model import Org, Runbook

NO_SERVICE = "other"
"""The service slug of runbooks that name none."""

CHUNK = 25
"""Most runbooks in one nav section; bigger services are split (nav cost is per section)."""

_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_SLUG_EDGES = re.compile(r"^[.-]+|-+$")
_SLUG_MAX = 100
"""Characters in a slug: a folder name, well under the 255 bytes file systems allow."""

NavItem = dict[str, "str | list[NavItem]"] | str


@dataclass(frozen=True, slots=True)
class ServiceGroup:
    """The runbooks of one service within one organisation."""

    org_key: str
    """URL slug of the organisation (``orgs/<org_key>/``)."""
    service: str
    """The service as written (``payments-api``); ``""`` when runbooks name none."""
    runbooks: tuple[Runbook, ...]

    @property
    def slug(self) -> str:
        return slugify(self.service) if self.service else NO_SERVICE

    @property
    def title(self) -> str:
        return self.service or "Other runbooks"

    @property
    def uri(self) -> str:
        return f"orgs/{self.org_key}/services/{self.slug}/index.md"


@dataclass(frozen=True, slots=True)
class OrgGroup:
    """An organisation (or the runbooks outside any) with its services."""

    key: str
    """URL slug; unique among organisations."""
    org: Org | None
    """None for runbooks outside every ``_defaults.yaml`` folder."""
    services: tuple[ServiceGroup, ...]

    @property
    def title(self) -> str:
        return self.org.title if self.org else "Runbooks"

    @property
    def uri(self) -> str:
        return f"orgs/{self.key}/index.md"

    def runbooks(self) -> tuple[Runbook, ...]:
        return tuple(rb for svc in self.services for rb in svc.runbooks)


def slugify(text: str) -> str:
    """A URL path segment: ASCII letters, digits, ``_ . -``; never empty, never starting
    with a dot (``..``, a hidden folder many static hosts do not serve), never longer than
    a file name may be (a long name is cut and keeps a digest of the whole)."""
    slug = _SLUG_EDGES.sub("", _SLUG_UNSAFE.sub("-", text))
    if len(slug) > _SLUG_MAX:
        digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = slug[: _SLUG_MAX - 11].rstrip(".-") + "-" + digest
    return slug or "-"


def runbook_uri(runbook_id: str) -> str:
    return f"runbooks/{runbook_id}.md"


def alert_uri(alert: str) -> str:
    slug = slugify(alert)
    if slug.lower().split(".")[0] == "index":  # the alerts index page's own file names
        slug = "alert-" + slug
    return f"alerts/{slug}.md"


def relative_link(from_uri: str, to_uri: str) -> str:
    """A Markdown link from one page's source to another's (MkDocs validates these)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def group_runbooks(runbooks: Iterable[Runbook], orgs: Iterable[Org]) -> tuple[OrgGroup, ...]:
    """Organisations (root first, then by title), each with services sorted by name."""
    org_list = sorted(orgs, key=lambda o: (o.id != "", o.title.lower(), o.id))
    keys = _org_keys([o.id for o in org_list])
    by_org: dict[str | None, list[Runbook]] = {}
    for rb in runbooks:
        org_id = rb.org if rb.org in keys else None
        by_org.setdefault(org_id, []).append(rb)
    groups = [
        OrgGroup(keys[o.id], o, _services(keys[o.id], by_org.get(o.id, []))) for o in org_list
    ]
    if by_org.get(None):
        loose_key = _unique("runbooks", set(keys.values()))
        groups.append(OrgGroup(loose_key, None, _services(loose_key, by_org[None])))
    return tuple(groups)


def _org_keys(org_ids: Sequence[str]) -> dict[str, str]:
    taken: set[str] = set()
    out: dict[str, str] = {}
    for org_id in org_ids:
        key = _unique(slugify(org_id.replace("/", "-")) if org_id else "root", taken)
        taken.add(key)
        out[org_id] = key
    return out


def _unique(key: str, taken: set[str]) -> str:
    candidate, n = key, 2
    while candidate in taken:
        candidate, n = f"{key}-{n}", n + 1
    return candidate


def _services(org_key: str, runbooks: list[Runbook]) -> tuple[ServiceGroup, ...]:
    by_service: dict[str, list[Runbook]] = {}
    for rb in runbooks:
        by_service.setdefault(rb.service or "", []).append(rb)
    # Two spellings that slug alike ("Payments API" / "payments-api") share one page.
    merged: dict[str, tuple[str, list[Runbook]]] = {}
    for name in sorted(by_service, key=lambda s: (s == "", s.lower())):
        slug = slugify(name) if name else NO_SERVICE
        merged.setdefault(slug, (name, []))[1].extend(by_service[name])
    return tuple(
        ServiceGroup(org_key, name, tuple(sorted(rbs, key=_runbook_order)))
        for name, rbs in merged.values()
    )


def _runbook_order(rb: Runbook) -> tuple[str, str]:
    return (rb.title.lower(), rb.id)


def build_nav(groups: Sequence[OrgGroup], titles: dict[str, str]) -> list[NavItem]:
    """MkDocs ``nav`` for the generated pages; ``titles`` maps a URI to its escaped title."""
    nav: list[NavItem] = [{"Home": "index.md"}]
    for group in groups:
        children: list[NavItem] = [group.uri]
        for svc in group.services:
            svc_children: list[NavItem] = [svc.uri, *_sections(svc.runbooks, titles)]
            children.append({titles[svc.uri]: svc_children})
        nav.append({titles[group.uri]: children})
    nav.append({"Alerts": "alerts/index.md"})
    nav.append({"Tags": "tags/index.md"})
    nav.append({"How to use these runbooks": "help.md"})
    return nav


def _sections(runbooks: Sequence[Runbook], titles: dict[str, str], first: int = 1) -> list[NavItem]:
    """The runbooks' nav entries, no level longer than ``CHUNK``: a service of more has
    sections of ``CHUNK`` runbooks (``1–25``, ``26–50``), and one of more than ``CHUNK``
    such sections has sections of those (``1–625``). Every page of the service prints each
    level above it, so a long level would weigh on all of them."""
    if len(runbooks) <= CHUNK:
        return _runbook_items(runbooks, titles)
    size = CHUNK
    while len(runbooks) > size * CHUNK:
        size *= CHUNK
    items: list[NavItem] = []
    for start in range(0, len(runbooks), size):
        part = runbooks[start : start + size]
        label = f"{first + start}–{first + start + len(part) - 1}"
        items.append({label: _sections(part, titles, first + start)})
    return items


def _runbook_items(runbooks: Sequence[Runbook], titles: dict[str, str]) -> list[NavItem]:
    return [{titles[runbook_uri(rb.id)]: runbook_uri(rb.id)} for rb in runbooks]


def pages_whose_navigation_changed(
    before: Sequence[NavItem],
    after: Sequence[NavItem],
    titles_before: Mapping[str, str],
    titles_after: Mapping[str, str],
) -> frozenset[str]:
    """The pages (of ``titles_after``: URI to title) whose printed navigation differs
    between two navigations, in a theme that prints only a page's own branch
    (``navigation.prune``): the top level with each top-level section's entries
    (``navigation.sections``), the entries of every section on the page's path, and the
    pages before and after it (previous/next links). A renamed or added runbook is shown
    by the pages of its section; a top-level change, by every page."""
    old = _printed(before, titles_before)
    new = _printed(after, titles_after)
    outside_old, outside_new = old.get(None), new.get(None)
    return frozenset(
        uri for uri in titles_after if old.get(uri, outside_old) != new.get(uri, outside_new)
    )


def _printed(nav: Sequence[NavItem], titles: Mapping[str, str]) -> dict[str | None, object]:
    """What each page of ``nav`` prints of it (key None: a page outside the navigation)."""

    def entry(item: NavItem) -> tuple[object, ...]:
        """How an entry shows when its section is shown (a section: its label and link)."""
        if isinstance(item, str):
            return (item, titles.get(item))
        ((label, value),) = item.items()
        if isinstance(value, str):
            return (value, label)
        return (label, value[0] if value and isinstance(value[0], str) else None)

    def level(items: Sequence[NavItem]) -> tuple[object, ...]:
        return tuple(entry(item) for item in items)

    def top_entry(item: NavItem) -> tuple[object, ...]:
        """A top-level entry; a section also shows its entries (``navigation.sections``)."""
        value = _target(item)
        return entry(item) if isinstance(value, str) else (entry(item), level(value))

    top = tuple(top_entry(item) for item in nav)
    shown: dict[str | None, object] = {None: (top,)}
    order: list[str] = []

    def walk(items: Sequence[NavItem], path: tuple[object, ...]) -> None:
        for item in items:
            value = _target(item)
            if isinstance(value, str):
                shown[value] = path
                order.append(value)
            else:
                walk(value, (*path, level(value)))

    walk(nav, (top,))
    for at, uri in enumerate(order):
        near = [order[i] for i in (at - 1, at + 1) if 0 <= i < len(order)]
        shown[uri] = (shown[uri], tuple((page, titles.get(page)) for page in near))
    return shown


def _target(item: NavItem) -> str | list[NavItem]:
    """What a navigation entry points at: a page's URI, or a section's entries."""
    return item if isinstance(item, str) else next(iter(item.values()))
