"""A Markdown page's blocks are kept between runs (``.runbook-cache``): a warm run gives
what a cold one gives, skips the Markdown parser, and never serves a page or code that
changed since."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from checks.extract import extract_markdown
from tests.helpers import REPO, Cli, page, run_fresh

pytestmark = pytest.mark.work(env={"RUNBOOK_CACHE_DIR": "{work}/cache"})

PAGE = """# Cached

## Look {#look}

```bash {#pc--first .check}
echo "first ran"
```

```bash {#pc--second .action}
echo second
```
"""


def _parser_imported(work: Path, *args: str, code: Path = REPO) -> tuple[bool, str]:
    """Run ``runbook ARGS`` in ``work`` in a fresh interpreter (our packages from ``code``):
    whether it imported markdown-it-py, and what it printed (the exit code, the output)."""
    script = (
        "import contextlib, io, os, sys\n"
        f"sys.path.insert(0, {str(code)!r})\n"
        f"os.chdir({str(work)!r})\n"
        "from generator.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        f"    code = main({list(args)!r})\n"
        "print('markdown_it' in sys.modules, code)\n"
        "print(out.getvalue(), end='')\n"
    )
    first, _, printed = run_fresh(script).partition("\n")
    imported, exit_code = first.split()
    return imported == "True", f"exit {exit_code}\n{printed}"


def test_a_warm_run_gives_what_a_cold_one_gives_without_the_parser(work: Path) -> None:
    page(work, PAGE)
    cold_imported, cold = _parser_imported(work, "exec", "page.md", "--dry-run", "--walk")
    warm_imported, warm = _parser_imported(work, "exec", "page.md", "--dry-run", "--walk")
    assert cold_imported and not warm_imported
    assert warm == cold
    assert "pc--first" in warm and "pc--second" in warm


def test_a_warm_run_reports_what_a_cold_one_reports(work: Path, cli: Cli) -> None:
    page(work, PAGE)
    cold = cli.process("exec", "page.md", "--section", "look", "--allow", "action")
    warm = cli.process("exec", "page.md", "--section", "look", "--allow", "action")
    assert cold.returncode == warm.returncode == 0
    assert warm.stdout == cold.stdout == "first ran\nsecond\n"
    assert _untimed(warm.stderr) == _untimed(cold.stderr)


def _untimed(text: str) -> str:
    return re.sub(r"\d+\.\d+s\b", "N.NNs", text)


def test_an_edited_page_is_read_again(work: Path, cli: Cli) -> None:
    path = page(work, PAGE)
    assert cli.process("exec", "page.md").stdout == "first ran\n"
    path.write_text(PAGE.replace("first ran", "first new"))  # same size
    assert cli.process("exec", "page.md").stdout == "first new\n"
    path.write_text(PAGE.replace("pc--first", "pc--renamed"))
    ran = cli.process("exec", "page.md")
    assert "pc--renamed" in ran.stderr and "pc--first" not in ran.stderr


def test_a_page_named_by_another_path_has_its_own_locations(work: Path, cli: Cli) -> None:
    (work / "docs").mkdir()
    page(work / "docs", PAGE)
    assert "(docs/page.md:5:1)" in cli.process("exec", "docs/page.md").stderr
    assert "(docs/../docs/page.md:5:1)" in cli.process("exec", "docs/../docs/page.md").stderr


def test_changed_code_does_not_serve_what_the_old_code_extracted(work: Path) -> None:
    code = work / "code"
    for name in ("generator", "checks"):
        shutil.copytree(REPO / name, code / name, ignore=shutil.ignore_patterns("__pycache__"))
    page(work, PAGE)
    args = ("exec", "page.md", "--dry-run", "--walk")
    _, before = _parser_imported(work, *args, code=code)
    with (code / "checks" / "extract.py").open("a") as extract:
        extract.write(
            "\n\n_unedited = extract_markdown\n\n\n"
            "def extract_markdown(text, path):\n"
            "    found = _unedited(text, path)\n"
            "    edited = tuple(replace(c, id=c.id + '-edited') for c in found.checks)\n"
            "    return replace(found, checks=edited)\n"
        )
    imported, after = _parser_imported(work, *args, code=code)
    assert imported
    assert "pc--first-edited" in after and "pc--first-edited" not in before


def test_a_cache_that_cannot_be_written_only_costs_speed(work: Path, cli: Cli) -> None:
    page(work, PAGE)
    (work / "cache").write_text("not a folder")
    for _ in range(2):
        ran = cli.process("exec", "page.md")
        assert ran.returncode == 0 and ran.stdout == "first ran\n"


def test_a_damaged_entry_is_read_as_no_entry(work: Path, cli: Cli) -> None:
    page(work, PAGE)
    assert cli.process("exec", "page.md").stdout == "first ran\n"
    for entry in (work / "cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert cli.process("exec", "page.md").stdout == "first ran\n"


def test_an_entry_others_may_write_is_not_read(work: Path, cli: Cli) -> None:
    page(work, PAGE)
    cli.process("exec", "page.md")
    (entry,) = (work / "cache").rglob("*.pickle")
    forged = extract_markdown(PAGE.replace("first ran", "forged"), "page.md")
    entry.write_bytes(pickle.dumps((entry.stem, forged)))  # as if written by this user
    assert cli.process("exec", "page.md").stdout == "forged\n"
    entry.chmod(0o666)  # as anyone could have written it
    assert cli.process("exec", "page.md").stdout == "first ran\n"


def test_an_entry_moved_over_another_pages_is_not_that_page(work: Path, cli: Cli) -> None:
    page(work, PAGE)
    cli.process("exec", "page.md")
    (entry,) = (work / "cache").rglob("*.pickle")
    (work / "other.md").write_text(PAGE.replace("first ran", "other ran"))
    cli.process("exec", "other.md")
    (other,) = set((work / "cache").rglob("*.pickle")) - {entry}
    other.replace(entry)
    assert cli.process("exec", "page.md").stdout == "first ran\n"
