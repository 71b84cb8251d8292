"""Which generated pages a ``serve`` rebuild writes again (MkDocs' ``--dirty``).

MkDocs rebuilds a page under ``--dirty`` when its file says it was modified, and a
generated page has no modification time to go by: the plugin asks ``LastBuild``. A page
is rebuilt when its Markdown differs from the last build's, when its written file is
gone, or when the navigation it prints changed (a renamed, added or removed runbook
shows in the pages of its section; a change at the top, in every page).

A page left as it was is never read again, so MkDocs cannot know its title, and the
navigation of the pages that are rebuilt would say "None": the last build's title is
kept for it. A page the last dirty build wrote into the same folder and this one no
longer has (a removed runbook, an alert no runbook handles any more) is deleted: it would
stay in the served folder, reachable and found by search. (A build that is not dirty
starts from an empty folder; and MkDocs keeps one plugin instance for every build of a
process, so a build of another site must leave this one's files alone.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable

from generator.site.layout import NavItem, pages_whose_navigation_changed
from generator.site.tree import Site


class LastBuild:
    """What the last build of this plugin instance wrote, compared with the next one."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}
        """Each generated file's Markdown digest in the last finished build."""
        self._current: dict[str, str] = {}
        self._written: dict[str, str] = {}
        """Where the last finished build wrote each generated file."""
        self._writing: dict[str, str] = {}
        self._dirty_into: str | None = None
        """Where this build writes, when it is dirty (None: it deletes nothing)."""
        self._last_dirty_into: str | None = None
        self._nav: list[NavItem] | None = None
        self._titles: dict[str, str] | None = None
        """Each generated page's title as the navigation names it (from the runbooks)."""
        self._renavigated: frozenset[str] | None = frozenset()
        """Pages whose printed navigation changed in this build (None: maybe every page)."""
        self._page_titles: dict[str, str] = {}
        """Each page's title as MkDocs found it in the last build (from its HTML)."""

    def begin(
        self, site: Site, site_dir: str, *, dirty: bool, pages_print_own_branch: bool
    ) -> None:
        """Start comparing a build of ``site`` into ``site_dir`` with the last one.
        ``dirty``: MkDocs keeps what the folder holds. ``pages_print_own_branch``: every
        page prints only its own branch of the site's navigation (the plugin's own
        navigation under ``navigation.prune``); otherwise a change anywhere in it may show
        on any page."""
        self._last_dirty_into, self._dirty_into = self._dirty_into, site_dir if dirty else None
        nav, self._nav = self._nav, site.nav
        titles, self._titles = self._titles, {p.uri: p.title for p in site.pages}
        self._current = {}
        self._writing = {}
        if nav == site.nav and titles == self._titles:
            self._renavigated = frozenset()
        elif nav is None or titles is None or not pages_print_own_branch:
            self._renavigated = None
        else:
            self._renavigated = pages_whose_navigation_changed(nav, site.nav, titles, self._titles)

    def changed(self, uri: str, text: str, written_to: str, *, in_navigation: bool) -> bool:
        """Whether the file ``uri`` with Markdown ``text`` (written at ``written_to``) must be
        rebuilt; ``in_navigation``: a page that prints the navigation (not a redirect)."""
        digest = hashlib.sha1(text.encode()).hexdigest()
        self._current[uri] = digest
        self._writing[uri] = written_to
        if self._digests.get(uri) != digest or not os.path.exists(written_to):
            return True  # a new site_dir, a deleted page
        return in_navigation and (self._renavigated is None or uri in self._renavigated)

    def files_done(self) -> int:
        """Every generated file of this build is known: the last build's files that this
        one does not have are deleted. Returns how many files this build has."""
        if self._dirty_into is not None and self._dirty_into == self._last_dirty_into:
            kept = set(self._writing.values())  # an alert's redirect that became a page
            for uri in self._written.keys() - self._writing.keys():
                if self._written[uri] not in kept:
                    _remove(self._written[uri])
        self._digests, self._written = self._current, self._writing
        return len(self._current)

    def kept_title(self, uri: str) -> str | None:
        """The last build's title of a page this build leaves as it was."""
        return self._page_titles.get(uri)

    def remember_titles(self, titles: Iterable[tuple[str, str | None]]) -> None:
        """The titles MkDocs found for the pages (URI, title) of this build."""
        self._page_titles = {uri: title for uri, title in titles if title is not None}

    def forget(self) -> None:
        """A failed build: the next one rebuilds everything."""
        self._digests.clear()
        self._nav = None
        self._titles = None


def _remove(path: str) -> None:
    """Delete a written page, and its folder once empty (``runbooks/<id>/``)."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
    with contextlib.suppress(OSError):  # not empty: another file lives there
        os.rmdir(os.path.dirname(path))
