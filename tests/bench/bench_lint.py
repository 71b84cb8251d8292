"""`runbook lint` on 1,000 seed-shaped runbooks (target: under 2 s on 2 cores).

Run: python tests/bench/bench_lint.py
Times the real CLI in a fresh process, from the folder holding the runbooks: cold (no
cache: every file parsed and linted in worker processes, every bash block through
`bash -n`), filling the cache (the same, plus the parse, lint and `bash -n` caches
written), then warm (nothing changed: each file is read and hashed, nothing parsed),
then after editing one runbook (that one parsed and linted in this process). Each five
times: prints the median and the range of the wall times, and the problems found (the
copies lint clean but for the warnings of the seeds they copy).
"""

from __future__ import annotations

import compileall
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_loading import make_tree

RUNS = 5
ROWS = ("cold, no cache", "filling cache", "warm cache", "one file edited")


def lint(root: Path, *extra: str, env: dict[str, str]) -> tuple[float, str]:
    # From the folder that holds the runbooks, as a user runs it at a repository's top.
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "lint", "--root", root.name, *extra],
        cwd=root.parent,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        sys.exit(f"lint failed ({proc.returncode}):\n{proc.stderr}")
    return wall, proc.stderr.strip().splitlines()[-1]


def main() -> None:
    # Byte-compiled first, as an installed package is: with PYTHONDONTWRITEBYTECODE set and
    # stale byte code, every run would also compile the modules it imports (+0.15 s).
    repo = Path(__file__).resolve().parents[2]
    compileall.compile_dir(repo / "generator", quiet=1)
    compileall.compile_dir(repo / "checks", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runbooks"
        size = make_tree(root)
        blocks = sum(
            len(re.findall(r"^\s+run:", p.read_text(), re.M)) for p in root.rglob("*.yaml")
        )
        print(f"1000 runbooks, {size / 1024 / 1024:.1f} MiB, {blocks} steps with a command")
        env = {**os.environ, "RUNBOOK_TODAY": "2026-11-26", "PYTHONDONTWRITEBYTECODE": "1"}
        edited = next(root.rglob("rb7.yaml"))
        original = edited.read_text()
        runs: dict[str, list[float]] = {name: [] for name in ROWS}
        summary = ""
        for run in range(RUNS):  # the machine is noisy: the median of several runs
            wall, summary = lint(root, "--no-cache", env=env)
            runs["cold, no cache"].append(wall)
            # A new cache folder each time, removed at the end: a first run does not
            # follow the removal of a thousand files (ext4 then takes longer to make one).
            cached = {**env, "RUNBOOK_CACHE_DIR": str(Path(tmp) / f"cache-{run}")}
            runs["filling cache"].append(lint(root, env=cached)[0])
            runs["warm cache"].append(lint(root, env=cached)[0])
            edited.write_text(original + f"# edited {len(runs['warm cache'])}\n")
            runs["one file edited"].append(lint(root, env=cached)[0])
        print(f"median of {RUNS} runs (min-max); every run: {summary}")
        for name, walls in runs.items():
            spread = f"({min(walls):.2f}-{max(walls):.2f})"
            print(f"{name:<16} {statistics.median(walls):6.2f} s   {spread}")


if __name__ == "__main__":
    main()
