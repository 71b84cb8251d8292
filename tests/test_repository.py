"""The runbooks repository is found like git finds its own: every command works from any
subfolder, and ``--root`` / ``$RUNBOOK_ROOT`` override it the same way everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.repository import default_config, default_root, find_top


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNBOOK_TODAY", "2026-12-07")
    monkeypatch.setenv("RUNBOOK_CACHE_DIR", str(tmp_path / ".runbook-cache"))
    monkeypatch.delenv("RUNBOOK_ROOT", raising=False)
    assert main(["init"]) == 0
    (tmp_path / "runbooks" / "payments" / "db").mkdir(parents=True)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


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
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "runbooks" / "payments" / "db")
    assert run(capsys, "lint") == (0, "", "lint: 1 file, no problems\n")
    code, out, _ = run(capsys, "list", "example-service-down", "--json")
    assert code == 0
    assert [b["id"] for b in json.loads(out)["blocks"]][:1] == ["example-service-down--disk-space"]
    code, _, err = run(capsys, "exec", "example-service-down", "--step", "disk-space")
    assert code == 0, err
    code, _, err = run(capsys, "check")
    assert code == 0, err
    code, out, err = run(capsys, "comms", "example-service-down", "--list")
    assert code == 0, err
    assert run(capsys, "new", "cache-down")[0] == 0
    assert (repo / "runbooks" / "cache-down.yaml").is_file()
    code, _, err = run(capsys, "build")
    assert code == 0, err
    assert (repo / "site" / "runbooks" / "cache-down" / "index.html").is_file()


def test_root_and_the_environment_override_the_found_repository(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = repo / "other"
    (other / "team").mkdir(parents=True)
    (other / "team" / "x.yaml").write_text("id: x\ntitle: X\n")
    monkeypatch.chdir(repo / "runbooks" / "payments")
    code, out, _ = run(capsys, "list", "--json", "--root", str(other))
    assert code == 4 and json.loads(out)["blocks"] == []
    monkeypatch.setenv("RUNBOOK_ROOT", str(other))
    code, _, err = run(capsys, "lint")
    assert (code, err) == (0, "lint: 1 file, no problems\n")
    code, _, err = run(capsys, "comms", "example-service-down", "--list")
    assert code == 2 and "example-service-down" in err  # not under RUNBOOK_ROOT


def test_outside_any_repository_the_message_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNBOOK_ROOT", raising=False)
    code, _, err = run(capsys, "lint")
    assert code == 2
    assert "runbooks root 'runbooks' is not a folder" in err
