"""``pytest --runbooks PATH``: one item per check, -k / -x / -n work, skips keep reasons."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

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


def test_runbooks_are_collected_where_pyproject_sets_testpaths(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_unit.py").write_text("def test_unit():\n    pass\n")
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "page.md").write_text(PAGE)

    def collect(*args: str) -> list[str]:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "--collect-only",
                "-q",
                *args,
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return [line for line in proc.stdout.splitlines() if "::" in line]

    runbook_items = [f"runbooks/page.md::p--{n}" for n in ("ok", "bad", "needs", "ok2")]
    # testpaths would point pytest at tests/ only: --runbooks decides what is collected.
    assert collect("--runbooks", "runbooks") == runbook_items
    # Test paths given on the command line are kept, and the runbooks added.
    assert collect("tests", "--runbooks", "runbooks") == [
        "tests/test_unit.py::test_unit",
        *runbook_items,
    ]
    assert collect() == ["tests/test_unit.py::test_unit"]


def test_the_plugin_runs_without_the_command_line_interface(tmp_path: Path) -> None:
    # The plugin is a front door of its own: it plans through generator.plan, as
    # `runbook check` does, and never loads the CLI's modules.
    (tmp_path / "conftest.py").write_text(
        "import sys\n\n\n"
        "def pytest_sessionfinish(session):\n"
        "    cli = sorted(m for m in sys.modules if m.startswith('generator.cli'))\n"
        "    print(f'\\ncli modules: {cli}')\n"
    )
    proc = pytest_run(tmp_path, "-s")
    assert "1 failed, 2 passed, 1 skipped" in proc.stdout
    assert "cli modules: []" in proc.stdout.splitlines()


def test_the_readme_example_run_is_what_pytest_prints() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Checks as pytest tests\n") :]
    shown = section[section.index("```console\n") + 11 : section.index("\n```\n")].splitlines()
    command = shown[0].removeprefix("$ ").split()
    assert command[:3] == ["python", "-m", "pytest"]
    proc = subprocess.run(
        [sys.executable, *command[1:], "-p", "no:cacheprovider"],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "DEMO_TOKEN"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout
    results = [line.split(" [")[0].rstrip() for line in shown if "::" in line]
    assert len(results) == 7
    got = [line.split(" [")[0].rstrip() for line in proc.stdout.splitlines() if "::" in line]
    assert got == results
    summary = shown[-1].strip("= ").split(" in ")[0]  # the time and its padding vary
    assert f" {summary} in " in proc.stdout.splitlines()[-1]
    skip = next(line for line in shown if line.startswith("SKIPPED [1]"))
    assert skip in proc.stdout.splitlines()
