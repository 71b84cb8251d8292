"""Runbook pages' Markdown for the site, in forked worker processes when there are many.

Rendering is pure (a runbook and its page context in, Markdown out) and, over many
runbooks, a large part of a build's time on one core. A
forked worker inherits the runbooks, so only the page Markdown travels back. There are no
workers below ``MIN_PAGES`` pages, without ``fork``, or when other threads run
(``mkdocs serve``: forking a threaded process can deadlock).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator._workers import Workers, chunks_of
from generator.model import Runbook

if TYPE_CHECKING:
    from generator.render.page import PageContext, RenderedPage

MIN_PAGES = 64
"""Fewer runbook pages than this render in the calling process (a fork costs more)."""

_Jobs = Sequence[tuple[Runbook, "PageContext"]]


def render_runbook_pages(jobs: _Jobs, workers: int | None = None) -> list[RenderedPage]:
    """``generator.render.page.render_page`` of each (runbook, context), in order."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    pool = None
    if count >= 2 and len(jobs) >= MIN_PAGES:
        pool = Workers.start(jobs, count, fork_only=True)  # the workers inherit the jobs
    if pool is None:
        return _render(jobs, range(len(jobs)))
    with pool:
        parts = pool.map(_render, chunks_of(range(len(jobs)), count))
    if parts is None:  # no processes here: render in this one
        return _render(jobs, range(len(jobs)))
    return [page for part in parts for page in part]


def _render(jobs: _Jobs, indexes: Sequence[int]) -> list[RenderedPage]:
    from generator.render.page import render_page

    return [render_page(*jobs[i]) for i in indexes]
