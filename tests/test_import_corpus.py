"""`runbook import` over our own corpus of Markdown runbooks (tests/fixtures/import/):
golden outputs, nothing lost, every output valid, lint-clean, buildable and checkable.

The goldens in tests/golden/import/ are regenerated on purpose, never silently:
``RUNBOOK_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_import_corpus.py`` and
review the diff like code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.helpers import REPO, Cli, assert_golden, mkdocs_yml
from tests.import_measure import output_measures, source_measures

CORPUS = REPO / "tests" / "fixtures" / "import"
GOLDEN = REPO / "tests" / "golden" / "import"
SOURCES = sorted(
    p
    for p in CORPUS.rglob("*")
    if p.is_file() and p.name.lower().endswith((".md", ".markdown", ".md.erb"))
)
# A page `runbook render` wrote reads back as steps: its variables block and its generated
# step headings are not prose (tested by the round trip in test_import_cli.py).
MEASURED = [p for p in SOURCES if "rendered" not in p.parts]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole corpus imported once, run from the repository root (stable paths)."""
    out = tmp_path_factory.mktemp("imported")
    shutil.copy(REPO / "runbooks" / "runbook.schema.json", out / "runbook.schema.json")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        from generator.cli import main

        code = main(["import", "tests/fixtures/import", "--out-dir", str(out / "runbooks")])
    finally:
        os.chdir(cwd)
    assert code == 0
    return out / "runbooks"


def _output_for(source: Path, root: Path) -> Path:
    relative = source.relative_to(CORPUS).as_posix()
    for suffix in (".md.erb", ".markdown", ".md"):
        if relative.lower().endswith(suffix):
            relative = relative[: -len(suffix)]
            break
    candidate = root / f"{relative}.yaml"
    if not candidate.exists():  # a clash of output names is numbered
        candidate = root / f"{relative}-2.yaml"
    return candidate


def test_the_corpus_has_at_least_thirty_files() -> None:
    assert len(SOURCES) >= 30


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_output_matches_its_golden(source: Path, imported: Path) -> None:
    output = _output_for(source, imported)
    text = output.read_text(encoding="utf-8")
    assert_golden(GOLDEN / output.relative_to(imported), text)


@pytest.mark.parametrize("source", MEASURED, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_every_code_block_lands_in_exactly_one_place(source: Path, imported: Path) -> None:
    blocks, _ = source_measures(source.read_bytes())
    out_blocks, _ = output_measures(_output_for(source, imported).read_text(encoding="utf-8"))
    assert out_blocks == blocks


@pytest.mark.parametrize("source", MEASURED, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_prose_words_are_kept_within_two_percent(source: Path, imported: Path) -> None:
    _, words = source_measures(source.read_bytes())
    _, out_words = output_measures(_output_for(source, imported).read_text(encoding="utf-8"))
    assert abs(out_words - words) <= max(1, 0.02 * words), (words, out_words)


def test_prose_words_over_the_folder_within_one_percent(imported: Path) -> None:
    total = sum(source_measures(p.read_bytes())[1] for p in MEASURED)
    out = sum(
        output_measures(_output_for(p, imported).read_text(encoding="utf-8"))[1] for p in MEASURED
    )
    assert abs(out - total) <= 0.01 * total


def test_every_output_validates_against_the_json_schema(imported: Path) -> None:
    schema = json.loads((REPO / "runbooks" / "runbook.schema.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    for output in sorted(imported.rglob("*.yaml")):
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(output.read_text()))]
        assert errors == [], output


def test_every_output_loads_back_to_the_same_strings_with_the_c_loader(imported: Path) -> None:
    for output in sorted(imported.rglob("*.yaml")):
        text = output.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text)


def test_lint_reports_no_errors(imported: Path, cli: Cli) -> None:
    code, out, err = cli("lint", str(imported))
    assert code == 0, out + err
    assert ": error:" not in out + err


def test_check_skips_every_imported_check_for_a_precise_reason(
    imported: Path, tmp_path: Path, cli: Cli
) -> None:
    # A page `runbook render` wrote keeps its own blocks' options (the round trip), so the
    # demo's real checks would run: the imported public-style runbooks are what is checked.
    folder = tmp_path / "runbooks"
    shutil.copytree(imported, folder, ignore=shutil.ignore_patterns("rendered"))
    report = tmp_path / "check.json"
    code, out, err = cli("check", str(folder), "--json", str(report))
    assert code in (0, 4), out + err
    results = json.loads(report.read_text())["results"]
    assert results, "the corpus has check steps"
    statuses = Counter(r["status"] for r in results)
    assert set(statuses) == {"skipped"}, statuses
    assert all(r["reason"] for r in results)


def test_the_imported_folder_builds_into_a_site(imported: Path, tmp_path: Path) -> None:
    config = mkdocs_yml(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--root", str(imported), "--config",
         str(config), "--site-dir", str(tmp_path / "site"), "--jobs", "1"],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    warnings = [line for line in proc.stderr.splitlines() if ": warning:" in line]
    # The only warnings: links to files outside the import, each one in the import report.
    assert warnings
    assert all("contains a link" in line for line in warnings), warnings
    report = _import_report()
    reported = {
        w["message"].split("'")[1]
        for f in report["files"]
        for w in f["warnings"]
        if w["code"] == "link-outside"
    }
    for line in warnings:
        assert line.split("contains a link '")[1].split("'")[0] in reported, line


def _import_report() -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "import", "tests/fixtures/import", "--dry-run",
         "--format", "json"],
        capture_output=True, text=True, cwd=REPO, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def test_importing_twice_gives_byte_identical_output(imported: Path, tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        from generator.cli import main

        shutil.copy(REPO / "runbooks" / "runbook.schema.json", tmp_path / "runbook.schema.json")
        assert (
            main(["import", "tests/fixtures/import", "--out-dir", str(tmp_path / "runbooks")]) == 0
        )
        # A second run over the same outputs needs no --force: nothing would change.
        assert (
            main(["import", "tests/fixtures/import", "--out-dir", str(tmp_path / "runbooks")]) == 0
        )
    finally:
        os.chdir(cwd)
    first = {p.relative_to(imported): p.read_bytes() for p in imported.rglob("*.yaml")}
    second = {
        p.relative_to(tmp_path / "runbooks"): p.read_bytes()
        for p in (tmp_path / "runbooks").rglob("*.yaml")
    }
    assert first == second
