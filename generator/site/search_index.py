"""Pagefind's indexer run over the written site (``site_dir/_pagefind/``).

The indexer is the binary the ``pagefind[bin]`` package ships (nothing is downloaded at run
time, no Node). ``mkdocs build`` and ``runbook build`` index once the site is written and
wait for it: the index is part of the build. ``serve`` must stay under a second per edit,
so there the index is rebuilt in a background thread after each rebuild; while it runs,
``search-status.json`` at the site root says so and the search box shows that results may be
behind (a page served then carries a marker that makes the search script ask).

Pagefind (1.5) retries every page that disappears while it reads, for seconds each, then
leaves it out (an index whose whole folder disappeared was found still running 48 minutes
later), and the next rebuild may delete pages (a removed runbook, ``--full`` cleaning the
folder) while the background index reads them: there it reads hard links to the pages,
made in a folder of its own just before it starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from checks.files import write_atomic

__all__ = ["BUNDLE", "STATUS_FILE", "BackgroundIndexer", "IndexingStopped", "index_site"]

BUNDLE = "_pagefind"
"""Where the index and Pagefind's scripts go, relative to the site root."""
STATUS_FILE = "search-status.json"
"""Written under ``serve`` only: ``{"indexing": true}`` while the index is behind."""
SERVE_MARKER = '<meta name="runbook-search-status" content="search-status.json">'

log = logging.getLogger("mkdocs.plugins.runbook")


def _command(site_dir: Path, bundle: Path) -> list[str]:
    from pagefind_bin import get_executable

    return [
        str(get_executable()),
        "--site", str(site_dir),
        "--output-path", str(bundle),
        "--force-language", "en",  # one index, whatever a page's lang attribute says
        "--exclude-selectors", ".md-clipboard",
        "--quiet",
    ]  # fmt: skip


_STOPPING = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
"""Signals that stop the indexer with the rest of the program (Ctrl-C reaches its group)."""


_STOP_WAIT_S = 10.0
"""How long shutdown waits for a stopped indexer to clean up (it ends within a second)."""


class IndexingStopped(PluginError):
    """The indexer was stopped by a signal: the program is stopping, nothing failed."""


def index_site(
    site_dir: Path,
    *,
    pages_may_change: bool = False,
    running: Callable[[subprocess.Popen[str]], None] | None = None,
) -> None:
    """Index every page of ``site_dir`` marked ``data-pagefind-body``; PluginError if the
    indexer is missing or fails (the site would have a search box and no index).
    ``pages_may_change``: another build may write or delete pages meanwhile (``serve``).
    ``running`` is given the indexer's process once it runs (to stop it).

    The index is written beside the live one and swapped in: Pagefind names its files by
    content and never removes old ones, so re-indexing in place (under ``serve``) would
    leave the fragments of every earlier version of a page next to the current one.
    """
    fresh = site_dir / f"{BUNDLE}.new"
    shutil.rmtree(fresh, ignore_errors=True)
    pages = site_dir
    if pages_may_change:
        with contextlib.suppress(OSError):  # no room beside the site: read it in place
            pages = _linked_pages(site_dir)
    try:
        with subprocess.Popen(
            _command(pages, fresh), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        ) as process:
            try:
                if running is not None:
                    running(process)
                stdout, stderr = process.communicate()
            except BaseException:  # Ctrl-C in a build: the indexer ends with it
                process.kill()
                raise
    except (OSError, ImportError) as exc:
        raise PluginError(f"error: search index: cannot run pagefind: {exc}") from None
    finally:
        if pages != site_dir:
            shutil.rmtree(pages, ignore_errors=True)
    if -process.returncode in _STOPPING:
        shutil.rmtree(fresh, ignore_errors=True)
        raise IndexingStopped(f"search index: pagefind was stopped ({process.returncode})")
    if process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()
        raise PluginError(
            f"error: search index: pagefind exited with {process.returncode}"
            + (f": {detail[-1]}" if detail else "")
        )
    _swap(fresh, site_dir / BUNDLE)


def _linked_pages(site_dir: Path) -> Path:
    """A folder beside ``site_dir`` holding a hard link to each of its pages (a copy where
    links cannot be made), in the same places: what Pagefind reads stays there."""
    import tempfile

    linked = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-pages-", dir=site_dir.parent))
    try:
        for folder, subfolders, files in os.walk(site_dir):
            subfolders[:] = [d for d in subfolders if not d.startswith(BUNDLE)]
            pages = [name for name in files if name.endswith(".html")]
            if pages:
                into = linked / os.path.relpath(folder, site_dir)
                into.mkdir(parents=True, exist_ok=True)
                for name in pages:
                    _link(os.path.join(folder, name), into / name)
    except OSError:
        shutil.rmtree(linked, ignore_errors=True)
        raise
    return linked


def _link(source: str, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        return  # deleted by the rebuild running now: the next index sees it gone
    except OSError:  # another file system, or links not allowed
        with contextlib.suppress(FileNotFoundError):
            shutil.copyfile(source, target)


def _swap(fresh: Path, live: Path) -> None:
    stale = live.with_name(f"{BUNDLE}.old")
    shutil.rmtree(stale, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        live.rename(stale)
    fresh.rename(live)
    shutil.rmtree(stale, ignore_errors=True)


class BackgroundIndexer:
    """Re-index after each serve rebuild without holding the rebuild up.

    A rebuild that ends while an index runs asks for one more run when it finishes, so
    the last index is always of the last build.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._site_dir = Path(".")
        self._process: subprocess.Popen[str] | None = None
        self._stopping = False

    def start(self, site_dir: Path) -> None:
        with self._lock:
            self._stopping = False
            self._site_dir = site_dir
            _write_status(site_dir, indexing=True)
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the index running now and start no other (serve is shutting down).

        Ctrl-C reaches the indexer with the rest of the terminal's process group, but TERM
        from a supervisor reaches serve alone: the indexer would go on after serve exits,
        reading a folder of links that nothing removes."""
        with self._lock:
            self._stopping = True
            self._again = False
            process, thread = self._process, self._thread
        if process is not None:
            process.terminate()  # a process that has ended is not signalled
        if thread is not None:
            thread.join(timeout=_STOP_WAIT_S)

    def _running(self, process: subprocess.Popen[str]) -> None:
        with self._lock:
            self._process = process
            stopping = self._stopping
        if stopping:  # stop() came while the process was being started
            process.terminate()

    def _run(self) -> None:
        while True:
            site_dir = self._site_dir
            try:
                index_site(site_dir, pages_may_change=True, running=self._running)
            except IndexingStopped as exc:  # Ctrl-C at the terminal that runs serve
                log.debug(str(exc))
                with self._lock:
                    self._again = False  # stopping: no run after this one
            except PluginError as exc:
                log.error(str(exc))
            except OSError as exc:  # the folder changed under it: the next run starts over
                log.error(f"error: search index: {exc}")
            with self._lock:
                self._process = None
                if not self._again:
                    _write_status(site_dir, indexing=False)
                    self._thread = None
                    return
                self._again = False


def _write_status(site_dir: Path, *, indexing: bool) -> None:
    with contextlib.suppress(OSError):  # the serve folder is gone (shutdown): nothing to tell
        # Atomic: a page polling it never reads a half-written file; not durable: it only
        # says how the running server is doing.
        write_atomic(
            site_dir / STATUS_FILE, json.dumps({"indexing": indexing}) + "\n", durable=False
        )
