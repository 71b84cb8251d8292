"""Search benchmark: Pagefind (ours) vs Material's built-in search on the same pages.

Run:  python tests/bench/bench_search.py [--n 1000]     (--n 10000 for the large run)

Copies the seed runbooks (``runbooks/``) N times under new ids and titles (each copy keeps
its seed's organisation ``_defaults.yaml``, sections, scenarios, comms and commands), then in
the same run:

(a) builds the site with the repository's ``mkdocs.yml`` (Pagefind index) and again with
    Material's ``search`` plugin added (its lunr ``search_index.json``): build time, peak
    RSS of the build process, index size on disk;
(b) serves each site over local HTTP and, in headless Chromium, for each fixed query (an
    alert name, a command fragment, a phrase from prose) and each start page (home, a
    runbook page, the alerts page): time from navigation to the first result shown, and
    the bytes the search fetched (Pagefind: ``_pagefind/``; Material: ``search/``). The
    times are taken in the page (``RECORDER``), each from a fresh browser context (nothing
    cached). Material's query is typed once its script has run, which on these pages is
    once the page has loaded;
(c) the same queries on a bare page of the Pagefind site (``ALONE_PAGE``: Pagefind's API and
    nothing else), three times each: Pagefind's own floor on this machine in this run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from seed_copies import copy_seeds

REPO = Path(__file__).resolve().parents[2]
QUERIES = ("DatabaseConnections", "FLUSHDB", "cold cache")
"""An alert name, a command fragment, a phrase from prose (all in the seeds)."""
INDEX = {"pagefind": "_pagefind", "material": "search"}
STARTS = ("", "runbooks/{first}/", "alerts/")


def build(root: Path, site: Path, config: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB, the build process and its workers together) of
    ``runbook build`` in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--config", str(config),
         "--root", str(root), "--site-dir", str(site), "--today", "2026-11-20"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_rss(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"build failed:\n{stderr[-3000:]}")
    return elapsed, peak / 1024


def tree_rss(root_pid: int) -> int:
    """Resident KB of ``root_pid`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    total = 0
    for pid in tree:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as any static host

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        # socketserver's default backlog of 5 is below the connections a browser opens
        # at once (Pagefind fetches a dozen chunks together).
        request_queue_size = 128

    httpd = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


RECORDER = """
(() => {
  const [query, box, result, enter] = %s;
  const marks = (window.__bench = {});
  const seen = () => {
    const input = document.querySelector(box);
    if (input && marks.box === undefined) {
      marks.box = performance.now();
      if (enter) {
        input.value = query;
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    if (marks.result === undefined && document.querySelector(result)) {
      marks.result = performance.now();
      watcher.disconnect();
    }
  };
  const watcher = new MutationObserver(seen);
  watcher.observe(document, { childList: true, subtree: true });
})();
"""
"""Times, in the page, from navigation (``performance.now()``) to the search box and to the
first result. For Pagefind it also enters the query the moment the box exists, as if
pasted: the time measures the page and the search, not the keystrokes' trips between the
benchmark and the browser, nor a poll interval."""


ALONE = "bench-pagefind-alone.html"
ALONE_PAGE = """<!doctype html>
<meta charset="utf-8"><title>Pagefind alone</title>
<div class="runbook-search"><input></div>
<script type="module">
  const pagefind = await import("./_pagefind/pagefind.js");
  pagefind.init();
  const input = document.querySelector("input");
  async function first() {
    const answer = await pagefind.search(input.value);
    const shown = await answer.results[0].data();
    const link = document.createElement("a");
    link.className = "pagefind-ui__result-link";
    link.href = shown.url;
    link.textContent = shown.meta.title;
    document.body.append(link);
  }
  if (input.value) first();
  else input.addEventListener("input", first, { once: true });
</script>
"""
"""Pagefind's own floor on this machine, measured beside the site in the same run: a page
with nothing but the search box, Pagefind's API (its worker, WebAssembly and index, as the
site loads them) and the first result's data, no theme, no UI. The site's figure minus this
one is what the page and the search UI add; the machine's speed, which drifts by a third
over minutes here, moves both."""


def first_result(browser: Any, url: str, query: str, engine: str) -> tuple[float, int]:
    """Seconds from navigation to the first result, bytes the search fetched."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    fetched: list[int] = []
    marker = "/_pagefind/" if engine == "pagefind" else "/search/"

    def finished(request: Any) -> None:
        if marker in request.url:
            fetched.append(request.sizes()["responseBodySize"])

    page.on("requestfinished", finished)
    if engine == "pagefind":
        selectors = [query, ".runbook-search input", ".pagefind-ui__result-link", True]
    else:
        # Material's search box is in the page from the start, and its script reads
        # keystrokes: typed once its script has run (below), which counts against it the
        # time until the page has loaded (tenths of a second of the ten it takes).
        selectors = [query, "input.md-search__input", ".md-search-result__item", False]
    page.add_init_script(RECORDER % json.dumps(selectors))
    page.goto(url, wait_until="commit")
    if engine == "material":
        # Material's script runs once the page has loaded (runbook.js loads the theme's
        # scripts then: generator/site/html.py), and its search reads keystrokes only then.
        page.wait_for_load_state("load")
        while page.evaluate("document.documentElement.dataset.runbookTheme") == "later":
            page.wait_for_timeout(10)
        page.evaluate("document.querySelector('input.md-search__input').focus()")
        page.keyboard.type(query)
    # Polled from here: the site's CSP forbids the eval a page-side wait would use.
    elapsed = None
    while elapsed is None:
        page.wait_for_timeout(50)
        elapsed = page.evaluate("window.__bench && window.__bench.result")
    elapsed /= 1000
    page.wait_for_timeout(300)  # responses still arriving for that query
    context.close()
    return elapsed, sum(fetched)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument(
        "--engines", default="pagefind,material",
        help="comma-separated; '--engines pagefind' for a size Material's index cannot load at",
    )  # fmt: skip
    parser.add_argument(
        "--workdir", type=Path,
        help="keep the runbooks and sites here; a site already built there is reused "
        "(to measure the browser side again without building again)",
    )  # fmt: skip
    args = parser.parse_args()
    engines = args.engines.split(",")
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        if args.workdir is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-search-")))
        else:
            tmp = args.workdir
            tmp.mkdir(parents=True, exist_ok=True)
        if (tmp / "runbooks").is_dir():
            copy = next((tmp / "runbooks").rglob("*-c00000.yaml")).read_text(encoding="utf-8")
            first = re.search(r"^id: *(\S+)", copy, re.M).group(1)  # type: ignore[union-attr]
        else:
            first = copy_seeds(args.n, tmp / "runbooks")[0]
        material_yml = tmp / "mkdocs-material-search.yml"
        text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
        text = text.replace("docs_dir: docs", f"docs_dir: {REPO / 'docs'}")
        material_yml.write_text(text.replace("plugins:\n", "plugins:\n  - search\n", 1))
        sites = {e: tmp / f"site-{e}" for e in ("pagefind", "material") if e in engines}
        configs = {"pagefind": REPO / "mkdocs.yml", "material": material_yml}
        rows: dict[str, dict[str, float]] = {}
        for engine, site in sites.items():
            if (site / "index.html").is_file():
                rows[engine] = {"build_s": float("nan"), "peak_rss_mb": float("nan")}
                rows[engine]["index_mb"] = size_mb(site / INDEX[engine])
                print(f"{engine}: reusing {site}", flush=True)
                continue
            seconds, peak = build(tmp / "runbooks", site, configs[engine])
            index = site / INDEX[engine]
            rows[engine] = {"build_s": seconds, "peak_rss_mb": peak, "index_mb": size_mb(index)}
            print(f"{engine}: build {seconds:.1f} s, peak RSS {peak:.0f} MB, "
                  f"index {rows[engine]['index_mb']:.1f} MB", flush=True)  # fmt: skip
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
            )
            for engine, site in sites.items():
                times: list[float] = []
                sizes: list[int] = []
                with serve(site) as base:
                    for start in STARTS:
                        for query in QUERIES:
                            url = base + start.format(first=first)
                            seconds, fetched = first_result(browser, url, query, engine)
                            times.append(seconds)
                            sizes.append(fetched)
                            print(f"  {engine} {start.format(first=first) or '/'} "
                                  f"{query!r}: {seconds:.2f} s, {fetched / 1e3:.0f} KB",
                                  flush=True)  # fmt: skip
                    if engine == "pagefind":
                        (site / ALONE).write_text(ALONE_PAGE, encoding="utf-8")
                        alone = [
                            first_result(browser, base + ALONE, query, engine)[0]
                            for _ in STARTS
                            for query in QUERIES
                        ]
                        (site / ALONE).unlink()
                        rows[engine]["alone_s"] = statistics.median(alone)
                        print(f"  pagefind alone (no theme, no UI): "
                              f"{', '.join(f'{t:.2f}' for t in alone)} s", flush=True)  # fmt: skip
                rows[engine]["median_s"] = statistics.median(times)
                rows[engine]["median_kb"] = statistics.median(sizes) / 1e3
            browser.close()
    print(f"\n{args.n} runbooks (copies of the seeds)")
    print("| engine | build s | peak RSS MB | index MB | nav -> first result (median) s "
          "| bytes for the query (median) KB | Pagefind alone (median) s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for engine, r in rows.items():
        alone = f"{r['alone_s']:.2f}" if "alone_s" in r else ""
        print(f"| {engine} | {r['build_s']:.1f} | {r['peak_rss_mb']:.0f} | {r['index_mb']:.1f} "
              f"| {r['median_s']:.2f} | {r['median_kb']:.0f} | {alone} |")  # fmt: skip


if __name__ == "__main__":
    main()
