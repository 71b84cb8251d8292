"""REFERENCE.md: generated from the spec, the header grammar, the comms context and the exit
codes; the committed copy is current, and every key a runbook may have is in it."""

from __future__ import annotations

import re
from pathlib import Path

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
