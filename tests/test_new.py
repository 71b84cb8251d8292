"""``runbook new`` scaffolds a runbook that lints clean; runbook ids work as CLI targets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.load.tree import load_file
from tests.helpers import SEEDS, Cli

pytestmark = pytest.mark.work(
    runbooks=SEEDS, env={"RUNBOOK_TODAY": "2026-11-26", "RUNBOOK_CACHE_DIR": "{work}/cache"}
)


def test_new_runbook_lints_clean_strict_and_teaches_the_format(work: Path, cli: Cli) -> None:
    code, out, err = cli(
        "new", "payments-db-failover", "--service", "payments-db", "--title", "Payments failover"
    )
    assert (code, out) == (0, "runbooks/payments-db-failover.yaml\n")
    assert err.splitlines()[:2] == [
        "created runbooks/payments-db-failover.yaml (severity SEV2 of 4 levels in force)",
        "next: edit it, then",
    ]
    code, out, err = cli("lint", "--strict", "runbooks/payments-db-failover.yaml")
    assert (code, out, err) == (0, "", "lint: 1 file, no problems\n")
    (runbook,) = load_file("runbooks/payments-db-failover.yaml", "runbooks").runbooks
    assert (runbook.title, runbook.service, runbook.severity) == (
        "Payments failover", "payments-db", "SEV2",
    )  # fmt: skip
    assert runbook.last_reviewed == "2026-11-26"
    kinds = [(s.id, s.kind.value) for s in runbook.all_steps()]
    assert kinds == [("health", "check"), ("restart", "action"), ("announce", "manual")]
    text = Path("runbooks/payments-db-failover.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=runbook.schema.json\n")


def test_without_a_title_the_author_writes_it_and_lint_points_there(work: Path, cli: Cli) -> None:
    code, _, err = cli("new", "pg-replication-lag")
    assert code == 0
    assert err.splitlines()[1] == "next: write its title, edit the rest, then"
    text = Path("runbooks/pg-replication-lag.yaml").read_text()
    assert "Pg replication lag" not in text
    assert 'title: "TODO: the words a responder would search for"\n' in text
    code, out, _ = cli("lint", "--strict", "runbooks/pg-replication-lag.yaml")
    assert (code, out) == (
        3,
        "runbooks/pg-replication-lag.yaml:4:1: warning: runbook 'pg-replication-lag': "
        "placeholder 'TODO' in title (fill it in, or accept it with "
        "'lint: {allow: [placeholder]}') [placeholder]\n",
    )
    text = text.replace('"TODO: the words a responder would search for"', "Replica lag")
    Path("runbooks/pg-replication-lag.yaml").write_text(text)
    assert cli("lint", "--strict", "runbooks/pg-replication-lag.yaml").returncode == 0


def test_new_runbook_takes_its_severity_from_the_folder_scheme(work: Path, cli: Cli) -> None:
    title = 'P0: "checkout" fails'
    code, out, _ = cli("new", "checkout-fails", "--dir", "runbooks/saaspe", "--title", title)
    assert (code, out) == (0, "runbooks/saaspe/checkout-fails.yaml\n")
    (runbook,) = load_file("runbooks/saaspe/checkout-fails.yaml", "runbooks").runbooks
    assert (runbook.title, runbook.severity, runbook.org) == (title, "P1", "saaspe")
    text = Path("runbooks/saaspe/checkout-fails.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../runbook.schema.json\n")
    code, out, _ = cli("lint", "--strict", "runbooks/saaspe/checkout-fails.yaml")
    assert (code, out) == (0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["new", "Payments_DB"],
            "error: 'Payments_DB' is not a runbook id: use lower-case letters, digits and "
            "dashes (payments-db-failover)\n",
        ),
        (["new", "demo"], "error: runbook id 'demo' is taken by runbooks/demo/demo.yaml\n"),
    ],
)
def test_new_refuses_a_bad_or_taken_id(work: Path, cli: Cli, args: list[str], message: str) -> None:
    assert cli(*args) == (2, "", message)


def test_new_never_overwrites_a_file(work: Path, cli: Cli) -> None:
    Path("runbooks/notes.yaml").write_text("# not a runbook yet\n")
    code, _, err = cli("new", "notes")
    assert (code, err) == (2, "error: runbooks/notes.yaml exists; not overwriting it\n")
    assert Path("runbooks/notes.yaml").read_text() == "# not a runbook yet\n"


def test_a_runbook_id_is_a_target_for_list_exec_and_comms(work: Path, cli: Cli) -> None:
    code, out, _ = cli("list", "demo")
    assert code == 0
    assert out.splitlines()[0].startswith("runbooks/demo/demo.yaml:")
    code, out, _ = cli("exec", "demo", "--dry-run", "--step", "kernel")
    assert (code, out) == (
        0, "runbooks/demo/demo.yaml:72:9: demo--kernel [check] would run\n    | uname -s\n",
    )  # fmt: skip
    code, _, err = cli("exec", "dmeo", "--dry-run")
    assert (code, err) == (
        2,
        "error: unknown runbook 'dmeo' under runbooks (did you mean 'demo'?)\n",
    )
    Path("runbooks/broken.yaml").write_text(
        textwrap.dedent(
            """
            id: broken
            title: Broken
            sections: [{id: s, title: S, steps: [{id: a, rn: echo}]}]
            """
        )
    )
    code, _, err = cli("exec", "broken", "--dry-run")
    assert code == 3
    assert (
        err
        == "runbooks/broken.yaml:4:46: error: step 'a': unknown key 'rn' (did you mean 'run'?)\n"
    )
