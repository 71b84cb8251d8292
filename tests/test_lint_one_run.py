"""``runbook lint`` catches what silently loses text, and says everything in one run: a
`` #word`` that YAML took for a comment, a flow mapping a `` #`` broke, a variable whose
example or default its own pattern or choices reject; schema errors and the rules' problems
of the same file together (issue 13, item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import Cli, write

pytestmark = pytest.mark.work(
    runbooks=True, env={"RUNBOOK_TODAY": "2026-11-26", "RUNBOOK_CACHE_DIR": "{work}/cache"}
)


def test_a_hash_word_in_an_unquoted_value_warns_where_the_text_is_cut(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/orders.yaml",
        """
        # yaml-language-server: $schema=../runbook.schema.json
        id: orders
        title: Orders API down
        summary: say in #inc-orders that you are on it
        severity: SEV2      # a comment, as written
        owner: '#team-orders'
        tags:
          - issue #1234
        sections:
          - id: triage
            title: Triage
            body: "Quoted: #inc-orders stays"
            checklist:
              - Open #incidents and post the link
        """,
    )
    code, out, err = cli("lint")
    assert out.splitlines() == [
        "runbooks/orders.yaml:4:17: warning: 'summary' is cut short: YAML reads "
        "'#inc-orders that you are on it' as a comment, so the value is only 'say in'; "
        "quote it to keep the rest: 'say in #inc-orders that you are on it' [cut-by-comment]",
        "runbooks/orders.yaml:8:11: warning: 'tags' is cut short: YAML reads '#1234' as a "
        "comment, so the value is only 'issue'; quote it to keep the rest: 'issue #1234' "
        "[cut-by-comment]",
        "runbooks/orders.yaml:14:14: warning: 'checklist' is cut short: YAML reads "
        "'#incidents and post the link' as a comment, so the value is only 'Open'; quote it "
        "to keep the rest: 'Open #incidents and post the link' [cut-by-comment]",
    ]
    assert (code, err) == (0, "lint: 1 file, 3 warnings\n")
    assert cli("lint", "--strict").returncode == 3


def test_a_value_cut_in_a_defaults_file_is_told_once(work: Path, cli: Cli) -> None:
    write(work / "runbooks/_defaults.yaml", "title: Orders team\nowner: ops #team-orders\n")
    for name in ("orders", "refunds"):
        write(work / f"runbooks/{name}.yaml", f"id: {name}\ntitle: {name.title()} down\n")
    _, out, _ = cli("lint")
    assert [line for line in out.splitlines() if "[cut-by-comment]" in line] == [
        "runbooks/_defaults.yaml:2:12: warning: 'owner' is cut short: YAML reads "
        "'#team-orders' as a comment, so the value is only 'ops'; quote it to keep the rest: "
        "'ops #team-orders' [cut-by-comment]"
    ]


def test_a_cut_value_can_be_allowed_deliberately(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/orders.yaml",
        """
        id: orders
        title: Orders
        summary: fine #not-a-channel
        lint: {allow: [cut-by-comment]}
        """,
    )
    assert cli("lint", "--strict") == (
        0,
        "",
        "lint: 1 file, no problems; 1 warning allowed by lint.allow: --verbose shows them\n",
    )


def test_a_flow_mapping_broken_by_a_hash_points_at_the_hash(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/orders.yaml",
        """
        id: orders
        title: Orders
        sections:
          - id: triage
            title: Triage
            steps:
              - {id: tell, kind: manual, run: say in #inc-orders that you are on it}
              - {id: health, run: curl -fsS localhost:8080/health}
        """,
    )
    code, out, _ = cli("lint")
    assert code == 3
    assert out.splitlines() == [
        "runbooks/orders.yaml:8:7: error: invalid YAML: did not find expected ',' or '}' "
        "(while parsing a flow mapping at line 7); the ' #' at line 7, column 46 starts a "
        "comment that hides the rest of that line: quote the value that holds it"
    ]


def test_a_variables_example_and_default_must_fit_its_pattern_and_choices(
    work: Path, cli: Cli
) -> None:
    write(
        work / "runbooks/orders.yaml",
        """
        id: orders
        title: Orders
        variables:
          SERVICE_URL:
            pattern: '^https?://'
            example: http://127.0.0.1:8080
          REGION:
            choices: [eu-west-1, us-east-1]
            example: eu-central-1
            default: us-east-1
        """,
    )
    code, out, _ = cli("lint")
    assert code == 3
    assert out.splitlines() == [
        "runbooks/orders.yaml:6:5: error: variable 'SERVICE_URL': example "
        "'http://127.0.0.1:8080' does not match pattern '^https?://'",
        "runbooks/orders.yaml:9:5: error: variable 'REGION': example 'eu-central-1' is not "
        "one of the choices: eu-west-1, us-east-1",
    ]


def test_schema_errors_and_rule_problems_come_in_one_run(work: Path, cli: Cli) -> None:
    write(
        work / "runbooks/orders.yaml",
        """
        id: orders
        title: Orders
        last_reviewed: last week
        review_every: 90d
        variables:
          PORT: {pattern: '[0-9]+', default: 80x}
        sections:
          - id: triage
            title: Triage
            bogus: 1
            steps:
              - id: health
                run: curl -fsS "localhost:$PORT/health?token=$TOKEN"
              - id: ask
                kind: manual
                run: Ask in the channel
                body: Call [Your contact] first
        """,
    )
    code, out, err = cli("lint")
    assert out.splitlines() == [
        "runbooks/orders.yaml:3:16: error: 'last_reviewed' must be a date like 2026-10-01, "
        "got 'last week'",
        "runbooks/orders.yaml:6:29: error: variable 'PORT': default '80x' does not match "
        "pattern '[0-9]+'",
        "runbooks/orders.yaml:10:5: error: section 'triage': unknown key 'bogus'",
        "runbooks/orders.yaml:13:54: error: step 'health': '$TOKEN' is not a declared "
        "variable: declare it under 'variables:' so the page lists it and runbook exec can "
        "ask for it",
        "runbooks/orders.yaml:14:9: warning: step 'ask': placeholder '[Your contact]' in body "
        "(fill it in, or accept it with 'lint: {allow: [placeholder]}') [placeholder]",
    ]
    assert (code, err) == (3, "lint: 1 file, 4 errors, 1 warning\n")


def test_a_markdown_pages_variables_are_held_to_their_pattern_and_choices_too(
    work: Path, cli: Cli
) -> None:
    write(
        work / "page.md",
        """
        # Orders

        ```yaml {.runbook-variables}
        SERVICE_URL: {pattern: '^https?://', example: 'http://127.0.0.1:8080'}
        REGION: {choices: [eu-west-1, us-east-1], default: eu-west-1}
        ```

        ```bash {#orders--health .check}
        curl -fsS "$SERVICE_URL/health?region=$REGION"
        ```
        """,
    )
    code, out, _ = cli("lint", "page.md")
    assert code == 3
    assert out.splitlines() == [
        "page.md:4:38: error: variable 'SERVICE_URL': example 'http://127.0.0.1:8080' does "
        "not match pattern '^https?://'",
    ]


def test_an_empty_root_says_where_lint_looked(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "runbooks").mkdir()
    code, out, err = cli("lint", "--root", str(tmp_path / "runbooks"), cwd=tmp_path)
    assert (code, out) == (0, "")
    assert err.splitlines() == [
        "lint: 0 files, no problems",
        f"note: no runbook under {tmp_path / 'runbooks'}: `runbook new ID` writes one, "
        "or pass --root DIR",
    ]
