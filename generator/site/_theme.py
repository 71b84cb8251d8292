"""The theme phase of ``mkdocs build`` (each page through its template) in forked workers.

Once every page is converted, MkDocs builds the pages one by one in the main process: the
template render with the page's context, the ``page_context`` and ``post_page`` events,
the file written. With many runbooks that is a long stretch on one core while the others
wait. MkDocs has no event to hand a page's build elsewhere, so while a build runs,
``ParallelTheme`` stands in for ``mkdocs.commands.build._build_page``: on its first call
(every page is converted, the static templates are written) it forks workers that run
MkDocs' own ``_build_page`` with the very arguments the main loop passes, batch by batch
in the loop's order, and the main loop then only waits for each page and logs what its
worker logged (where ``--strict`` counts it).

A worker's events run in a copy of the main process that is thrown away: that is the same
build only if no other plugin keeps state from those events, so there are no workers when
any plugin but ours listens to ``page_context`` or ``post_page`` (Material's search does).
Nor without ``fork``, when other threads run (``mkdocs serve``), for draft pages (their
content changes for good) or for fewer than ``MIN_PAGES`` pages. A page whose worker failed
is built in the main process, which then fails (or not) as MkDocs would.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mkdocs.commands.build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from generator._workers import Task, Workers
from generator.site._worker_logs import Record, capture_logs, replay, take_records

__all__ = ["MIN_PAGES", "ParallelTheme"]

MIN_PAGES = 64
"""Fewer pages than this are built in the main process (forking costs more)."""
BATCH = 8
"""Pages per task: few round trips, and both workers finish together."""
_PAGE_EVENTS = ("page_context", "post_page")
"""The plugin events ``_build_page`` runs."""


@dataclass(frozen=True, slots=True)
class _State:
    """``_build_page``'s arguments but the page, as the main loop passes them (inherited)."""

    build_page: Callable[..., None]
    config: MkDocsConfig
    doc_files: Sequence[File]
    nav: Navigation
    env: Any
    dirty: bool


class ParallelTheme:
    """Builds a ``mkdocs build``'s pages in workers while installed (``install``, ``remove``)."""

    def __init__(self, owner: object, jobs: int | None) -> None:
        self.workers = 0
        self.built = 0
        """Pages a worker built."""
        self._owner = owner
        self._jobs = jobs
        self._original: Callable[..., None] | None = None
        self._started = False
        self._pool: Workers[_State] | None = None
        self._tasks: dict[str, Task[list[tuple[str, tuple[Record, ...]]]]] = {}
        self._ready: dict[str, tuple[Record, ...]] = {}

    def install(self, config: MkDocsConfig) -> bool:
        """Stand in for MkDocs' page build when workers may do it; False when they may not."""
        others = [
            method
            for event in _PAGE_EVENTS
            for method in config.plugins.events[event]
            if getattr(method, "__self__", None) is not self._owner
        ]
        original = mkdocs_build._build_page
        if others or getattr(original, "__module__", None) != mkdocs_build.__name__:
            return False
        self._original = original
        mkdocs_build._build_page = self._build_page
        return True

    def remove(self, stop: bool = False) -> None:
        """Put MkDocs' page build back and end the workers (``stop``: now, mid-task)."""
        if self._original is not None and mkdocs_build._build_page == self._build_page:
            mkdocs_build._build_page = self._original
        if self._pool is not None:
            if stop:
                self._pool.stop()
            else:
                self._pool.close()
            self._pool = None
        self._tasks.clear()
        self._ready.clear()

    def _build_page(
        self,
        page: Page,
        config: MkDocsConfig,
        doc_files: Sequence[File],
        nav: Navigation,
        env: Any,
        dirty: bool = False,
        excluded: bool = False,
    ) -> None:
        assert self._original is not None
        if not self._started:
            self._started = True
            self._start(_State(self._original, config, doc_files, nav, env, dirty))
        records = self._take(page.file.src_uri)
        if records is None:
            self._original(page, config, doc_files, nav, env, dirty, excluded)
        else:
            replay(records)
            self.built += 1
            if not self._tasks and not self._ready and self._pool is not None:
                self._pool.close()  # the last page: no worker is left waiting
                self._pool = None

    def _start(self, state: _State) -> None:
        uris = [
            f.src_uri
            for f in state.doc_files
            if f.page is not None
            and not f.inclusion.is_excluded()  # type: ignore[no-untyped-call]
            and (not state.dirty or f.is_modified())
        ]
        count = min(self._jobs or os.cpu_count() or 1, len(uris) // BATCH)
        if count < 2 or len(uris) < MIN_PAGES:
            return
        pool = Workers.start(state, count, _init_worker, fork_only=True)
        if pool is None:
            return
        self._pool, self.workers = pool, count
        for start in range(0, len(uris), BATCH):
            batch = uris[start : start + BATCH]
            task = pool.submit(_build_batch, batch)
            for uri in batch:
                self._tasks[uri] = task

    def _take(self, uri: str) -> tuple[Record, ...] | None:
        """What the worker logged building ``uri`` (waiting for it); None when no worker
        built it."""
        if uri in self._ready:
            return self._ready.pop(uri)
        task = self._tasks.pop(uri, None)
        if task is None:
            return None
        try:
            done = task.result()
        except Exception:  # a dead worker: its pages are built here
            done = []
        for other, records in done:
            if other != uri and self._tasks.pop(other, None) is not None:
                self._ready[other] = records
        return next((records for other, records in done if other == uri), None)


def _init_worker() -> None:
    """Keep what is logged for the parent."""
    capture_logs()


def _build_batch(state: _State, uris: list[str]) -> list[tuple[str, tuple[Record, ...]]]:
    """MkDocs' own build of each page, in order, up to the first that fails (the main
    process builds that one and the rest again)."""
    done: list[tuple[str, tuple[Record, ...]]] = []
    files = {f.src_uri: f for f in state.doc_files}
    for uri in uris:
        page = files[uri].page
        assert page is not None
        take_records()
        try:
            state.build_page(page, state.config, state.doc_files, state.nav, state.env, state.dirty)
        except Exception:
            break
        done.append((uri, take_records()))
    return done
