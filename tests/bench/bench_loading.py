"""Loader benchmark: 1,000 runbooks made from the seed runbooks under runbooks/.

Run: python tests/bench/bench_loading.py
Prints wall and this-process CPU time: cold in one process, cold with worker processes
(the default from 200 files on), filling the parse cache, and with a warm cache.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from generator.load.tree import load_tree  # noqa: E402


def make_tree(out: Path, count: int = 1000) -> int:
    """Copies of the seed runbooks (unique ids) in their org folders; returns bytes written."""
    sources = sorted(
        p for p in (REPO / "runbooks").rglob("*.yaml") if not p.name.startswith("_defaults")
    )
    total = 0
    for i in range(count):
        src = sources[i % len(sources)]
        folder = out / src.parent.relative_to(REPO / "runbooks") / f"g{i // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        text = re.sub(r"^id: (\S+)", rf"id: \g<1>-{i}", src.read_text(), count=1, flags=re.M)
        (folder / f"rb{i}.yaml").write_text(text)
        total += len(text)
    for defaults in (REPO / "runbooks").rglob("_defaults.yaml"):
        target = out / defaults.relative_to(REPO / "runbooks")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(defaults, target)
    return total


def measure(label: str, root: Path, cache: Path | None, jobs: int | None = None) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    result = load_tree(root, cache_dir=cache, jobs=jobs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    steps = sum(len(rb.all_steps()) for rb in result.runbooks)
    print(
        f"{label:<13} {len(result.runbooks)} runbooks, {steps} steps, "
        f"{len(result.problems)} problems: wall {wall:.2f} s, cpu (this process) {cpu:.2f} s"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runbooks"
        size = make_tree(root)
        print(f"1000 runbooks, {size / 1000 / 1024:.1f} KiB each on average")
        measure("cold jobs=1", root, None, jobs=1)
        measure("cold", root, None)
        cache = Path(tmp) / ".runbook-cache"
        measure("fill cache", root, cache)
        measure("warm cache", root, cache)
        os.sync()


if __name__ == "__main__":
    main()
