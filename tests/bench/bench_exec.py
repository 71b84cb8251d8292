"""Executor benchmarks (not collected by default).

Run:  python tests/bench/bench_exec.py

1. Overhead per block of ``checks.run.process.run_check`` against ``bash -c`` on the same 500
   trivial blocks in the same run (target: within 3 ms per block).
2. ``runbook exec --jobs 4`` against ``--jobs 1`` on 40 blocks sleeping 0.2 s
   (target: at least 3.5x).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from checks.model import BlockOptions, Check, Risk, SourceLocation  # noqa: E402
from checks.run.process import run_check  # noqa: E402

N = 500


def bench_overhead() -> tuple[float, float]:
    env = dict(os.environ)
    checks = [
        Check(
            f"b--{i}", Risk.CHECK, "bash", f"true {i}\n", BlockOptions(), SourceLocation("b.md", i)
        )
        for i in range(N)
    ]
    started = time.perf_counter()
    for check in checks:
        subprocess.run(["bash", "-c", check.command], env=env, stdin=subprocess.DEVNULL, check=True)
    bash = (time.perf_counter() - started) / N
    started = time.perf_counter()
    for check in checks:
        assert run_check(check, env).exit_code == 0
    ours = (time.perf_counter() - started) / N
    return bash, ours


def bench_jobs() -> tuple[float, float]:
    blocks = "".join(f"\n```bash {{#j--b{i} .check}}\nsleep 0.2\n```\n" for i in range(40))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.md"
        page.write_text("# Jobs\n" + blocks)
        times = []
        for jobs in ("1", "4"):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "exec", str(page), "--jobs", jobs],
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - started)
    return times[0], times[1]


def main() -> int:
    bash, ours = bench_overhead()
    serial, parallel = bench_jobs()
    overhead_ms = (ours - bash) * 1000
    speedup = serial / parallel
    print(f"{'measure':<38} {'value':>10} {'target':>12}")
    print(f"{'bash -c per block':<38} {bash * 1000:>8.2f}ms {'':>12}")
    print(f"{'run_check per block':<38} {ours * 1000:>8.2f}ms {'':>12}")
    print(f"{'overhead per block':<38} {overhead_ms:>8.2f}ms {'<= 3 ms':>12}")
    print(f"{'40 x sleep 0.2, --jobs 1':<38} {serial:>9.2f}s {'':>12}")
    print(f"{'40 x sleep 0.2, --jobs 4':<38} {parallel:>9.2f}s {'':>12}")
    print(f"{'--jobs 4 speed-up':<38} {speedup:>9.2f}x {'>= 3.5x':>12}")
    return 0 if overhead_ms <= 3 and speedup >= 3.5 else 1


if __name__ == "__main__":
    sys.exit(main())
