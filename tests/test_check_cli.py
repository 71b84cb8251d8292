"""``runbook check``: what CI runs, what it skips and why, and how it exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli, page

CI_PAGE = """# C

```yaml {.runbook-variables}
MIN_MB: {description: Least free space in MB}
```

```bash {#c--prod-only .check ci=false ci-reason="needs the prod VPN"}
touch prod-ran
```

```bash {#c--space .check}
echo $((MIN_MB * 1024)) > space-ran
```

```bash {#c--fine .check}
echo fine
```
"""


def test_check_skips_ci_false_and_blocks_whose_arithmetic_variable_has_no_value(
    tmp_path: Path,
    cli: Cli,
) -> None:
    page(tmp_path, CI_PAGE)
    proc = cli.process("check", "page.md", "--json", "r.json", cwd=tmp_path, env={"MIN_MB": ""})
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in results] == [
        ("c--prod-only", "skipped", "ci: false (needs the prod VPN)"),
        (
            "c--space",
            "skipped",
            "needs MIN_MB (no value: set it in the environment)",  # check takes no --var
        ),
        ("c--fine", "passed", ""),
    ]
    assert not (tmp_path / "prod-ran").exists()
    assert not (tmp_path / "space-ran").exists()
    # With a value the arithmetic block runs; ci: false still keeps the other one out.
    proc = cli.process("check", "page.md", cwd=tmp_path, env={"MIN_MB": "3"})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "space-ran").read_text() == "3072\n"
    assert not (tmp_path / "prod-ran").exists()
    # Progress counts every block it reports on, skipped ones included.
    counted = [line.split(" ", 2)[:2] for line in proc.stderr.splitlines() if line[:1] == "["]
    assert counted == [["[1/3]", "SKIP"], ["[2/3]", "PASS"], ["[3/3]", "PASS"]]


def test_check_exits_3_on_an_invalid_page_and_runs_nothing(tmp_path: Path, cli: Cli) -> None:
    page(
        tmp_path,
        "# X\n\n```bash {#x--ok .check}\ntouch ran\n```\n\n"
        "```bash {#x--bad .check timeout=soon}\ntrue\n```\n",
    )
    proc = cli.process("check", "page.md", cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        "page.md:7:25: error: timeout: 'soon' is not a duration (expected e.g. 30s, 5m, 2h, 90d)"
    ]
    assert not (tmp_path / "ran").exists()


@pytest.mark.work(runbooks=True, env={"RUNBOOK_CACHE_DIR": "{work}/cache"})
def test_check_parses_each_runbook_once_for_lint_and_run(
    work: Path, cli: Cli, parsed_files: list[str]
) -> None:
    for name in "ab":
        (work / "runbooks" / f"{name}.yaml").write_text(
            f"id: {name}\ntitle: {name}\nsections:\n  - id: s\n    title: S\n"
            f"    steps:\n      - {{id: ok, run: echo {name}}}\n"
        )
    code, out, _ = cli("check")
    assert code == 0
    assert sorted(parsed_files) == ["a.yaml", "b.yaml"]
    assert out == "a\nb\n"


def test_check_of_an_empty_root_says_where_it_looked(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "runbooks").mkdir()
    proc = cli.process("check", cwd=tmp_path)
    assert proc.returncode == 4
    assert proc.stderr.splitlines()[-2:] == [
        "error: nothing ran: every check was skipped or none was found",
        "note: no runbook under runbooks",
    ]
