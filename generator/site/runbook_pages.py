"""Runbook pages' Markdown for the site, in forked worker processes when there are many.

Rendering is pure (a runbook and its page context in, Markdown out) and about a
millisecond and a half per seed-shaped runbook: 1.5 s of one core at 1,000 runbooks. A
forked worker inherits the runbooks, so only the page Markdown travels back. There are no
workers below ``MIN_PAGES`` pages, without ``fork``, or when other threads run
(``mkdocs serve``: forking a threaded process can deadlock).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from typing import Any

from generator.model import Runbook
from generator._workers import can_fork, chunks_of, ignore_interrupts

MIN_PAGES = 64
"""Fewer runbook pages than this render in the calling process (a fork costs ~30 ms)."""

_jobs: Sequence[tuple[Runbook, Any]] = ()
"""What a forked worker renders (set just before the fork)."""


def render_runbook_pages(
    jobs: Sequence[tuple[Runbook, Any]], workers: int | None = None
) -> list[Any]:
    """``generator.render.page.render_page`` of each (runbook, context), in order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count < 2 or len(jobs) < MIN_PAGES or not can_fork():
        return _render(range(len(jobs)), jobs)
    global _jobs
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(count, mp_context=context, initializer=ignore_interrupts)
    _jobs = jobs  # the workers fork on the first task and inherit it
    try:
        parts = list(pool.map(_render_in_worker, chunks_of(range(len(jobs)), count)))
        return [page for part in parts for page in part]
    except (OSError, BrokenProcessPool):  # no processes here: render in this one
        return _render(range(len(jobs)), jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: nothing more is started
        _jobs = ()


def _render_in_worker(indexes: Sequence[int]) -> list[Any]:
    return _render(indexes, _jobs)


def _render(indexes: Sequence[int], jobs: Sequence[tuple[Runbook, Any]]) -> list[Any]:
    from generator.render.page import render_page

    return [render_page(*jobs[i]) for i in indexes]
