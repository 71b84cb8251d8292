"""The JSON Schema: committed copies are current, runbooks validate, schema and loader agree."""

from __future__ import annotations

import datetime
import functools
import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from generator.load.tree import load_file
from generator.schema import build_defaults_schema, build_schema, dump_schema
from tests.helpers import REPO, Cli

RUNBOOK_SCHEMA = REPO / "runbooks" / "runbook.schema.json"
DEFAULTS_SCHEMA = REPO / "runbooks" / "defaults.schema.json"
INVALID = REPO / "tests" / "fixtures" / "invalid"
FULL = REPO / "tests" / "fixtures" / "loading" / "full-runbook.yaml"


@functools.cache
def validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def as_json(value: Any) -> Any:
    """What a YAML 1.2 tool sees: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def schema_errors(text: str, schema: Path = RUNBOOK_SCHEMA) -> list[str]:
    data = as_json(yaml.safe_load(text))
    return [e.message for e in validator(schema).iter_errors(data)]


def loader_errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    return [p.message for p in load_file(path, tmp_path).problems]


@pytest.mark.parametrize(
    ("committed", "build", "flag"),
    [(RUNBOOK_SCHEMA, build_schema, ""), (DEFAULTS_SCHEMA, build_defaults_schema, " --defaults")],
)
def test_committed_schema_is_current(committed: Path, build: Any, flag: str) -> None:
    regenerate = f"runbook schema{flag} --out {committed.relative_to(REPO)}"
    assert committed.read_text(encoding="utf-8") == dump_schema(build()), (
        f"{committed.name} is stale: regenerate it with `{regenerate}`"
    )


def test_schema_command_prints_and_writes(tmp_path: Path, cli: Cli) -> None:
    ran = cli("schema")
    assert ran.returncode == 0
    assert json.loads(ran.stdout) == build_schema()
    out = tmp_path / "s.json"
    ran = cli("schema", "--defaults", "--out", str(out))
    assert ran.returncode == 0
    assert json.loads(out.read_text()) == build_defaults_schema()


def test_schema_command_reports_an_unwritable_file(tmp_path: Path, cli: Cli) -> None:
    target = tmp_path / "missing-dir" / "s.json"
    ran = cli("schema", "--out", str(target))
    assert ran.returncode == 3
    assert ran.stderr == (f"error: cannot write {target}: No such file or directory\n")


def test_schema_shapes() -> None:
    schema = build_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["id", "title"]
    props = schema["properties"]
    assert props["last_reviewed"] == {
        "description": "When the runbook was last reviewed.",
        "type": "string",
        "format": "date",
    }
    assert props["review_every"]["type"] == ["string", "number"]
    step = schema["$defs"]["Step"]
    assert step["additionalProperties"] is False
    assert step["properties"]["kind"]["enum"] == ["check", "action", "destructive", "manual"]
    assert all(d.get("description") for d in schema["$defs"].values())
    assert "Defaults" not in schema["$defs"]


def runbook_files() -> list[Path]:
    found = sorted((REPO / "runbooks").rglob("*.y*ml"))
    # Never skip: without seeds yet, the full fixture still proves the schema.
    return [FULL, *found]


@pytest.mark.parametrize("path", runbook_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_runbook_validates_against_the_committed_schema(path: Path) -> None:
    schema = DEFAULTS_SCHEMA if path.name.startswith("_defaults.") else RUNBOOK_SCHEMA
    assert schema_errors(path.read_text(encoding="utf-8"), schema) == []


VALID = {
    "minimal": "id: x\ntitle: X\n",
    "numbers-as-text": "id: x\ntitle: X\nversion: 1.10\nseverity: 2\n",
    "duration-number": "id: x\ntitle: X\nreview_every: 86400\n",
    "variable-shorthand": "id: x\ntitle: X\nvariables: {A_B: text, C: {default: 5}}\n",
    "exit-one-or-list": (
        "id: x\ntitle: X\nsections:\n- id: s\n  title: S\n  steps:\n"
        "  - {id: a, run: 'true', expect: {exit: 1}}\n"
        "  - {id: b, run: 'true', expect: {exit: [0, 2]}}\n"
    ),
    "checklist-mixed": (
        "id: x\ntitle: X\nsections:\n- id: s\n  title: S\n  checklist: [a, {text: b, done: true}]\n"
    ),
    "date": "id: x\ntitle: X\nlast_reviewed: 2026-10-01\n",
}

# Invalid documents the schema can express (YAML-level and cross-field problems are the
# loader's alone: duplicate keys and ids, default vs choices, shell with interpreter ...).
INVALID_FOR_BOTH = [
    "bad-date.yaml",
    "bad-expect-stdout.yaml",
    "bad-variable-name.yaml",
    "bad-variable-pattern.yaml",
    "bool-not-boolean.yaml",
    "checklist-item-list.yaml",
    "duration-given-a-list.yaml",
    "duration-in-words.yaml",
    "env-value-not-scalar.yaml",
    "exit-code-out-of-range.yaml",
    "id-not-a-slug.yaml",
    "links-not-a-list.yaml",
    "missing-id.yaml",
    "missing-title-in-section.yaml",
    "misspelt-callout-type.yaml",
    "misspelt-kind.yaml",
    "misspelt-top-level-key.yaml",
    "nested-section-unknown-key.yaml",
    "null-value.yaml",
    "secret-not-boolean.yaml",
    "section-given-as-text.yaml",
    "severity-level-without-id.yaml",
    "table-without-columns.yaml",
    "tags-not-a-list.yaml",
    "template-channel.yaml",
    "template-format.yaml",
    "unknown-key-in-step.yaml",
    "zero-timeout.yaml",
]


@pytest.mark.parametrize("name", sorted(VALID))
def test_schema_and_loader_accept_the_same_valid_documents(tmp_path: Path, name: str) -> None:
    assert schema_errors(VALID[name]) == []
    assert loader_errors(tmp_path, VALID[name]) == []


def test_schema_and_loader_accept_the_full_fixture(tmp_path: Path) -> None:
    text = FULL.read_text(encoding="utf-8")
    assert schema_errors(text) == []
    assert loader_errors(tmp_path, text) == []


@pytest.mark.parametrize("name", INVALID_FOR_BOTH)
def test_schema_and_loader_reject_the_same_invalid_documents(tmp_path: Path, name: str) -> None:
    text = (INVALID / name).read_text(encoding="utf-8")
    assert schema_errors(text) != []
    assert loader_errors(tmp_path, text) != []


def test_every_invalid_fixture_is_classified() -> None:
    names = {n for n in os.listdir(INVALID) if n.endswith(".yaml")}
    assert set(INVALID_FOR_BOTH) <= names
    assert len(INVALID_FOR_BOTH) >= 20


def test_spec_covers_every_model_field() -> None:
    """A field added to the model without the spec would be unloadable: fail here first."""
    import dataclasses

    from generator import model
    from generator.load import spec

    not_yaml = {"location", "body_location", "run_location", "interpreter_location"}
    for name, obj in spec.OBJECTS.items():
        targets = {f.target for f in obj.fields}
        if name == "Defaults":
            runbook_fields = {f.name for f in dataclasses.fields(model.Runbook)}
            assert targets - {"title", "summary"} <= runbook_fields
            assert set(spec.INHERITABLE) <= targets
            continue
        cls = model.Variable if name == "Variable" else getattr(model, name)
        fields = {f.name for f in dataclasses.fields(cls)} - not_yaml
        if name == "Runbook":
            fields -= {"path", "org", "inherited"}
        if name == "Variable":
            fields.discard("name")  # the key of the variables mapping
        assert targets == fields, name


def test_schema_check_tells_whether_a_copy_is_current(tmp_path: Path, cli: Cli) -> None:
    ran = cli("schema", "--check", str(RUNBOOK_SCHEMA))
    assert ran.returncode == 0
    ran = cli("schema", "--defaults", "--check", str(DEFAULTS_SCHEMA))
    assert ran.returncode == 0
    stale = tmp_path / "s.json"
    stale.write_text(RUNBOOK_SCHEMA.read_text().replace('"title"', '"titel"', 1))
    ran = cli("schema", "--check", str(stale))
    assert ran.returncode == 1
    assert ran.stderr == (
        f"{stale}: not the current schema; regenerate it with: runbook schema --out {stale}\n"
    )
    ran = cli("schema", "--defaults", "--check", str(RUNBOOK_SCHEMA))
    assert ran.returncode == 1
    assert "runbook schema --defaults --out" in ran.stderr
    ran = cli("schema", "--check", str(tmp_path / "none.json"))
    assert ran.returncode == 2
    assert ran.stderr == (
        f"error: cannot read {tmp_path / 'none.json'}: No such file or directory\n"
    )
    ran = cli("schema", "--check", str(stale), "--out", str(stale))
    assert ran.returncode == 2
