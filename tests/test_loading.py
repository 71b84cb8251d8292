"""Loading runbook YAML into the model: valid documents, the cascade, ids."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.model import Risk, SourceLocation
from generator.load.parse import display_path
from generator.load.tree import (
    BUILTIN_SEVERITIES,
    LoadResult,
    load_file,
    load_tree,
    severity_scheme,
)
from tests.helpers import write

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


def test_merge_keys_and_aliases_are_applied(tmp_path: Path) -> None:
    path = write(
        tmp_path / "m.yaml",
        """
        id: m
        title: M
        sections:
          - id: s
            title: S
            steps:
              - &base {id: one, run: 'true', timeout: 5s, tags: [db]}
              - <<: *base
                id: two
        """,
    )
    result = load_file(path, tmp_path)
    assert result.problems == ()
    one, two = result.runbooks[0].all_steps()
    assert one.id == "one"
    assert (two.id, two.run, two.timeout, two.tags) == ("two", "true", 5.0, ("db",))


def test_numbers_and_dates_become_strings_as_written(tmp_path: Path) -> None:
    path = write(
        tmp_path / "n.yaml",
        """
        id: n
        title: N
        version: 2.10
        last_reviewed: 2026-1-5
        severity: 1
        variables:
          RETRIES: {default: 3, choices: [1, 3, 5]}
          DEBUG: {default: false}
        """,
    )
    (rb,) = load_file(path, tmp_path).runbooks
    assert (rb.version, rb.last_reviewed, rb.severity) == ("2.10", "2026-01-05", "1")
    assert [(v.default, v.choices) for v in rb.variables] == [
        ("3", ("1", "3", "5")),
        ("false", ()),
    ]


CASCADE = {
    "_defaults.yaml": """
        title: Acme Corp
        summary: All Acme runbooks.
        owner: team-sre
        tags: [acme]
        review_every: 30d
        variables:
          REGION: {description: AWS region, default: eu-west-1}
          DB_HOST: Root database host
        severities:
          scheme: acme
          levels:
            - {id: P1, label: Critical, update_every: 30m}
            - {id: P2, label: High}
        contacts:
          - {role: Incident commander, slack: '#incidents'}
        """,
    "payments/_defaults.yaml": """
        title: Payments
        owner: team-payments
        variables:
          DB_HOST: {description: Payments database, default: pay-db.internal}
        lint: {allow: [placeholder]}
        """,
    "payments/api/db.yaml": """
        id: pay-db
        title: Payments DB
        tags: [postgres]
        variables:
          REGION: {description: Only this region, default: us-east-1}
          ENV: Environment
        """,
    "payments/api/plain.yaml": """
        id: pay-plain
        title: Payments plain
        """,
    "top.yaml": """
        id: top
        title: Top level
        owner: someone
        """,
}


def make_cascade(root: Path) -> None:
    for name, text in CASCADE.items():
        write(root / name, text)


def test_cascade_across_two_folder_levels(tmp_path: Path) -> None:
    make_cascade(tmp_path / "rb")
    result = load_tree(tmp_path / "rb")
    assert result.problems == ()
    by_id = {rb.id: rb for rb in result.runbooks}
    assert [rb.id for rb in result.runbooks] == ["pay-db", "pay-plain", "top"]
    plain = by_id["pay-plain"]
    # Nearest wins (payments), farther levels still fill what the nearer ones lack.
    assert plain.owner == "team-payments"
    assert plain.tags == ("acme",)
    assert plain.review_every == 30 * 86400
    assert plain.lint.allow == ("placeholder",)
    assert plain.severities is not None and plain.severities.name == "acme"
    assert severity_scheme(plain).level("P1") is not None
    assert plain.contacts[0].slack == "#incidents"
    assert [(v.name, v.default) for v in plain.variables] == [
        ("DB_HOST", "pay-db.internal"),
        ("REGION", "eu-west-1"),
    ]
    assert plain.inherited == (
        "owner",
        "tags",
        "review_every",
        "lint",
        "variables",
        "severities",
        "contacts",
    )
    assert plain.org == "payments"


def test_runbook_keys_replace_inherited_ones_and_variables_merge(tmp_path: Path) -> None:
    make_cascade(tmp_path / "rb")
    db = next(rb for rb in load_tree(tmp_path / "rb").runbooks if rb.id == "pay-db")
    assert db.tags == ("postgres",)
    assert [(v.name, v.description, v.default) for v in db.variables] == [
        ("REGION", "Only this region", "us-east-1"),
        ("ENV", "Environment", None),
        ("DB_HOST", "Payments database", "pay-db.internal"),
    ]
    assert "tags" not in db.inherited and "variables" in db.inherited
    top = next(rb for rb in load_tree(tmp_path / "rb").runbooks if rb.id == "top")
    assert top.owner == "someone" and top.org == ""
    assert "owner" not in top.inherited


def test_orgs_one_per_defaults_file(tmp_path: Path) -> None:
    make_cascade(tmp_path / "rb")
    orgs = load_tree(tmp_path / "rb").orgs
    assert [(o.id, o.title, o.summary) for o in orgs] == [
        ("", "Acme Corp", "All Acme runbooks."),
        ("payments", "Payments", ""),
    ]
    assert orgs[0].severities is not None and orgs[0].severities.name == "acme"
    assert orgs[0].contacts[0].role == "Incident commander"
    assert orgs[1].path == str(tmp_path / "rb" / "payments" / "_defaults.yaml")


def test_file_outside_the_root_inherits_only_its_own_folder(tmp_path: Path) -> None:
    make_cascade(tmp_path / "rb")
    write(tmp_path / "elsewhere" / "_defaults.yaml", "owner: far-team\n")
    path = write(tmp_path / "elsewhere" / "x.yaml", "id: x\ntitle: X\n")
    (rb,) = load_file(path, tmp_path / "rb").runbooks
    assert (rb.owner, rb.inherited, rb.severities) == ("far-team", ("owner",), None)
    assert severity_scheme(rb) is BUILTIN_SEVERITIES


def test_load_file_applies_the_cascade_of_its_folders(tmp_path: Path) -> None:
    make_cascade(tmp_path / "rb")
    result = load_file(tmp_path / "rb" / "payments" / "api" / "plain.yaml", tmp_path / "rb")
    assert [rb.owner for rb in result.runbooks] == ["team-payments"]
    assert [o.id for o in result.orgs] == ["", "payments"]


def test_paths_select_files_and_folders(tmp_path: Path) -> None:
    root = tmp_path / "rb"
    make_cascade(root)
    result = load_tree(root, [root / "payments" / "api", root / "top.yaml"])
    assert sorted(rb.id for rb in result.runbooks) == ["pay-db", "pay-plain", "top"]
    result = load_tree(root, [root / "top.yaml"])
    assert [rb.id for rb in result.runbooks] == ["top"]


def test_unknown_key_in_defaults_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "_defaults.yaml", "titel: Acme\n")
    write(tmp_path / "x.yaml", "id: x\ntitle: X\n")
    problems = [str(p) for p in load_tree(tmp_path).problems]
    assert problems == [
        f"{tmp_path}/_defaults.yaml:1:1: error: unknown key 'titel' (did you mean 'title'?)"
    ]


def test_locations_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "runbooks" / "x.yaml", "id: x\ntitle: X\nownr: me\n")
    monkeypatch.chdir(tmp_path)
    for root in (Path("runbooks"), tmp_path / "runbooks"):
        problems = [str(p) for p in load_tree(root).problems]
        assert problems == [
            "runbooks/x.yaml:3:1: error: unknown key 'ownr' (did you mean 'owner'?)"
        ]


@pytest.mark.parametrize(
    ("cwd", "path", "shown"),
    [
        ("/work", "/work/runbooks/x.yaml", "runbooks/x.yaml"),
        ("/work", "runbooks//./x.yaml", "runbooks/x.yaml"),
        ("/work", "/work/..x.yaml", "..x.yaml"),  # a name, not a parent folder
        ("/work/runbooks", "/work/x.yaml", "/work/x.yaml"),  # outside: as given
        ("/work/runbooks", "../x.yaml", "../x.yaml"),
        ("/work/runbooks", "/work/runbooks", "."),
        ("/work/runbooks", "//work/runbooks", "."),
        ("/work/runbooks", "/work/runbooks/../other/x.yaml", "/work/other/x.yaml"),
        ("/", "/x.yaml", "x.yaml"),
    ],
)
def test_display_path_is_relative_to_the_working_directory_when_under_it(
    cwd: str, path: str, shown: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "getcwd", lambda: cwd)
    assert display_path(path) == shown


def test_problems_come_in_file_and_line_order(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", "id: b\ntitle: B\nzz: 1\naa: 2\n")
    write(tmp_path / "a.yaml", "id: a\ntitle: A\nqq: 1\n")
    lines = [(p.location.path[-6:], p.location.line) for p in load_tree(tmp_path).problems]
    assert lines == [("a.yaml", 3), ("b.yaml", 3), ("b.yaml", 4)]


def test_valid_runbooks_stay_when_others_fail(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", "id: good\ntitle: Good\n")
    write(tmp_path / "bad.yaml", "id: bad\ntitle: [Bad]\n")
    result = load_tree(tmp_path)
    assert [rb.id for rb in result.runbooks] == ["good"]
    assert [p.message for p in result.problems] == ["'title' must be a string, got ['Bad']"]


def test_missing_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    result = load_file(tmp_path / "nope.yaml", tmp_path)
    assert [p.message for p in result.problems] == ["cannot read file: No such file or directory"]


@pytest.fixture(params=["runbook", "defaults"])
def load_deep(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], LoadResult]:
    """Loads a YAML text with a ``tags`` key as a runbook file, or as the ``_defaults.yaml``
    above a valid runbook: a deep document is stopped wherever it is."""

    def load(text: str) -> LoadResult:
        if request.param == "runbook":
            path = tmp_path / "deep.yaml"
            path.write_text("id: x\ntitle: X\n" + text)
            return load_file(path, tmp_path)
        (tmp_path / "_defaults.yaml").write_text(text)
        (tmp_path / "x.yaml").write_text("id: x\ntitle: X\n")
        result = load_tree(tmp_path)
        assert [rb.id for rb in result.runbooks] == ["x"]
        return result

    return load


def test_deep_nesting_is_a_problem_not_a_crash(load_deep: Callable[[str], LoadResult]) -> None:
    # libyaml's C composer would overflow the C stack on this.
    result = load_deep("tags: " + "[" * 2500 + "]" * 2500 + "\n")
    assert [p.message for p in result.problems] == ["invalid YAML: nested too deeply"]


def test_a_deep_file_is_located_where_it_gets_too_deep(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("id: x\ntitle: X\ntags: " + "[" * 1500 + "]" * 1500 + "\n")
    (problem,) = load_file(path, tmp_path).problems
    assert (problem.message, problem.location.line) == ("invalid YAML: nested too deeply", 3)
    assert problem.location.col > 1000  # libyaml stops at its limit, 1,000 levels


def test_deep_block_nesting_is_a_problem_not_a_crash(
    load_deep: Callable[[str], LoadResult],
) -> None:
    # No brackets: only the indentation says how deep it goes.
    result = load_deep("tags:\n" + "".join(" " * i + "-\n" for i in range(1, 2500)))
    assert [p.message for p in result.problems] == ["invalid YAML: nested too deeply"]


def test_deep_nesting_on_one_line_is_a_problem_not_a_crash(
    load_deep: Callable[[str], LoadResult],
) -> None:
    # Compact sequences: every "- " on the line opens a level.
    result = load_deep("tags:\n" + "- " * 2500 + "x\n")
    assert [p.message for p in result.problems] == ["invalid YAML: nested too deeply"]


def test_recursive_alias_is_a_problem_not_a_hang(tmp_path: Path) -> None:
    path = write(
        tmp_path / "loop.yaml",
        """
        id: x
        title: X
        sections: &loop
          - id: s
            title: S
            sections: *loop
        """,
    )
    messages = {p.message for p in load_file(path, tmp_path).problems}
    assert any("nested more than 64 levels deep" in m for m in messages)


def test_a_problem_inherited_by_many_runbooks_is_reported_once(tmp_path: Path) -> None:
    write(
        tmp_path / "_defaults.yaml",
        """
        post_incident:
          timeframes:
            - within: 1 day
              steps: [{id: notify, kind: manual}, {id: notify, kind: manual}]
        """,
    )
    write(tmp_path / "a.yaml", "id: a\ntitle: A\n")
    write(tmp_path / "b.yaml", "id: b\ntitle: B\n")
    problems = [str(p) for p in load_tree(tmp_path).problems]
    assert problems == [
        f"{tmp_path}/_defaults.yaml:4:43: error: duplicate step id 'notify' (first at line 4)"
    ]


def test_template_body_location_points_at_its_first_text_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.yaml",
        """
        id: t
        title: T
        communications:
          templates:
            - id: block
              body: |

                  We are investigating {{ title }}.
            - id: quoted
              body: "Resolved {{ title }}."
            - id: plain
              body: Update on {{ title }}.
        """,
    )
    (rb,) = load_file(path, tmp_path).runbooks
    where = [(t.id, t.body_location) for t in rb.communications.templates]
    assert where == [
        ("block", SourceLocation(str(path), 8, 11)),
        ("quoted", SourceLocation(str(path), 10, 14)),
        ("plain", SourceLocation(str(path), 12, 13)),
    ]


WAITS = """
id: waits
title: Waits
sections:
  - id: s
    title: S
    steps:
      - {id: a, run: 'true', timeout: %s}
      - {id: b, run: 'true', timeout: %s}
"""


def test_a_duration_written_again_reads_alike_and_a_bad_one_fails_each_time(
    tmp_path: Path,
) -> None:
    good = load_file(write(tmp_path / "good.yaml", WAITS % ("7m30s", "7m30s")), tmp_path)
    assert [s.timeout for s in good.runbooks[0].all_steps()] == [450.0, 450.0]
    bad = load_file(write(tmp_path / "bad.yaml", WAITS % ("7m-30s", "7m-30s")), tmp_path)
    assert [(p.location.line, p.message) for p in bad.problems] == [
        (line, f"step '{step}': 'timeout' must be a duration like 30s or 5m, got '7m-30s'")
        for line, step in ((7, "a"), (8, "b"))
    ]
