"""Markdown to HTML of generated pages in forked worker processes (``mkdocs build``).

MkDocs converts every page's Markdown in one process, then renders the theme: at 1,000
runbooks Python-Markdown is about 40 % of a build. The plugin makes its generated pages
``PrerenderedPage`` objects and, once the navigation is known, forks workers that run
MkDocs' own ``Page.render`` (the same extensions, link checks and anchor collection) on
copies of those pages while the main process waits in ``render`` for each result in the
order MkDocs asks for them.

A result is used only for the exact Markdown it was made from: if another plugin changed
a page in ``on_page_markdown``, or a worker failed, the page renders in the main process
as usual. Warnings a worker logged (a broken link) are logged again in the main process,
where ``--strict`` counts them. There are no workers when ``fork`` is unavailable, when
other threads run (``mkdocs serve``: forking a threaded process can deadlock) or for
fewer than ``MIN_PAGES`` pages.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

MIN_PAGES = 64
"""Fewer pages than this render in the main process (starting workers costs ~50 ms)."""
BATCH = 8
"""Pages per task: fewer round trips, still small enough to keep both cores busy."""

_state: tuple[MkDocsConfig, Files] | None = None
"""What a forked worker renders with (set just before the fork)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """What ``Page.render`` left on a page, in a form that crosses a process boundary."""

    uri: str
    digest: bytes
    """Of the Markdown that was converted."""
    content: str
    toc: Any
    title: str | None
    anchors: frozenset[str]
    links: dict[str, dict[str, str]] | None
    """``links_to_anchors`` keyed by the linked file's ``src_uri``."""
    records: tuple[tuple[str, int, str], ...]
    """Logger name, level and message of what the conversion logged."""


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
        for name, level, message in result.records:
            logging.getLogger(name).log(level, message)
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
    """Workers converting ``uris`` ahead of MkDocs' population loop."""

    def __init__(
        self, pool: ProcessPoolExecutor, workers: int, futures: dict[str, Future[list[Rendered]]]
    ):
        self.workers = workers
        self._pool = pool
        self._futures = futures
        self._ready: dict[str, Rendered] = {}
        self.used = 0
        """Pages whose HTML came from a worker."""

    @classmethod
    def start(
        cls, config: MkDocsConfig, files: Files, uris: Sequence[str], jobs: int | None = None
    ) -> ParallelRenderer | None:
        """Workers for ``uris`` (in the order MkDocs will ask), or None where they do not pay
        or are not safe."""
        global _state
        workers = min(jobs or os.cpu_count() or 1, len(uris) // BATCH)
        if (
            workers < 2
            or len(uris) < MIN_PAGES
            or threading.active_count() > 1
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return None
        _state = (config, files)
        try:
            pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork"), initializer=_capture_logs
            )
            futures: dict[str, Future[list[Rendered]]] = {}
            for start in range(0, len(uris), BATCH):
                batch = list(uris[start : start + BATCH])
                future = pool.submit(_render_batch, batch)
                for uri in batch:
                    futures[uri] = future
        finally:
            _state = None  # the workers have their copy; the parent keeps no reference
        return cls(pool, workers, futures)

    def take(self, uri: str, markdown: str) -> Rendered | None:
        """The worker's result for ``uri`` if it was made from ``markdown`` (waiting for
        it), else None."""
        result = self._ready.pop(uri, None) or self._wait(uri)
        if result is None or result.digest != _digest(markdown):
            return None
        self.used += 1
        return result

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

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._futures.clear()
        self._ready.clear()


def _render_batch(uris: list[str]) -> list[Rendered]:
    assert _state is not None, "a worker runs only in a process forked by start()"
    config, files = _state
    out: list[Rendered] = []
    for uri in uris:
        file = files.get_file_from_path(uri)
        page = file.page if file is not None else None
        if page is None:
            continue
        _CAPTURE.records.clear()
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
                toc=page.toc,
                title=page._title_from_render,
                anchors=frozenset(page.present_anchor_ids or ()),
                links=None if links is None else {f.src_uri: d for f, d in links.items()},
                records=tuple(_CAPTURE.records),
            )
        )
    return out


class _Capture(logging.Handler):
    """Keeps what a worker logs, so the main process can log it where it is counted."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


_CAPTURE = _Capture()


def _capture_logs() -> None:
    """In a worker: every record goes to ``_CAPTURE`` only (the parent prints them)."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):
            logger.handlers = []
            logger.propagate = True
    logging.getLogger().handlers = [_CAPTURE]


def _digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode(), digest_size=16).digest()
