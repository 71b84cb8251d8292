"""Resolving a TARGET (runbook id or file) and the built-in severity scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.problems import ExitCode
from generator.errors import UsageError
from generator.load.tree import BUILTIN_SEVERITIES, resolve_target


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "pool.yaml").write_text("# comment\nid: db-pool\ntitle: Pool\n")
    (tmp_path / "cache.yml").write_text("id: 'redis-memory'  # quoted\ntitle: Redis\n")
    (tmp_path / "flow.yaml").write_text("{id: flow-style, title: Flow}\n")
    (tmp_path / "_defaults.yaml").write_text("title: Org\n")
    return tmp_path


def test_id_resolves_to_its_file(root: Path) -> None:
    assert resolve_target("db-pool", root) == root / "db" / "pool.yaml"
    assert resolve_target("redis-memory", root) == root / "cache.yml"


def test_id_in_flow_style_is_found_by_loading(root: Path) -> None:
    assert resolve_target("flow-style", root) == root / "flow.yaml"


def test_file_paths_resolve_to_themselves(root: Path) -> None:
    target = str(root / "db" / "pool.yaml")
    assert resolve_target(target, root) == Path(target)


def test_unknown_id_is_a_usage_error_with_a_suggestion(root: Path) -> None:
    with pytest.raises(UsageError) as info:
        resolve_target("db-poool", root)
    assert info.value.exit_code is ExitCode.USAGE
    assert (
        info.value.format()
        == f"error: unknown runbook 'db-poool' under {root} (did you mean 'db-pool'?)"
    )


def test_missing_file_is_a_usage_error(root: Path) -> None:
    with pytest.raises(UsageError) as info:
        resolve_target(str(root / "nope.yaml"), root)
    assert info.value.format() == f"error: {root}/nope.yaml: no such file or directory"


def test_builtin_scheme_has_four_levels_with_cadence() -> None:
    levels = BUILTIN_SEVERITIES.levels
    assert [(lv.id, lv.label) for lv in levels] == [
        ("SEV1", "Critical"),
        ("SEV2", "High"),
        ("SEV3", "Medium"),
        ("SEV4", "Low"),
    ]
    assert BUILTIN_SEVERITIES.level("SEV1") is levels[0]
    assert levels[0].update_every == 1800.0
    assert all(lv.impact and lv.response for lv in levels)
