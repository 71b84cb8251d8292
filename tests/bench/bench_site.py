"""Site benchmark: our plugin build vs plain Material on the same page Markdown.

Run:  python tests/bench/bench_site.py [N] [--synthetic] [--rounds R]     (default N=1000, R=1)

Copies the seed runbooks N times under new ids and titles (tests/bench/seed_copies.py: the
real shape, each with its own sections, scenarios, comms and about 40 commands); with
``--synthetic``, generates N uniform runbooks of about 20 blocks instead (4 sections x 4
steps, a scenario, a table, a checklist), which flatter the build. Then, in the same run:

(a) ours: `runbook build` in a process of its own (plugin, org > service nav of sections
    of at most 25 runbooks with pruning, client-side highlighting, Markdown conversion
    and the theme in one worker process per core, Pagefind's index, alert URLs as
    redirects outside the theme);
(b) baseline: the same page Markdown (render_runbook) as hand-written pages in docs_dir,
    default Material settings (Pygments highlighting, its search), flat navigation, built
    by `mkdocs build` in a process of its own. Whatever the
    renderer writes, the baseline converts that very Markdown (plain Material on the same
    pages), so a cheaper page Markdown speeds up both sides: the baseline by all it saves,
    ours by about half (it converts in two workers). Loading the runbooks and rendering
    their Markdown is not timed for the baseline, as a hand-written site has neither;
(c) the largest runbook page and the largest listing page of (a);
(d) a serve-style rebuild (dirty, same plugin instance) after editing one runbook.

``--rounds R`` builds (a) and (b) R times in turn and reports the median ratio: this
machine's speed drifts by a third over minutes, and one pair of builds can land on either
side of a target.
"""

from __future__ import annotations

import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from seed_copies import copy_seeds

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

SERVICES = 20


def runbook_yaml(i: int) -> dict[str, object]:
    rid = f"rb-{i:05d}"

    def step(n: int, kind: str = "check") -> dict[str, object]:
        return {
            "id": f"s{n}",
            "title": f"Check thing {n} of {rid}",
            "body": f"Look at `metric_{n}` on the dashboard; compare with the baseline for {rid}.",
            "kind": kind,
            "run": f'kubectl -n "$NAMESPACE" get pods -l app=svc-{i % SERVICES} | grep -c Running\n'
            f"echo step {n}",
            "timeout": "10s",
            "sample_output": "3\nstep",
        }

    sections = [
        {
            "id": f"phase-{p}",
            "title": f"Phase {p}",
            "window": f"{p * 5}-{p * 5 + 5} min",
            "body": "Do these in order. " * 5,
            "steps": [step(p * 10 + k, "check" if k < 3 else "action") for k in range(4)],
        }
        for p in range(4)
    ]
    sections[0]["table"] = {
        "columns": ["Alert", "Likely cause", "First action"],
        "rows": [[f"Alert{i}-{r}", "Pool exhausted", "Count connections"] for r in range(4)],
    }
    sections[1]["checklist"] = ["Take command", "Announce in channel", "Open an incident"]
    return {
        "id": rid,
        "title": f"Runbook {i}: service {i % SERVICES} degraded",
        "summary": f"What to do when service {i % SERVICES} misbehaves (case {i}).",
        "service": f"service-{i % SERVICES:02d}",
        "owner": f"team-{i % 7}",
        "tags": [f"tag-{i % 13}", "bench"],
        "alerts": [f"Alert{i}"],
        "severity": "SEV2",
        "last_reviewed": "2026-06-01",
        "review_every": "90d",
        "variables": {"NAMESPACE": {"description": "Kubernetes namespace", "default": "prod"}},
        "sections": sections,
        "scenarios": [
            {
                "id": "scenario-a",
                "title": "Bad deploy",
                "symptoms": ["Errors after a deploy"],
                "diagnosis": [step(90)],
                "causes": ["A bad image"],
                "resolution": [
                    {"when": "If a deploy went out", "steps": [step(91, "action")]},
                    {"when": "Otherwise", "steps": [step(92, "action"), step(93, "destructive")]},
                ],
            }
        ],
    }


def write_tree(root: Path, n: int) -> None:
    org = root / "acme"
    org.mkdir(parents=True)
    (org / "_defaults.yaml").write_text(
        yaml.safe_dump(
            {
                "title": "Acme",
                "escalation": [{"level": "L1", "who": "On-call", "after": "0 min"}],
                "contacts": [{"role": "DBA", "slack": "#dba"}],
            }
        )
    )
    for i in range(n):
        (org / f"rb-{i:05d}.yaml").write_text(yaml.safe_dump(runbook_yaml(i), sort_keys=False))


def build_ours(root: Path, site: Path, *, dirty: bool = False, command: str = "build") -> float:
    from mkdocs.commands.build import build

    from generator.site.build import BuildOptions, load_site_config

    options = BuildOptions(
        config_file=str(REPO / "mkdocs.yml"), root=str(root), site_dir=str(site), today="2026-11-20"
    )
    config = load_site_config(options)
    start = time.perf_counter()
    config.plugins.on_startup(command=command, dirty=dirty)
    build(config, dirty=dirty)
    return time.perf_counter() - start


def build_fresh(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (the process and its workers) of a build in a process of its
    own, as a person or CI runs it. In this process MkDocs would keep our plugin, and so
    its parsed runbooks, from one build to the next: every build after the first would
    skip loading."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=REPO,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:2])} failed:\n{done.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def build_ours_fresh(root: Path, site: Path) -> tuple[float, float]:
    return build_fresh(
        ["generator", "build", "--config", str(REPO / "mkdocs.yml"), "--root", str(root),
         "--site-dir", str(site), "--today", "2026-11-20"]
    )  # fmt: skip


def build_baseline(root: Path, work: Path) -> tuple[float, float]:
    """Plain Material over the page Markdown of ``root`` written into ``work/docs``
    (not timed: a hand-written site has no runbooks to load), built in a process of its
    own as ours is."""
    from generator.load.tree import load_tree, severity_scheme
    from generator.render.page import PageContext, render_runbook

    docs = work / "docs"
    (docs / "runbooks").mkdir(parents=True)
    (docs / "index.md").write_text("# Runbooks\n")
    loaded = load_tree(root=root)
    for rb in loaded.runbooks:
        ctx = PageContext(severity_scheme=severity_scheme(rb), today=None)
        (docs / "runbooks" / f"{rb.id}.md").write_text(render_runbook(rb, ctx))
    (work / "mkdocs.yml").write_text(
        """site_name: Baseline
theme: {name: material, font: false}
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc: {permalink: true}
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tabbed: {alternate_style: true}
  - pymdownx.tasklist: {custom_checkbox: true}
"""
    )
    return build_fresh(
        ["mkdocs", "build", "--quiet", "-f", str(work / "mkdocs.yml"), "-d", str(work / "site")]
    )


def wait_for_search_index(site: Path) -> float:
    """Seconds until serve's background search index of the first build is done: a person
    edits after that, and the indexer would otherwise compete with the rebuild measured."""
    status = site / "search-status.json"
    start = time.perf_counter()
    while '"indexing": true' in (status.read_text() if status.is_file() else ""):
        time.sleep(0.1)
    return time.perf_counter() - start


def largest(site: Path, pattern: str) -> tuple[int, str]:
    sizes = [(p.stat().st_size, str(p.relative_to(site))) for p in site.glob(pattern)]
    return max(sizes) if sizes else (0, "")


def main(argv: list[str]) -> int:
    synthetic = "--synthetic" in argv
    rounds = 1
    if "--rounds" in argv:
        at = argv.index("--rounds")
        rounds = int(argv[at + 1])
        del argv[at : at + 2]
    numbers = [a for a in argv if not a.startswith("--")]
    n = int(numbers[0]) if numbers else 1000
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        work = Path(tmp)
        root = work / "runbooks"
        t0 = time.perf_counter()
        if synthetic:
            write_tree(root, n)
            edited_id = "rb-00007"
        else:
            edited_id = copy_seeds(n, root)[min(7, n - 1)]
        shape = "synthetic" if synthetic else "copies of the seeds"
        print(f"{n} runbooks ({shape}) written in {time.perf_counter() - t0:.1f} s", flush=True)

        ratios: list[tuple[float, float]] = []
        for round_ in range(rounds):
            if round_:  # the last round's sites stay for (c)
                shutil.rmtree(work / "site-ours")
                shutil.rmtree(work / "baseline")
            ours, ours_cpu = build_ours_fresh(root, work / "site-ours")
            print(f"(a) ours:     {ours:7.2f} s wall, {ours_cpu:7.2f} s CPU", flush=True)
            base, base_cpu = build_baseline(root, work / "baseline")
            print(f"(b) baseline: {base:7.2f} s wall, {base_cpu:7.2f} s CPU", flush=True)
            ratios.append((base / ours, base_cpu / ours_cpu))
            print(f"    ratio baseline/ours: {ratios[-1][0]:.2f}x wall, {ratios[-1][1]:.2f}x CPU")
        if rounds > 1:
            walls = [wall for wall, _ in ratios]
            print(
                f"    median of {rounds} rounds: {statistics.median(walls):.2f}x wall "
                f"({', '.join(f'{w:.2f}' for w in walls)}), "
                f"{statistics.median(cpu for _, cpu in ratios):.2f}x CPU"
            )

        site = work / "site-ours"
        rb_size, rb_page = largest(site, "runbooks/*/index.html")
        listing = [
            largest(site, g)
            for g in ("index.html", "orgs/**/index.html", "alerts/index.html", "tags/index.html")
        ]
        ls_size, ls_page = max(listing)
        base_size, base_page = largest(work / "baseline" / "site", "runbooks/*/index.html")
        print(f"(c) largest runbook page: {rb_size / 1024:.1f} KB ({rb_page}; target < 100 KB)")
        print(f"    largest listing page: {ls_size / 1024:.1f} KB ({ls_page}; target < 1 MB)")
        print(f"    baseline largest runbook page: {base_size / 1024:.1f} KB ({base_page})")

        serve_site = work / "site-serve"
        first = build_ours(root, serve_site, dirty=True, command="serve")
        indexed = wait_for_search_index(serve_site)
        target = next(root.rglob(f"{edited_id}.yaml"), None) or next(
            p for p in root.rglob("*.yaml") if f"id: {edited_id}" in p.read_text()
        )
        before = target.read_text()
        after = re.sub(r"^(\s+title: *)", r"\1EDITED ", before, count=1, flags=re.M)
        assert after != before
        target.write_text(after)
        again = build_ours(root, serve_site, dirty=True, command="serve")
        page = (serve_site / "runbooks" / edited_id / "index.html").read_text()
        assert "EDITED" in page, "the edited runbook was not rebuilt"
        print(
            f"(d) serve first build {first:.2f} s (search index {indexed:.1f} s later); "
            f"rebuild after editing one runbook: {again:.2f} s"
        )
        # The rebuild's background index, before its folder goes: left running, it would
        # load the machine for whatever is measured next.
        wait_for_search_index(serve_site)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
