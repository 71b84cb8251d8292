"""``pytest --runbooks PATH``: one item per check, -k / -x / -n work, skips keep reasons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PAGE = """# P

```bash {#p--ok .check}
echo ok
```

```bash {#p--bad .check}
echo broken; exit 2
```

```bash {#p--needs .check requires=no-such-tool-xyz}
no-such-tool-xyz
```

```bash {#p--act .action}
echo never
```

```bash {#p--ok2 .check}
echo ok2
```
"""


def pytest_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "page.md").write_text(PAGE)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--runbooks",
            "page.md",
            "-rfs",
            "-q",
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_one_item_per_check_with_location_and_skip_reason(tmp_path: Path) -> None:
    proc = pytest_run(tmp_path)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 2 passed, 1 skipped" in proc.stdout
    assert "FAILED page.md::p--bad" in proc.stdout
    assert "page.md:7:1: failed: p--bad\n    exit code 2, expected 0" in proc.stdout
    assert "SKIPPED [1] page.md: requires no-such-tool-xyz: not found on PATH" in proc.stdout
    assert "p--act" not in proc.stdout  # actions are never collected


def test_k_selects_and_x_stops(tmp_path: Path) -> None:
    proc = pytest_run(tmp_path, "-k", "ok2", "-rA")
    assert proc.returncode == 0, proc.stdout
    assert "PASSED page.md::p--ok2" in proc.stdout
    assert "1 passed, 3 deselected" in proc.stdout
    proc = pytest_run(tmp_path, "-x")
    assert "1 failed, 1 passed" in proc.stdout


def test_xdist_runs_the_items(tmp_path: Path) -> None:
    proc = pytest_run(tmp_path, "-n", "2")
    assert "1 failed, 2 passed, 1 skipped" in proc.stdout, proc.stdout
