"""REFERENCE.md: generated from the spec, the header grammar, the comms context and the exit
codes; the committed copy is current, and every key a runbook may have is in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checks.header import KEYS
from checks.problems import ExitCode
from generator.comms.context import CONTEXT_NAMES, INCIDENT_FIELDS
from generator.load import spec
from generator.reference import build_reference
from tests.helpers import REPO, Cli

REFERENCE = REPO / "REFERENCE.md"


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _table_keys(section: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)


def test_the_committed_reference_is_current(cli: Cli) -> None:
    assert REFERENCE.read_text(encoding="utf-8") == build_reference(), (
        "REFERENCE.md is stale: runbook schema --format markdown --out REFERENCE.md"
    )
    ran = cli("schema", "--format", "markdown", "--check", str(REFERENCE))
    assert ran.returncode == 0


def test_a_stale_copy_fails_the_check_and_says_how_to_regenerate(tmp_path: Path, cli: Cli) -> None:
    stale = tmp_path / "REFERENCE.md"
    stale.write_text(build_reference().replace("| `title` |", "| `titel` |", 1), encoding="utf-8")
    ran = cli("schema", "--format", "markdown", "--check", str(stale))
    assert ran.returncode == ExitCode.FAILED
    assert ran.stderr == (
        f"{stale}: not the current reference; regenerate it with: "
        f"runbook schema --format markdown --out {stale}\n"
    )


def test_every_key_of_every_object_is_documented_in_its_own_section() -> None:
    text = build_reference()
    for name, obj in spec.OBJECTS.items():
        section = _section(text, name)
        assert _table_keys(section) == [f.name for f in obj.fields], name
        for f in obj.fields:
            if f.description:
                assert f.description.replace("|", "\\|") in section, (name, f.name)


def test_required_keys_and_model_defaults_are_shown() -> None:
    runbook = _section(build_reference(), "Runbook")
    assert re.search(r"^\| `id` \| [^|]+ \| yes \|", runbook, flags=re.M)
    assert re.search(r"^\| `summary` \| [^|]+ \|  \|", runbook, flags=re.M)
    step = _section(build_reference(), "Step")
    # defaults come from the model class a step becomes
    assert re.search(r"^\| `strict` \| boolean \|  \| `true` \|", step, flags=re.M)
    assert re.search(
        r"^\| `kind` \| one of `check`, `action`, `destructive`, `manual`", step, flags=re.M
    )


def test_every_block_header_key_is_documented_with_its_meaning() -> None:
    section = _section(build_reference(), "Block header")
    assert _table_keys(section)[-len(KEYS) :] == list(KEYS)
    assert "| `strict` | `true` | bash ``-e -o pipefail``" in section
    assert "| `.destructive` |" in section


def test_comms_names_and_exit_codes_are_all_there() -> None:
    text = build_reference()
    comms = _section(text, "Comms template context")
    for name in CONTEXT_NAMES:
        assert f"| `{name}` |" in comms
    for name in INCIDENT_FIELDS:
        assert f"| `incident.{name}` |" in comms
    codes = _section(text, "Exit codes")
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \| `{code.name}` \| \w", codes, flags=re.M)


# -- examples: every key a value, and the values make a runbook that lints clean ------------

_OBJECT = re.compile(r"\[(\w+)\]\(#\w+\)")
_ROW = re.compile(r"(?<!\\)\|")


def _rows(section: str) -> list[dict[str, str]]:
    """The key table of an object's section: the key, type and example cells."""
    rows = []
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        key, type_, _, _, _, example = (c.strip() for c in _ROW.split(line)[1:-1])
        rows.append({"key": key.strip("`"), "type": type_, "example": example})
    return rows


def _yaml_example(cell: str) -> object:
    """The value of an example cell: a YAML value in a code span."""
    text = cell.replace("\\|", "|")
    fence = "``" if text.startswith("``") else "`"
    assert text.startswith(fence) and text.endswith(fence), cell
    return yaml.safe_load(text[len(fence) : -len(fence)].strip())


def test_every_key_that_holds_a_value_shows_an_example() -> None:
    text = build_reference()
    missing = [
        f"{name}.{row['key']}"
        for name in spec.OBJECTS
        for row in _rows(_section(text, name))
        if not _OBJECT.search(row["type"]) and not row["example"]
    ]
    assert missing == []


# The examples read the replica's host from this variable (the variables table of a runbook
# is a map whose keys are not in the reference).
_VARIABLE = "REPLICA_HOST"


def _from_examples(text: str, name: str, within: tuple[str, ...] = ()) -> dict[str, object]:
    """An object ``name`` made of the reference's examples, nested objects too (each once on
    a path). Booleans are left out: they are no text, and ``true`` for all of them at once
    (secret with a default, interactive and follow) is not one valid step."""
    out: dict[str, object] = {}
    for row in _rows(_section(text, name)):
        nested = _OBJECT.search(row["type"])
        if nested is None:
            if row["type"] != "boolean":
                out[row["key"]] = _yaml_example(row["example"])
            continue
        child = nested.group(1)
        if child in within or child == name:
            continue
        value = _from_examples(text, child, (*within, name))
        if row["type"].startswith("list of"):
            out[row["key"]] = _variants(child, value)
        elif row["type"].startswith("map of"):
            out[row["key"]] = {_VARIABLE: value}
        else:
            out[row["key"]] = value
    return out


def _variants(name: str, value: dict[str, object]) -> list[dict[str, object]]:
    """``value`` as the items of a list: a step twice, as 'shell' and 'interpreter'
    exclude each other (the loader says so)."""
    if name != "Step":
        return [value]
    shell = {k: v for k, v in value.items() if k != "interpreter"}
    return [shell, {k: v for k, v in value.items() if k != "shell"}]


def _unique_ids(value: object, seen: dict[str, int]) -> object:
    """Ids made unique where an example object appears more than once (the steps of a
    section, a scenario, a resolution and a timeframe)."""
    if isinstance(value, list):
        return [_unique_ids(item, seen) for item in value]
    if not isinstance(value, dict):
        return value
    out = {k: _unique_ids(v, seen) for k, v in value.items()}
    ident = out.get("id")
    if isinstance(ident, str):
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:
            out["id"] = f"{ident}-{seen[ident]}"
    return out


@pytest.mark.work(runbooks=True, env={"RUNBOOK_TODAY": "2026-11-01"})
def test_the_examples_make_a_runbook_and_defaults_that_lint_clean(work: Path, cli: Cli) -> None:
    text = build_reference()
    runbook = _unique_ids(_from_examples(text, "Runbook"), {})
    defaults = _unique_ids(_from_examples(text, "Defaults"), {})
    assert isinstance(runbook, dict) and isinstance(defaults, dict)
    # every key of both files is set (nested objects: every key but their own nesting)
    assert set(runbook) == {r["key"] for r in _rows(_section(text, "Runbook"))}
    assert set(defaults) == {r["key"] for r in _rows(_section(text, "Defaults"))}
    (work / "runbooks" / "_defaults.yaml").write_text(yaml.safe_dump(defaults), encoding="utf-8")
    (work / "runbooks" / "example.yaml").write_text(yaml.safe_dump(runbook), encoding="utf-8")
    ran = cli("lint", "--strict")
    assert (ran.returncode, ran.stdout) == (0, ""), ran.stdout
    assert ran.stderr == "lint: 1 file, no problems\n"
