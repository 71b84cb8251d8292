"""How long `runbook import` takes for 1,000 typical Markdown runbooks (target: under 30 s
on 2 cores).

Run: python tests/bench/bench_import.py [FILES]

The files are the import corpus (tests/fixtures/import/: alert runbooks, catalogues,
procedures with code in list items, transcripts, SQL, process pages) cycled to FILES
copies, each with its own words so no two files share their text (bash reads every block:
a cache would flatter a run over identical copies). Timed end to end in a fresh process,
as a user runs it: walk, parse, decide, `bash -n`, write YAML.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def make_corpus(folder: Path, count: int) -> int:
    """``count`` Markdown files in ``folder`` (in 20 sub-folders); their total size in bytes."""
    sources = sorted(
        p
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name.endswith((".md", ".markdown")) and "rendered" not in p.parts
    )
    total = 0
    for n in range(count):
        source = sources[n % len(sources)]
        text = source.read_text(encoding="utf-8")
        # Unique words per copy, in prose and in commands (so bash -n sees distinct blocks).
        text = text.replace("kubectl get", f"kubectl get --request-timeout={n + 1}s", 1)
        text += f"\n\nCopy {n} of {source.stem}, for the benchmark.\n"
        target = folder / f"team-{n % 20:02d}" / f"{source.stem}-{n}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        total += len(text.encode())
    return total


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runbook = shutil.which("runbook") or sys.exit("runbook is not on PATH (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        size = make_corpus(src, count)
        start = time.perf_counter()
        proc = subprocess.run(
            [runbook, "import", str(src), "--out-dir", str(Path(tmp) / "out"), "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:])
            return 1
        outputs = len(list((Path(tmp) / "out").rglob("*.yaml")))
    print(f"import {count} files ({size / 1e6:.1f} MB) -> {outputs} runbooks: {elapsed:.1f} s")
    print("target: under 30 s:", "met" if elapsed < 30 else "NOT met")
    return 0 if elapsed < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
