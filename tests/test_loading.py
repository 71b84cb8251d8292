"""Loading runbook YAML into the model: valid documents, the cascade, ids."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checks.model import Risk, SourceLocation
from generator.loader import BUILTIN_SEVERITIES, load_file, load_tree, severity_scheme


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


VALID = """
id: db-pool
title: DB pool exhausted
last_reviewed: 2026-10-01
version: 1.10
review_every: 90d
variables:
  DB_HOST: Primary host
  ENV: {choices: [staging, production], default: staging}
  PORT: {default: 5432, pattern: '^[0-9]+$'}
sections:
  - id: diagnose
    title: Diagnose
    steps:
      - id: count
        run: psql -c 'select 1'
        timeout: 1h30m
        expect: {exit: [0, 1], stdout: '^\\d+$'}
        env: {PGCONNECT_TIMEOUT: 5}
      - id: call-dba
        kind: manual
        body: Call the DBA.
    checklist: [one, {text: two, done: true}]
"""


def test_valid_runbook_maps_onto_the_model(tmp_path: Path) -> None:
    path = write(tmp_path / "db.yaml", VALID)
    result = load_file(path, tmp_path)
    assert result.problems == ()
    (rb,) = result.runbooks
    assert (rb.id, rb.title, rb.version, rb.last_reviewed) == (
        "db-pool",
        "DB pool exhausted",
        "1.10",
        "2026-10-01",
    )
    assert rb.review_every == 90 * 86400
    assert [v.name for v in rb.variables] == ["DB_HOST", "ENV", "PORT"]
    assert rb.variables[0].description == "Primary host"
    assert rb.variables[2].default == "5432"
    count, call = rb.all_steps()
    assert count.timeout == 5400.0
    assert count.expect.exit == (0, 1)
    assert count.expect.stdout == r"^\d+$"
    assert count.env == (("PGCONNECT_TIMEOUT", "5"),)
    assert count.location == SourceLocation(str(path), 14, 9)
    assert call.kind is Risk.MANUAL and call.run == ""
    items = rb.sections[0].checklist
    assert [(i.text, i.done) for i in items] == [("one", False), ("two", True)]
    assert severity_scheme(rb) is BUILTIN_SEVERITIES


@pytest.mark.parametrize("name", ["a.yml", "sub/b.yaml"])
def test_tree_finds_yaml_and_yml(tmp_path: Path, name: str) -> None:
    write(tmp_path / name, "id: x\ntitle: X\n")
    write(tmp_path / "runbook.schema.json", "{}")
    result = load_tree(tmp_path)
    assert [rb.id for rb in result.runbooks] == ["x"]
