"""How long `runbook --help` and `runbook --version` take (target: under 150 ms).

Run: python tests/bench/bench_cli.py [RUNS]
Compares against a bare `python -c pass` so the interpreter's own start-up is visible.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def time_command(argv: list[str], runs: int) -> float:
    """Median wall time in milliseconds of `argv` over `runs` runs (after one warm-up)."""
    subprocess.run(argv, capture_output=True, check=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    runbook = shutil.which("runbook") or sys.exit("runbook is not on PATH (pip install -e .)")
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("runbook --version", [runbook, "--version"]),
        ("runbook --help", [runbook, "--help"]),
        ("runbook exec --help", [runbook, "exec", "--help"]),
    ]
    print(f"{'command':<24} {'median ms':>10}  (runs={runs})")
    worst = 0.0
    for name, argv in rows:
        try:
            ms = time_command(argv, runs)
        except subprocess.CalledProcessError as exc:
            print(f"{name:<24} failed with exit {exc.returncode}")
            continue
        print(f"{name:<24} {ms:>10.1f}")
        if name.startswith("runbook"):
            worst = max(worst, ms)
    print(f"target < 150 ms: {'met' if worst < 150 else 'NOT met'} (worst {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
