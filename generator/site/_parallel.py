"""Markdown to HTML and search indexing of generated pages in forked worker processes.

MkDocs converts every page's Markdown in one process, then renders the theme and Material
indexes each page for search: with many runbooks, Python-Markdown and search indexing are
most of a build. The plugin makes its generated pages ``PrerenderedPage``
objects and, once the navigation is known, forks workers (``mkdocs build`` only) that:

1. run MkDocs' own ``Page.render`` (the same extensions, link checks and anchor
   collection) on copies of those pages, then the plugin's own ``on_page_content`` step
   (``finish``), while the main process waits in ``render`` for each result in the order
   MkDocs asks for them;
2. while the main process renders the theme, index each finished page with Material's own
   ``SearchIndex``: the plugin keeps Material's search off the page (the documented
   ``search: {exclude: true}`` front matter, set for that moment only) and the entries
   join Material's index before it is written. Material keeps no order in its index
   (its dirty reload appends), so neither do we.

A result is used only for the exact input it was made from: if another plugin changed a
page's Markdown or HTML, or a worker failed, the main process does that step as usual.
Warnings a worker logged (a broken link) are logged again in the main process, where
``--strict`` counts them. There are no workers when ``fork`` is unavailable, when other
threads run (``mkdocs serve``: forking a threaded process can deadlock) or for fewer
than ``MIN_PAGES`` pages.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from generator._workers import Task, Workers
from generator.site._inline_fast import install as install_inline_skip
from generator.site._worker_logs import Record, capture_logs, replay, take_records

MIN_PAGES = 64
"""Fewer pages than this render in the main process (starting workers costs more)."""
BATCH = 8
"""Pages per task: fewer round trips, still small enough to keep both cores busy."""


@dataclass(frozen=True, slots=True)
class _State:
    """What a forked worker renders with (it inherits it)."""

    config: MkDocsConfig
    files: Files
    finish: Callable[[str], str]
    """The plugin's ``on_page_content`` for its pages."""
    search: Mapping[str, Any] | None
    """Material's search settings, when its search plugin is on."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What ``Page.render`` left on a page, in a form that crosses a process boundary."""

    uri: str
    digest: bytes
    """Of the Markdown that was converted."""
    content: str
    final: str
    """``content`` after ``finish``."""
    toc: Any
    title: str | None
    anchors: frozenset[str]
    links: dict[str, dict[str, str]] | None
    """``links_to_anchors`` keyed by the linked file's ``src_uri``."""
    records: tuple[Record, ...]
    """What the conversion logged."""


class PrerenderedPage(Page):
    """A generated page whose HTML may come from a worker."""

    renderer: ParallelRenderer | None = None

    def render(self, config: MkDocsConfig, files: Files) -> None:
        result = None
        if self.renderer is not None and self.markdown is not None:
            result = self.renderer.take(self.file.src_uri, self.markdown)
        if result is None:
            super().render(config, files)
            return
        replay(result.records)
        self.content = result.content
        self.toc = result.toc
        self._title_from_render = result.title
        self.present_anchor_ids = set(result.anchors)
        if result.links is not None:
            self.links_to_anchors = {
                target: links
                for uri, links in result.links.items()
                if (target := files.get_file_from_path(uri)) is not None
            }


class ParallelRenderer:
    """Workers converting pages ahead of MkDocs' population loop, then indexing them."""

    def __init__(self, pool: Workers[_State], workers: int, state: _State, search: Any) -> None:
        self.workers = workers
        self.used = 0
        """Pages whose HTML came from a worker."""
        self.indexed = 0
        """Pages a worker indexed for search."""
        self._pool = pool
        self._state = state
        self._search = search
        self._futures: dict[str, Task[list[Rendered]]] = {}
        self._ready: dict[str, Rendered] = {}
        self._finished: dict[str, tuple[str, str]] = {}
        self._queue: list[tuple[str, str, bytes]] = []
        self._indexing: list[tuple[list[tuple[str, str, bytes]], Task[list[list[Any]]]]] = []

    @classmethod
    def start(
        cls,
        config: MkDocsConfig,
        files: Files,
        uris: Sequence[str],
        finish: Callable[[str], str],
        jobs: int | None = None,
    ) -> ParallelRenderer | None:
        """Workers for ``uris`` (in the order MkDocs will ask), or None where they do not pay
        or are not safe."""
        workers = min(jobs or os.cpu_count() or 1, len(uris) // BATCH)
        if workers < 2 or len(uris) < MIN_PAGES:
            return None
        search = _material_search(config)
        state = _State(config, files, finish, None if search is None else search.config)
        pool = Workers.start(state, workers, _init_worker, fork_only=True)
        if pool is None:
            return None
        renderer = cls(pool, workers, state, search)
        for start in range(0, len(uris), BATCH):
            batch = list(uris[start : start + BATCH])
            task = pool.submit(_render_batch, batch)
            for uri in batch:
                renderer._futures[uri] = task
        return renderer

    def take(self, uri: str, markdown: str) -> Rendered | None:
        """The worker's result for ``uri`` if it was made from ``markdown`` (waiting for
        it), else None."""
        result = self._ready.pop(uri, None) or self._wait(uri)
        if result is None or result.digest != _digest(markdown):
            return None
        self.used += 1
        self._finished[uri] = (result.content, result.final)
        return result

    def finished(self, uri: str, html: str) -> str | None:
        """What ``finish`` makes of ``html``, if a worker already did it."""
        done = self._finished.get(uri)
        return done[1] if done is not None and done[0] == html else None

    def index(self, page: Page) -> bool:
        """Queue ``page`` for search indexing in a worker, if its content is what a worker
        finished; True when Material's search must leave the page alone."""
        done = self._finished.get(page.file.src_uri)
        search = page.meta.get("search")
        if (
            self._search is None
            or done is None
            or page.content != done[1]
            or (isinstance(search, dict) and search.get("exclude"))
        ):
            return False
        # The TOC as it is now: the plugin trims it before the worker would read it.
        self._queue.append((page.file.src_uri, done[1], pickle.dumps(page.toc)))
        if len(self._queue) >= BATCH:
            self._submit()
        return True

    def add_search_entries(self) -> None:
        """Every queued page's entries into Material's index (before it is written)."""
        self._submit()
        entries: list[Any] = []
        for items, future in self._indexing:
            try:
                per_page = future.result()
            except Exception:  # a dead worker: index its pages here
                per_page = _index_pages(self._state, items)
            entries.extend(e for page_entries in per_page for e in page_entries)
            self.indexed += len(items)
        self._indexing.clear()
        if self._search is not None:
            self._search.search_index.entries.extend(entries)

    @property
    def indexing(self) -> bool:
        """Whether the workers index pages for Material's search (during the theme phase)."""
        return self._search is not None

    def close(self, wait: bool = False) -> None:
        self._pool.close(wait=wait)
        self._futures.clear()
        self._ready.clear()
        self._finished.clear()

    def _submit(self) -> None:
        if self._queue:
            items, self._queue = self._queue, []
            self._indexing.append((items, self._pool.submit(_index_batch, items)))

    def _wait(self, uri: str) -> Rendered | None:
        future = self._futures.pop(uri, None)
        if future is None:
            return None
        try:
            batch = future.result()
        except Exception:  # a dead worker: the page renders here, and says what is wrong
            return None
        for result in batch:
            if result.uri != uri and result.uri in self._futures:
                del self._futures[result.uri]
                self._ready[result.uri] = result
        return next((r for r in batch if r.uri == uri), None)


def _render_batch(state: _State, uris: list[str]) -> list[Rendered]:
    config, files = state.config, state.files
    out: list[Rendered] = []
    for uri in uris:
        file = files.get_file_from_path(uri)
        page = file.page if file is not None else None
        if page is None:
            continue
        take_records()  # what was logged before this page is not this page's
        page.read_source(config)
        assert page.markdown is not None
        Page.render(page, config, files)
        assert page.content is not None
        links = getattr(page, "links_to_anchors", None)
        out.append(
            Rendered(
                uri=uri,
                digest=_digest(page.markdown),
                content=page.content,
                final=state.finish(page.content),
                toc=page.toc,
                title=page._title_from_render,
                anchors=frozenset(page.present_anchor_ids or ()),
                links=None if links is None else {f.src_uri: d for f, d in links.items()},
                records=take_records(),
            )
        )
    return out


def _index_batch(state: _State, items: list[tuple[str, str, bytes]]) -> list[list[Any]]:
    return _index_pages(state, items)


def _index_pages(state: _State, items: list[tuple[str, str, bytes]]) -> list[list[Any]]:
    """Material's search entries of each page, made from its finished HTML and TOC."""
    from material.plugins.search.plugin import SearchIndex

    assert state.search is not None
    index = SearchIndex(**state.search)
    out: list[list[Any]] = []
    for uri, html, toc in items:
        file = state.files.get_file_from_path(uri)
        assert file is not None and file.page is not None
        page = file.page
        saved = page.content, page.toc
        if page.markdown is None:
            page.read_source(state.config)  # meta and title, as in the main process
        page.content, page.toc = html, pickle.loads(toc)
        start = len(index.entries)
        try:
            index.add_entry_from_context(page)
        finally:
            page.content, page.toc = saved
        out.append(index.entries[start:])
    return out


def _material_search(config: MkDocsConfig) -> Any:
    """Material's search plugin, when it is on and looks as expected; else None."""
    try:
        from material.plugins.search.plugin import SearchPlugin
    except ImportError:
        return None
    for plugin in config.plugins.values():
        if isinstance(plugin, SearchPlugin) and plugin.config.enabled:
            index = getattr(plugin, "search_index", None)
            if isinstance(getattr(index, "entries", None), list):
                return plugin
    return None


def _init_worker() -> None:
    """A worker keeps what it logs for the parent to print, reuses one ``Markdown``
    instance for all its pages and skips inline patterns that cannot match
    (``generator.site._inline_fast``)."""
    import markdown  # type: ignore[import-untyped]

    markdown.Markdown = _ReusedMarkdown(markdown.Markdown)
    install_inline_skip()
    capture_logs()


class _ReusedMarkdown:
    """Stands in for the ``Markdown`` class in a worker: ``Page.render`` builds a new
    instance per page, and setting up the extensions was a large part of a runbook
    page's conversion. ``reset()`` is Python-Markdown's way to convert another document with the
    same instance; MkDocs' own processors are registered again under their names, which
    replaces them."""

    def __init__(self, cls: Any) -> None:
        self._cls = cls
        self._made: tuple[Any, Any, Any] | None = None

    def __call__(self, **kwargs: Any) -> Any:
        extensions, configs = kwargs.get("extensions"), kwargs.get("extension_configs")
        if self._made is not None and self._made[0] is extensions and self._made[1] is configs:
            md = self._made[2]
            md.reset()
            return md
        md = self._cls(**kwargs)
        self._made = (extensions, configs, md)
        return md


def _digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode(), digest_size=16).digest()
