"""Every incident field a comms template can read can be recorded from the CLI, and the
missing-value error names the command that records it: run that command and the template
renders."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from generator.comms.context import CONTEXT_SCHEMA
from generator.comms.hints import RECORDED_BY
from tests.helpers import FIXTURES, Cli

pytestmark = pytest.mark.work(
    runbooks=FIXTURES / "comms" / "runbooks", env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"}
)
# Filled by `runbook incident start` (or derived from what it fills): nothing to record.
ALWAYS = {
    "id", "title", "severity", "severity_label", "severity_level", "status", "impact",
    "started_at", "duration", "roles", "actions", "action_items",
}  # fmt: skip
# Placeholders in a suggested command -> a value to run it with.
VALUES = {
    "TEXT": "x", "NAME": "Alex Kim", "LEVEL": "SEV2", "STATUS": "identified",
    "ZONE": "Europe/Berlin", "VALUE": "1",
}  # fmt: skip


def _paths() -> list[str]:
    out = []
    for field, sub in CONTEXT_SCHEMA["incident"].items():
        if field == "severity_level":
            continue  # the scheme's entry: recorded by --severity (below), written in YAML
        if isinstance(sub, dict):
            out += [f"{field}.{name}" for name in sub]
        elif field not in ALWAYS:
            out.append(field)
    return [*out, "roles.comms"]


PATHS = _paths()


@pytest.fixture
def fields(work: Path) -> Path:
    """The runbook ``fields``: one template per recordable path, ``t<n>`` reads ``PATHS[n]``."""
    templates = "".join(
        f"    - {{id: t{n}, channel: other, body: '{{{{ incident.{path} }}}}'}}\n"
        for n, path in enumerate(PATHS)
    )
    path = work / "runbooks" / "acme" / "fields.yaml"
    path.write_text(
        "id: fields\ntitle: Fields\nseverity: SEV3\ncommunications:\n  templates:\n" + templates
    )
    return path


def test_the_paths_cover_every_recorded_field() -> None:
    heads = {p.split(".")[0] for p in PATHS}
    assert heads <= set(RECORDED_BY)
    assert set(RECORDED_BY) - heads <= ALWAYS


@pytest.mark.parametrize("n", range(len(PATHS)), ids=PATHS)
def test_the_suggested_command_records_the_missing_field(fields: Path, cli: Cli, n: int) -> None:
    path = PATHS[n]
    # SEV3 of the fixture scheme has no cadence: next_update and update_every are missing.
    code, out, _ = cli("incident", "start", "--runbook", "fields", "--title", "t")
    assert code == 0
    record = out.strip()
    render = ("comms", "fields", f"t{n}", "--incident", record)
    code, out, err = cli(*render)
    assert (code, out) == (3, ""), path
    assert f"undefined variable 'incident.{path}': " in err
    found = re.search(r"record it with `runbook (incident [^`]+)`", err)
    assert found is not None, err
    assert f"incident {'update' if 'update' in found.group(1) else ''}" in found.group(1)
    assert record in found.group(1)  # the incident as the user named it
    argv = [VALUES.get(a, a) for a in shlex.split(found.group(1))]
    argv = [re.sub(r"=(VALUE|NAME)$", lambda m: "=" + VALUES[m.group(1)], a) for a in argv]
    code, _, err = cli(*argv)
    assert code == 0, err
    code, out, err = cli(*render)
    assert (code, err) == (0, ""), path
    assert out.strip()


def test_update_refuses_a_bad_time_zone_and_a_cadence_without_unit(fields: Path, cli: Cli) -> None:
    code, out, _ = cli("incident", "start", "--runbook", "fields", "--title", "t")
    record = out.strip()
    before = Path(record).read_text()
    code, _, err = cli("incident", "update", record, "--timezone", "Mars/Olympus")
    assert (code, err) == (
        2,
        "error: --timezone Mars/Olympus: not a time zone (expected an IANA name: Europe/Berlin, "
        "UTC)\n",
    )
    code, _, err = cli("incident", "update", record, "--update-every", "15")
    assert (code, err) == (2, "error: --update-every 15: expected a duration (15m, 1h, 1h30m)\n")
    assert Path(record).read_text() == before
    code, _, err = cli(
        "incident", "update", record, "--update-every", "20m", "--commander", "Sam",
        "--channel", "#inc-1", "--root-cause", "A leak",
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = Path(record).read_text().splitlines()
    assert "  update_every_minutes: 20" in lines
    assert "  channel: '#inc-1'" in lines
    assert "    commander: Sam" in lines
    assert "  root_cause: A leak" in lines
    assert (
        "    event: 'Updates every 20m. Channel: #inc-1. Root cause: A leak. commander: Sam'"
    ) in lines
