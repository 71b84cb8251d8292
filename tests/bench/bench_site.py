"""Site benchmark: our plugin build vs plain Material on the same page Markdown.

Run:  python tests/bench/bench_site.py [N]        (default N=1000; N=100 takes ~20 s)

Generates N seed-shaped runbooks (about 20 blocks each: 4 sections x 4 steps, a
scenario with diagnosis and two resolution options, a table, a checklist) in a temp
dir, then in the same run:

(a) ours: `runbook build` path (plugin, org > service nav of sections of at most 25
    runbooks with pruning, client-side highlighting, Markdown conversion and search
    indexing in one worker process per core, alert URLs as redirects outside the theme);
(b) baseline: the same page Markdown (render_runbook) as hand-written pages in docs_dir,
    default Material settings (Pygments highlighting), flat navigation;
(c) the largest runbook page and the largest listing page of (a);
(d) a serve-style rebuild (dirty, same plugin instance) after editing one runbook.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

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


def build_baseline(root: Path, work: Path) -> float:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

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
    config = load_config(str(work / "mkdocs.yml"), site_dir=str(work / "site"))
    start = time.perf_counter()
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    return time.perf_counter() - start


def largest(site: Path, pattern: str) -> tuple[int, str]:
    sizes = [(p.stat().st_size, str(p.relative_to(site))) for p in site.glob(pattern)]
    return max(sizes) if sizes else (0, "")


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 1000
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        work = Path(tmp)
        root = work / "runbooks"
        t0 = time.perf_counter()
        write_tree(root, n)
        print(f"generated {n} runbooks in {time.perf_counter() - t0:.1f} s", flush=True)

        cpu = time.process_time()
        ours = build_ours(root, work / "site-ours")
        ours_cpu, cpu = time.process_time() - cpu, time.process_time()
        print(f"(a) ours:     {ours:7.2f} s wall, {ours_cpu:7.2f} s CPU", flush=True)
        base = build_baseline(root, work / "baseline")
        base_cpu = time.process_time() - cpu
        print(f"(b) baseline: {base:7.2f} s wall, {base_cpu:7.2f} s CPU", flush=True)
        print(f"    ratio baseline/ours: {base / ours:.2f}x wall, {base_cpu / ours_cpu:.2f}x CPU")

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
        target = root / "acme" / "rb-00007.yaml"
        before = target.read_text()
        after = before.replace("Check thing 1 of rb-00007", "Check thing ONE of rb-00007", 1)
        assert after != before
        target.write_text(after)
        again = build_ours(root, serve_site, dirty=True, command="serve")
        page = (serve_site / "runbooks" / "rb-00007" / "index.html").read_text()
        assert "Check thing ONE of rb-00007" in page, "the edited runbook was not rebuilt"
        print(
            f"(d) serve first build {first:.2f} s; rebuild after editing one runbook: {again:.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
