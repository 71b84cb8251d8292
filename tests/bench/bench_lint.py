"""`runbook lint` on 1,000 seed-shaped runbooks (target: under 2 s on 2 cores).

Run: python tests/bench/bench_lint.py
Times the real CLI in a fresh process: cold (no cache: every file parsed and linted in
worker processes, every bash block through `bash -n`), filling the cache (the same, plus
the parse, lint and `bash -n` caches written), then warm (nothing changed: each file is
read and hashed, nothing parsed), then after editing one runbook (that one parsed and
linted in this process). Prints wall time and the problems found (the copies lint clean
but for the warnings of the seeds they copy).
"""

from __future__ import annotations

import compileall
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_loading import make_tree


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
        wall, summary = lint(root, "--no-cache", env=env)
        print(f"cold, no cache   {wall:6.2f} s   {summary}")
        env["RUNBOOK_CACHE_DIR"] = str(Path(tmp) / "cache")
        wall, summary = lint(root, env=env)
        print(f"filling cache    {wall:6.2f} s   {summary}")
        wall, summary = lint(root, env=env)
        print(f"warm cache       {wall:6.2f} s   {summary}")
        edited = next(root.rglob("rb7.yaml"))
        edited.write_text(edited.read_text() + "# edited\n")
        wall, summary = lint(root, env=env)
        print(f"one file edited  {wall:6.2f} s   {summary}")


if __name__ == "__main__":
    main()
