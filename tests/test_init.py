"""``runbook init`` in a fresh folder: a repository where lint, check and build work at once,
with a minimal mkdocs.yml whose pages render fully because the plugin brings what they need."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator.schema import build_schema, dump_schema
from tests.helpers import Cli

pytestmark = pytest.mark.work(
    env={"RUNBOOK_TODAY": "2026-12-07", "RUNBOOK_CACHE_DIR": "{work}/.runbook-cache"},
    unset=["SERVICE_URL", "RUNBOOK_ROOT"],
)

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


def test_init_then_lint_check_and_build_work_as_they_are(work: Path, cli: Cli) -> None:
    code, out, err = cli("init", "--title", "Payments runbooks")
    assert (code, out.splitlines()) == (0, CREATED)
    assert err.splitlines()[0] == "created 8 files"
    assert cli("lint", "--strict") == (0, "", "lint: 1 file, no problems\n")

    report = work / "report.json"
    code, _, err = cli("check", "--json", str(report))
    assert code == 0, err
    results = {
        r["id"]: (r["status"], r["reason"]) for r in json.loads(report.read_text())["results"]
    }
    assert results["example-service-down--disk-space"][0] == "passed"
    assert results["example-service-down--health"][0] == "skipped"
    assert "SERVICE_URL" in results["example-service-down--health"][1]

    code, _, err = cli("build", "--strict")
    assert code == 0, err
    page = (work / "site/runbooks/example-service-down/index.html").read_text()
    # The minimal mkdocs.yml names no extension: the plugin enabled what the page needs.
    assert "markdown_extensions" not in (work / "mkdocs.yml").read_text()
    assert not re.search(r"\{#|\{: |!!! ", page)
    assert 'class="admonition warning"' in page
    assert 'id="example-service-down--disk-space"' in page
    assert (work / "site/assets/stylesheets/runbook.css").is_file()
    assert (work / "site/assets/vendor/LICENSE.mermaid").is_file()
    assert "assets/javascripts/runbook.js" in page
    assert "Payments runbooks" in (work / "site/index.html").read_text()


def test_the_schema_sits_where_the_scaffold_comment_points_and_validates_it(
    work: Path, cli: Cli
) -> None:
    assert cli("init")[0] == 0
    example = work / "runbooks/example-service-down.yaml"
    first = example.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=runbook.schema.json"
    schema_path = example.parent / "runbook.schema.json"
    assert schema_path.read_text() == dump_schema(build_schema())
    # Editors read YAML 1.2, where a date is a string: as JSON, as they see it.
    as_seen = json.loads(json.dumps(yaml.safe_load(example.read_text()), default=str))
    jsonschema.validate(as_seen, json.loads(schema_path.read_text()))
    workflow = yaml.safe_load((work / ".github/workflows/runbooks.yml").read_text())
    commands = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "runbook check --junit runbook-checks.xml" in commands
    assert (work / ".gitignore").read_text() == "/site/\n.runbook-cache/\n"


def test_init_never_overwrites_and_says_what_to_add(work: Path, cli: Cli) -> None:
    own = "site_name: Our docs\ntheme:\n  name: material\nplugins:\n  - search\n"
    (work / "mkdocs.yml").write_text(own)
    (work / ".gitignore").write_text("*.pyc\n")
    code, out, err = cli("init")
    assert code == 0
    assert "mkdocs.yml" not in out.splitlines()
    assert (work / "mkdocs.yml").read_text() == own
    assert (work / ".gitignore").read_text() == "*.pyc\n"
    assert "kept mkdocs.yml (it exists)" in err
    assert "add the plugin to mkdocs.yml, under plugins:\n  - runbook" in err
    assert (
        "take `- search` out of mkdocs.yml's plugins: the runbook plugin's search (Pagefind) "
        "indexes every page, and the pages would show two search boxes"
    ) in err
    assert "add to .gitignore: /site/ .runbook-cache/" in err

    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file()}
    code, out, err = cli("init")
    assert (code, out) == (2, "")
    assert "nothing to do: every file runbook init writes exists" in err
    assert {p: p.read_bytes() for p in work.rglob("*") if p.is_file()} == before


def test_an_explicit_nav_keeps_its_pages_and_gets_the_runbooks_added(work: Path, cli: Cli) -> None:
    assert cli("init")[0] == 0
    (work / "docs/about.md").write_text("# About\n\nHow we run incidents.\n")
    with (work / "mkdocs.yml").open("a") as handle:
        handle.write(
            "nav:\n  - About: about.md\n  - Service down: runbooks/example-service-down.md\n"
        )
    code, _, err = cli("build", "--strict")
    assert code == 0, err
    home = (work / "site/about/index.html").read_text()
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


def test_a_file_in_docs_overrides_the_plugins_own_asset(work: Path, cli: Cli) -> None:
    assert cli("init")[0] == 0
    (work / "docs/assets/stylesheets").mkdir(parents=True)
    (work / "docs/assets/stylesheets/runbook.css").write_text("/* ours */\n")
    assert cli("build")[0] == 0
    assert (work / "site/assets/stylesheets/runbook.css").read_text() == "/* ours */\n"
