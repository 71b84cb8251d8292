"""``runbook lint``: every rule with its exact location, allowances, exit codes, formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.shell.reads import scan_shell
from tests.helpers import REPO, Cli, bash_logger, trapped_pickle, write

pytestmark = pytest.mark.work(
    runbooks=True, env={"RUNBOOK_TODAY": "2026-11-26", "RUNBOOK_CACHE_DIR": "{work}/cache"}
)


def lint(cli: Cli, *args: str) -> tuple[int, list[str], str]:
    """``runbook lint ARGS`` in this process: exit code, stdout lines, stderr."""
    code, out, err = cli("lint", *args)
    return code, out.splitlines(), err


def test_undeclared_variable_points_at_its_line_and_column(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/db.yaml",
        """
        id: db
        title: DB
        variables:
          DB_HOST: {default: localhost}
        sections:
          - id: diagnose
            title: Diagnose
            steps:
              - id: count
                run: |
                  # $COMMENTED is not read
                  psql -h "$DB_HOTS" -c 'select $NOT_SHELL'
                  echo "${DB_HOST}" "$HOME"
              - id: one-line
                run: echo "$REGION"
        """,
    )
    code, out, err = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/db.yaml:12:20: error: step 'count': '$DB_HOTS' is not a declared variable "
        "(did you mean 'DB_HOST'?): declare it under 'variables:' so the page lists it and "
        "runbook exec can ask for it",
        "runbooks/db.yaml:15:20: error: step 'one-line': '$REGION' is not a declared variable: "
        "declare it under 'variables:' so the page lists it and runbook exec can ask for it",
    ]
    assert err == "lint: 1 file, 2 errors\n"


def test_names_the_block_sets_itself_or_the_step_fixes_are_not_undeclared(
    work: Path, cli: Cli
) -> None:
    write(
        work / "runbooks/ok.yaml",
        """
        id: ok
        title: OK
        variables:
          MIN_MB: {default: "100"}
          DATABASE_URL: {secret: true}
        sections:
          - id: s
            title: S
            steps:
              - id: assigned
                run: |
                  avail=$(df -Pk / | awk 'NR == 2 {print $4}')
                  test "$avail" -ge $((MIN_MB * 1024))
                  for pod in a b; do echo "$pod"; done
                  while read -r name size; do echo "$name $size"; done < /dev/null
                  cat <<'SQL'
                  select $not_shell;
                  SQL
              - id: fixed-env
                env: {PGCONNECT_TIMEOUT: "5"}
                run: echo "$PGCONNECT_TIMEOUT" "$USER" "$BASH_VERSION"
              - id: sql
                lang: sql
                interpreter: psql -X "$DATABASE_URL"
                run: select $1, '$NOT_SHELL';
        """,
    )
    code, out, err = lint(cli, "--strict")
    assert (code, out, err) == (0, [], "lint: 1 file, no problems\n")


def test_interpreter_command_is_checked_but_not_its_stdin(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/sql.yaml",
        """
        id: sql
        title: SQL
        sections:
          - id: s
            title: S
            steps:
              - id: q
                lang: sql
                interpreter: psql -X "$DATABASE_URI"
                run: select '$INSIDE';
        """,
    )
    code, out, _ = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/sql.yaml:9:31: error: step 'q' interpreter: '$DATABASE_URI' is not a declared "
        "variable: declare it under 'variables:' so the page lists it and runbook exec can ask "
        "for it"
    ]


def test_bash_syntax_errors_are_located_and_many_steps_cost_one_call_then_none(
    work: Path, cli: Cli
) -> None:
    good = "".join(
        f"      - id: fine-{n}\n        run: |\n          if true; then echo {n}; fi\n"
        for n in range(6)
    )
    head = "id: sx\ntitle: Syntax\nsections:\n  - id: s\n    title: S\n    steps:\n"
    broken = textwrap.indent(
        textwrap.dedent(
            """
            - id: broken-if
              run: |
                echo start
                if true; then
                  echo never closed
            - id: broken-paren
              run: |
                echo (oops
            - id: open-quote
              run: echo 'never closed
            """
        ).lstrip("\n"),
        "      ",
    )
    (work / "runbooks/sx.yaml").write_text(head + broken + good)
    code, out, _ = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/sx.yaml:11:11: error: step 'broken-if': bash syntax: "
        "syntax error: unexpected end of file",
        "runbooks/sx.yaml:14:11: error: step 'broken-paren': bash syntax: "
        "syntax error near unexpected token `oops'",
        "runbooks/sx.yaml:16:19: error: step 'open-quote': bash syntax: "
        "single quote is never closed",
    ]
    # Good steps alone: one bash call for all of them, then none while nothing changes.
    (work / "runbooks/sx.yaml").write_text(head + good)
    fake_bash, log = bash_logger(work)
    from generator.lint.runbooks import LintOptions, lint_tree

    options = LintOptions(cache_dir=str(work / "cache2"), bash=fake_bash)
    assert lint_tree("runbooks", None, options).problems == ()
    assert log.read_text().count("call") == 1
    assert lint_tree("runbooks", None, options).problems == ()
    assert log.read_text().count("call") == 1


def test_exit_status_tested_under_strict_bash_is_a_warning(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/rc.yaml",
        """
        id: rc
        title: RC
        sections:
          - id: s
            title: S
            steps:
              - id: strict
                run: |
                  systemctl is-active nginx
                  if [ $? -ne 0 ]; then echo down; fi
              - id: idiom
                run: |
                  systemctl is-active nginx || rc=$?
                  echo "${rc:-0}"
              - id: relaxed
                strict: false
                run: |
                  systemctl is-active nginx
                  if [ $? -ne 0 ]; then echo down; fi
        """,
    )
    code, out, err = lint(cli)
    assert code == 0
    assert out == [
        "runbooks/rc.yaml:10:16: warning: step 'strict': '$?' is tested after a command that, "
        "under strict bash (-e), already ended the block if it failed: use 'if ! command; "
        "then', 'command || ...', or 'strict: false' [strict-exit-status]"
    ]
    assert err == "lint: 1 file, 1 warning\n"
    code, _, err = lint(cli, "--strict")
    assert code == 3
    assert err == "lint: 1 file, 1 warning (errors under --strict)\n"


PLACEHOLDERS = """
id: ph
title: Placeholders
contacts:
  - role: DBA
    phone: +1-xxx-xxx-xxxx
  - role: Vendor
    name: "[Your contact]"
sections:
  - id: s
    title: S
    body: Ask [your manager] and see [the docs](https://example.com).
    steps:
      - id: rollback
        kind: action
        run: kubectl logs <pod-name> --tail 50
      - id: literal
        run: psql -c "select 1 where query = '<IDLE>'"
"""


def test_placeholders_warn_where_they_are(work: Path, cli: Cli) -> None:
    write(work / "runbooks/ph.yaml", PLACEHOLDERS)
    code, out, _ = lint(cli)
    assert code == 0
    tail = " (fill it in, or accept it with 'lint: {allow: [placeholder]}') [placeholder]"
    assert out == [
        "runbooks/ph.yaml:4:5: warning: contact 'DBA': placeholders 'xxx', 'xxxx' in phone" + tail,
        "runbooks/ph.yaml:6:5: warning: contact 'Vendor': placeholder '[Your contact]' in name"
        + tail,
        "runbooks/ph.yaml:9:5: warning: section 's': placeholder '[your manager]' in body" + tail,
        "runbooks/ph.yaml:15:27: warning: step 'rollback': placeholder '<pod-name>' in run "
        "(use a declared variable instead, or accept it with 'lint: {allow: [placeholder]}') "
        "[placeholder]",
    ]


def test_lint_allow_keeps_accepted_warnings_visible_with_verbose(work: Path, cli: Cli) -> None:
    write(work / "runbooks/ph.yaml", PLACEHOLDERS + "lint: {allow: [placeholder, placholder]}\n")
    code, out, err = lint(cli, "--strict")
    assert code == 3  # the misspelt rule is a warning of its own
    assert out == [
        "runbooks/ph.yaml:18:7: warning: lint.allow: unknown rule 'placholder' "
        "(did you mean 'placeholder'?) [lint-allow]"
    ]
    assert err.endswith("; 4 warnings allowed by lint.allow: --verbose shows them\n")
    write(work / "runbooks/ph.yaml", PLACEHOLDERS + "lint: {allow: [placeholder]}\n")
    code, out, err = lint(cli, "--strict", "--verbose")
    assert code == 0
    assert [line.split(": note: ")[0] for line in out] == [
        "runbooks/ph.yaml:4:5",
        "runbooks/ph.yaml:6:5",
        "runbooks/ph.yaml:9:5",
        "runbooks/ph.yaml:15:27",
    ]
    assert all(": note: allowed by lint.allow: " in line for line in out)


def test_an_error_cannot_be_allowed(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/e.yaml",
        """
        id: e
        title: E
        lint: {allow: [undeclared-variable]}
        sections:
          - {id: s, title: S, steps: [{id: a, run: 'echo "$X"'}]}
        """,
    )
    code, out, _ = lint(cli)
    assert code == 3
    assert out[0] == (
        "runbooks/e.yaml:3:7: warning: lint.allow: 'undeclared-variable' is an error and "
        "cannot be allowed [lint-allow]"
    )
    assert out[1].startswith("runbooks/e.yaml:5:51: error: step 'a': '$X' is not a declared")


def test_stale_review_follows_runbook_today(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/r.yaml",
        """
        id: r
        title: R
        last_reviewed: 2026-09-01
        review_every: 90d
        """,
    )
    write(work / "runbooks/never.yaml", "id: never\ntitle: Never\nreview_every: 30d\n")
    code, out, _ = lint(cli, "runbooks/r.yaml")
    assert (code, out) == (0, [])
    os.environ["RUNBOOK_TODAY"] = "2026-12-01"
    code, out, _ = lint(cli)
    assert code == 0
    assert out == [
        "runbooks/never.yaml:1:1: warning: never reviewed (review_every: 30d): set "
        "last_reviewed after a review [stale-review]",
        "runbooks/r.yaml:1:1: warning: stale: last reviewed 2026-09-01, review was due "
        "2026-11-30 (review_every: 90d) [stale-review]",
    ]
    os.environ["RUNBOOK_TODAY"] = "2026-08-01"
    _, out, _ = lint(cli, "runbooks/r.yaml")
    assert out == [
        "runbooks/r.yaml:1:1: warning: last_reviewed 2026-09-01 is in the future "
        "(today is 2026-08-01) [stale-review]"
    ]
    os.environ["RUNBOOK_TODAY"] = "next tuesday"
    code, _, err = lint(cli)
    assert code == 2
    assert err == "error: RUNBOOK_TODAY='next tuesday' is not an ISO date (2026-10-01)\n"


def test_severity_outside_the_scheme_in_force_is_an_error(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/org/_defaults.yaml",
        """
        severities:
          scheme: P0-P3
          levels: [{id: P0}, {id: P1}, {id: P2}, {id: P3}]
        """,
    )
    write(
        work / "runbooks/org/sev.yaml",
        """
        id: sev
        title: Sev
        severity: P5
        sections:
          - id: s
            title: S
            severity: SEV1
        """,
    )
    write(work / "runbooks/builtin.yaml", "id: builtin\ntitle: B\nseverity: SEV-1\n")
    code, out, _ = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/builtin.yaml:1:1: error: runbook: severity 'SEV-1' is not a level of the "
        "scheme 'builtin' (SEV1, SEV2, SEV3, SEV4) (did you mean 'SEV1'?)",
        "runbooks/org/sev.yaml:1:1: error: runbook: severity 'P5' is not a level of the scheme "
        "'P0-P3' (P0, P1, P2, P3)",
        "runbooks/org/sev.yaml:5:5: error: section 's': severity 'SEV1' is not a level of the "
        "scheme 'P0-P3' (P0, P1, P2, P3)",
    ]


def test_comms_templates_with_bad_syntax_or_unknown_names_are_errors(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/c.yaml",
        """
        id: c
        title: C
        communications:
          templates:
            - id: broken
              body: |
                Status: {{ incident.status
            - id: unknown
              body: |
                Severity: {{ incident.severity }}
                Owner: {{ incident.comander }}
        """,
    )
    code, out, _ = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/c.yaml:7:9: error: comms template 'broken': syntax error: "
        "unexpected end of template, expected 'end of print statement'.",
        "runbooks/c.yaml:11:9: error: comms template 'unknown': 'incident' has no field "
        "'comander' (did you mean 'commander'?)",
    ]


def test_duplicate_ids_across_runbooks_fail_lint(work: Path, cli: Cli) -> None:
    write(work / "runbooks/a.yaml", "id: same\ntitle: A\n")
    write(work / "runbooks/b.yaml", "id: same\ntitle: B\n")
    code, out, _ = lint(cli)
    assert (code, out) == (
        3,
        ["runbooks/b.yaml:1:1: error: duplicate runbook id 'same' (first in runbooks/a.yaml:1)"],
    )


def test_json_format_lists_problems_summary_and_exit_code(work: Path, cli: Cli) -> None:
    write(work / "runbooks/ph.yaml", PLACEHOLDERS)
    code, out, _ = lint(cli, "--format", "json", "--strict")
    report = json.loads("\n".join(out))
    assert code == 3 == report["exit_code"]
    assert report["summary"] == {
        "files": 1, "errors": 0, "warnings": 4, "allowed": 0, "strict": True,
    }  # fmt: skip
    assert report["problems"][0] == {
        "path": "runbooks/ph.yaml",
        "line": 4,
        "col": 5,
        "severity": "warning",
        "rule": "placeholder",
        "message": "contact 'DBA': placeholders 'xxx', 'xxxx' in phone (fill it in, or accept "
        "it with 'lint: {allow: [placeholder]}')",
    }


def test_markdown_runbooks_are_linted_too(work: Path, cli: Cli) -> None:
    write(
        work / "page.md",
        """
        # Page

        ```yaml {.runbook-variables}
        HOST: {default: localhost}
        ```

        ```bash {#p--ping .check}
        ping -c1 "$HOST" && echo "$PORT"
        ```

        ```bash {#p--bad .check}
        if true; then
        ```
        """,
    )
    code, out, _ = lint(cli, "page.md")
    assert code == 3
    assert out == [
        "page.md:8:27: error: block 'p--ping': '$PORT' is not a declared variable: declare it "
        "in the page's ```yaml {.runbook-variables}``` block so the page lists it and "
        "runbook exec can ask for it",
        "page.md:12:1: error: block 'p--bad': bash syntax: syntax error: unexpected end of file",
    ]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_console_script_loses_no_output(work: Path, fmt: str) -> None:
    # All the output reaches the pipe: more than a pipe holds (text), or less than a
    # buffer (the JSON is one write).
    count = 900 if fmt == "text" else 3
    contacts = "".join(f"  - {{name: '[Your contact]', role: r{i}}}\n" for i in range(count))
    write(work / "runbooks" / "x.yaml", f"id: x\ntitle: X\ncontacts:\n{contacts}")
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered
    script = (
        f"import sys; sys.argv = ['runbook', 'lint', '--strict', '--format', '{fmt}']; "
        "from generator.cli import main; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    if fmt == "json":
        assert len(json.loads(proc.stdout)["problems"]) == 3
    else:
        assert len(proc.stdout.splitlines()) == 900
        assert proc.stdout.splitlines()[-1].startswith("runbooks/x.yaml:903:")


def test_missing_path_is_a_usage_error(work: Path, cli: Cli) -> None:
    code, out, err = lint(cli, "runbooks/nope.yaml")
    assert (code, out, err) == (2, [], "error: runbooks/nope.yaml: no such file or directory\n")


def test_repository_runbooks_lint_clean_but_for_the_explained_stale_seed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cli: Cli
) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("RUNBOOK_TODAY", "2026-11-26")
    monkeypatch.setenv("RUNBOOK_CACHE_DIR", str(tmp_path))
    code, out, _ = lint(cli, "--strict")
    # Seed 003 was last reviewed 2025-11-01 (monthly): its YAML says why the date stays.
    assert out == [
        "runbooks/saaspe/saaspe-production-incident.yaml:8:1: warning: stale: last reviewed "
        "2025-11-01, review was due 2025-12-01 (review_every: 30d) [stale-review]"
    ]
    assert code == 3
    source = (REPO / "runbooks/saaspe/saaspe-production-incident.yaml").read_text()
    assert "stale-review" in source.split("\nid:")[0]


@given(st.text(max_size=300))
def test_the_shell_scanner_never_raises(text: str) -> None:
    scan = scan_shell(text)
    lines = text.split("\n")
    for ref in scan.references:
        assert (
            lines[ref.line][ref.col :].lstrip("${#!").startswith(ref.name)
            or ref.name in (lines[ref.line])
        )


@given(st.lists(st.sampled_from(["A", "B_2", "host", "X"]), min_size=1, max_size=4))
def test_every_double_quoted_reference_is_found_and_no_single_quoted_one(
    names: list[str],
) -> None:
    text = " ".join(f"\"${n}\" '${n}_lit'" for n in names)
    assert [r.name for r in scan_shell(text).references] == names


def test_cached_results_follow_the_defaults_a_runbook_inherits(
    work: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(work / "runbooks/org/_defaults.yaml", "contacts: [{role: DBA, phone: '+1-555-0100'}]\n")
    write(work / "runbooks/org/r.yaml", "id: r\ntitle: R\n")
    write(work / "runbooks/other/o.yaml", "id: o\ntitle: O\n")
    assert lint(cli)[:2] == (0, [])
    write(work / "runbooks/other/o.yaml", "id: o\ntitle: O changed\n")
    assert lint(cli, "runbooks/other")[:2] == (0, [])  # a run over one folder ...
    import generator.lint.batch

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached runbook was linted again")

    with monkeypatch.context() as patched:
        patched.setattr(generator.lint.batch, "runbook_problems", fail)
        assert lint(cli)[:2] == (0, [])  # ... keeps the others' results: nothing to do
    # The runbook file is unchanged, but what it inherits is not: linted again.
    write(work / "runbooks/org/_defaults.yaml", "contacts: [{role: DBA, phone: '+1-xxx'}]\n")
    code, out, _ = lint(cli)
    assert (code, [line.split(": warning:")[0] for line in out]) == (
        0, ["runbooks/org/_defaults.yaml:1:12"],
    )  # fmt: skip


def test_a_lint_cache_others_may_write_is_not_read(work: Path, cli: Cli) -> None:
    write(work / "runbooks/r.yaml", "id: r\ntitle: R\nbogus: 1\n")
    first = lint(cli)
    (cached,) = (work / "cache").glob("lint-*.pickle")
    marker = work / "ran"
    cached.write_bytes(trapped_pickle(marker))
    cached.chmod(0o666)  # as anyone could have written it
    assert lint(cli) == first
    assert not marker.exists()
    cached.write_bytes(trapped_pickle(marker))
    cached.chmod(0o644)  # this user's own: read, and a pickle runs what it says
    lint(cli)
    assert marker.is_dir()


def test_bash_syntax_gives_each_block_its_own_result_when_one_swallows_the_rest() -> None:
    from checks.shell.syntax import SyntaxProblem, check_bash_syntax

    blocks = ["echo one", "echo 'never closed", "echo three", "if true; then", "echo five"]
    assert check_bash_syntax(blocks) == [
        None,
        SyntaxProblem(1, "unexpected EOF while looking for matching `''"),
        None,
        SyntaxProblem(2, "syntax error: unexpected end of file"),  # bash: the line after
        None,
    ]


def test_labels_must_fill_a_declared_variable_that_is_not_a_secret(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/lag.yaml",
        """
        id: lag
        title: Lag
        alerts: [LagHigh]
        labels: {instance: REPLICA_HOTS, pod: DB_PASSWORD, namespace: NAMESPACE}
        variables:
          REPLICA_HOST: The replica
          NAMESPACE: Kubernetes namespace
          DB_PASSWORD: {secret: true}
        """,
    )
    code, out, _ = lint(cli)
    assert code == 3
    assert out == [
        "runbooks/lag.yaml:1:1: error: labels: 'instance' fills variable 'REPLICA_HOTS', "
        "which 'variables:' does not declare (did you mean 'REPLICA_HOST'?)",
        "runbooks/lag.yaml:1:1: error: labels: 'pod' fills the secret 'DB_PASSWORD': the page "
        "never takes a secret's value (it stays in the terminal)",
    ]
