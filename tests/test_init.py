"""``runbook init`` in a fresh folder: a repository where lint, check and build work at once,
with a minimal mkdocs.yml whose pages render fully because the plugin brings what they need."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.cli import main
from generator.schema import build_schema, dump_schema

CREATED = [
    "mkdocs.yml",
    "docs/.gitkeep",
    "runbooks/_defaults.yaml",
    "runbooks/example-service-down.yaml",
    "runbooks/runbook.schema.json",
    "runbooks/defaults.schema.json",
    ".gitignore",
    ".github/workflows/runbooks.yml",
]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TODAY", "2026-12-07")
    monkeypatch.setenv("RUNBOOK_CACHE_DIR", str(tmp_path / ".runbook-cache"))
    monkeypatch.delenv("SERVICE_URL", raising=False)
    monkeypatch.delenv("RUNBOOK_ROOT", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_then_lint_check_and_build_work_as_they_are(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "init", "--title", "Payments runbooks")
    assert (code, out.splitlines()) == (0, CREATED)
    assert err.splitlines()[0] == "created 8 files"
    assert run(capsys, "lint", "--strict") == (0, "", "lint: 1 file, no problems\n")

    report = fresh / "report.json"
    code, _, err = run(capsys, "check", "--json", str(report))
    assert code == 0, err
    results = {
        r["id"]: (r["status"], r["reason"]) for r in json.loads(report.read_text())["results"]
    }
    assert results["example-service-down--disk-space"][0] == "passed"
    assert results["example-service-down--health"][0] == "skipped"
    assert "SERVICE_URL" in results["example-service-down--health"][1]

    code, _, err = run(capsys, "build", "--strict")
    assert code == 0, err
    page = (fresh / "site/runbooks/example-service-down/index.html").read_text()
    # The minimal mkdocs.yml names no extension: the plugin enabled what the page needs.
    assert "markdown_extensions" not in (fresh / "mkdocs.yml").read_text()
    assert not re.search(r"\{#|\{: |!!! ", page)
    assert 'class="admonition warning"' in page
    assert 'id="example-service-down--disk-space"' in page
    assert (fresh / "site/assets/stylesheets/runbook.css").is_file()
    assert (fresh / "site/assets/vendor/LICENSE.mermaid").is_file()
    assert "assets/javascripts/runbook.js" in page
    assert "Payments runbooks" in (fresh / "site/index.html").read_text()


def test_the_schema_sits_where_the_scaffold_comment_points_and_validates_it(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    example = fresh / "runbooks/example-service-down.yaml"
    first = example.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=runbook.schema.json"
    schema_path = example.parent / "runbook.schema.json"
    assert schema_path.read_text() == dump_schema(build_schema())
    # Editors read YAML 1.2, where a date is a string: as JSON, as they see it.
    as_seen = json.loads(json.dumps(yaml.safe_load(example.read_text()), default=str))
    jsonschema.validate(as_seen, json.loads(schema_path.read_text()))
    workflow = yaml.safe_load((fresh / ".github/workflows/runbooks.yml").read_text())
    commands = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "runbook check --junit runbook-checks.xml" in commands
    assert (fresh / ".gitignore").read_text() == "/site/\n.runbook-cache/\n"


def test_init_never_overwrites_and_says_what_to_add(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = "site_name: Our docs\ntheme:\n  name: material\nplugins:\n  - search\n"
    (fresh / "mkdocs.yml").write_text(own)
    (fresh / ".gitignore").write_text("*.pyc\n")
    code, out, err = run(capsys, "init")
    assert code == 0
    assert "mkdocs.yml" not in out.splitlines()
    assert (fresh / "mkdocs.yml").read_text() == own
    assert (fresh / ".gitignore").read_text() == "*.pyc\n"
    assert "kept mkdocs.yml (it exists)" in err
    assert "add the plugin to mkdocs.yml, under plugins:\n  - runbook" in err
    assert "add to .gitignore: /site/ .runbook-cache/" in err

    before = {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    code, out, err = run(capsys, "init")
    assert (code, out) == (2, "")
    assert "nothing to do: every file runbook init writes exists" in err
    assert {p: p.read_bytes() for p in fresh.rglob("*") if p.is_file()} == before


def test_an_explicit_nav_keeps_its_pages_and_gets_the_runbooks_added(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    (fresh / "docs/about.md").write_text("# About\n\nHow we run incidents.\n")
    with (fresh / "mkdocs.yml").open("a") as handle:
        handle.write(
            "nav:\n  - About: about.md\n  - Service down: runbooks/example-service-down.md\n"
        )
    code, _, err = run(capsys, "build", "--strict")
    assert code == 0, err
    home = (fresh / "site/about/index.html").read_text()
    nav_links = re.findall(r'<a href="([^"]+)" class="md-nav__link', home)
    # The user's entries first, as written; the generated navigation after (home,
    # organisation, alerts, tags, help), without the runbook page the user's nav already lists.
    assert nav_links == [
        "./",
        "../runbooks/example-service-down/",
        "..",
        "../orgs/root/",
        "../alerts/",
        "../tags/",
        "../help/",
    ]


def test_a_file_in_docs_overrides_the_plugins_own_asset(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    (fresh / "docs/assets/stylesheets").mkdir(parents=True)
    (fresh / "docs/assets/stylesheets/runbook.css").write_text("/* ours */\n")
    assert run(capsys, "build")[0] == 0
    assert (fresh / "site/assets/stylesheets/runbook.css").read_text() == "/* ours */\n"
