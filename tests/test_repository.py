"""The runbooks repository is found like git finds its own: every command works from any
subfolder, and ``--root`` / ``$RUNBOOK_ROOT`` override it the same way everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.repository import default_config, default_root, find_top
from tests.helpers import Cli

pytestmark = pytest.mark.work(
    env={"RUNBOOK_TODAY": "2026-12-07", "RUNBOOK_CACHE_DIR": "{work}/.runbook-cache"},
    unset=["RUNBOOK_ROOT"],
)


@pytest.fixture
def repo(work: Path, cli: Cli) -> Path:
    assert cli("init").returncode == 0
    (work / "runbooks" / "payments" / "db").mkdir(parents=True)
    return work


def test_the_top_is_the_nearest_folder_with_runbooks_or_mkdocs_yml(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_top(str(deep)) is None
    (tmp_path / "a" / "mkdocs.yml").write_text("site_name: x\n")
    assert find_top(str(deep)) == str(tmp_path / "a")
    (tmp_path / "a" / "b" / "runbooks").mkdir()
    assert find_top(str(deep)) == str(tmp_path / "a" / "b")
    assert default_root({}, str(deep)) == "../runbooks"
    assert default_config(str(deep)) == "../../mkdocs.yml"
    assert default_root({"RUNBOOK_ROOT": "/elsewhere"}, str(deep)) == "/elsewhere"


def test_every_command_works_from_a_subfolder(
    repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "runbooks" / "payments" / "db")
    assert cli("lint") == (0, "", "lint: 1 file, no problems\n")
    code, out, _ = cli("list", "example-service-down", "--json")
    assert code == 0
    assert [b["id"] for b in json.loads(out)["blocks"]][:1] == ["example-service-down--disk-space"]
    code, _, err = cli("exec", "example-service-down", "--step", "disk-space")
    assert code == 0, err
    code, _, err = cli("check")
    assert code == 0, err
    code, out, err = cli("comms", "example-service-down", "--list")
    assert code == 0, err
    assert cli("new", "cache-down")[0] == 0
    assert (repo / "runbooks" / "cache-down.yaml").is_file()
    code, _, err = cli("build")
    assert code == 0, err
    assert (repo / "site" / "runbooks" / "cache-down" / "index.html").is_file()


def test_root_and_the_environment_override_the_found_repository(
    repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = repo / "other"
    (other / "team").mkdir(parents=True)
    (other / "team" / "x.yaml").write_text("id: x\ntitle: X\n")
    monkeypatch.chdir(repo / "runbooks" / "payments")
    code, out, _ = cli("list", "--json", "--root", str(other))
    assert code == 4 and json.loads(out)["blocks"] == []
    monkeypatch.setenv("RUNBOOK_ROOT", str(other))
    code, _, err = cli("lint")
    assert (code, err) == (0, "lint: 1 file, no problems\n")
    code, _, err = cli("comms", "example-service-down", "--list")
    assert code == 2 and "example-service-down" in err  # not under RUNBOOK_ROOT


def test_outside_any_repository_the_message_says_where_it_looked(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNBOOK_ROOT", raising=False)
    code, _, err = cli("lint")
    assert code == 2
    assert "runbooks root 'runbooks' is not a folder" in err
