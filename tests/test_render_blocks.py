"""Rendered pages give back every executable step: model -> Markdown -> extract."""

from __future__ import annotations

from checks.extract import extract_markdown
from checks.header import parse_header
from checks.model import Risk, Variable
from generator.model import Expect, Resolution, Runbook, Scenario, Section, Step
from generator.render.blocks import block_options
from generator.render.page import render_runbook


def _runbook(*steps: Step, variables: tuple[Variable, ...] = ()) -> Runbook:
    return Runbook(
        id="db",
        title="DB",
        variables=variables,
        sections=(Section(id="diagnose", title="Diagnose", steps=steps),),
    )


def test_check_step_becomes_one_tagged_fence_with_its_header() -> None:
    step = Step(
        id="count",
        title="Count connections",
        run='psql -Atc "select 1"',
        timeout=10,
        requires=("psql",),
        expect=Expect(exit=(0, 1), stdout=r"^\d+$"),
        expected_output="1\n",
    )
    page = render_runbook(_runbook(step))
    assert (
        '```bash {#db--count .check timeout=10 expect-exit=0,1 expect-stdout="^\\\\d+$" '
        "requires=psql}\n"
        'psql -Atc "select 1"\n'
        "```\n"
        "\n"
        "```text {.expected-output for=db--count}\n"
        "1\n"
        "```\n"
    ) in page
    ex = extract_markdown(page, "db.md")
    assert ex.problems == ()
    (check,) = ex.checks
    assert check.id == "db--count"
    assert check.command == 'psql -Atc "select 1"\n'
    assert check.options == block_options(step)
    assert check.expected_output == "1\n"
    assert check.title == "Count connections"
    assert check.section == "diagnose"


def test_fixed_env_is_shown_in_the_command_it_runs() -> None:
    step = Step(id="q", run="psql -c 'select 1'", env=(("PGCONNECT_TIMEOUT", "5 s"),))
    (check,) = extract_markdown(render_runbook(_runbook(step)), "db.md").checks
    assert check.command == "export PGCONNECT_TIMEOUT='5 s'\npsql -c 'select 1'\n"


def test_fixed_env_goes_in_front_of_an_interpreter() -> None:
    step = Step(id="q", run="select 1;", interpreter='psql -X "$DATABASE_URL"', env=(("A", "1"),))
    (check,) = extract_markdown(render_runbook(_runbook(step)), "db.md").checks
    assert check.command == "select 1;\n"
    assert check.options.interpreter == 'env A=1 psql -X "$DATABASE_URL"'


def test_text_only_manual_step_has_no_block_and_manual_with_run_has_one() -> None:
    prose = Step(id="tell", title="Tell people", kind=Risk.MANUAL, body="Post in #incident")
    typed = Step(id="console", kind=Risk.MANUAL, lang="text", run="Open the console")
    ex = extract_markdown(render_runbook(_runbook(prose, typed)), "db.md")
    assert [(c.id, c.risk) for c in ex.checks] == [("db--console", Risk.MANUAL)]


def test_backticks_in_a_command_lengthen_the_fence() -> None:
    step = Step(id="t", run="echo '```'\necho ````")
    page = render_runbook(_runbook(step))
    assert "`````bash {#db--t .check}\necho '```'\necho ````\n`````" in page
    (check,) = extract_markdown(page, "db.md").checks
    assert check.command == "echo '```'\necho ````\n"


def test_variables_block_never_shows_a_secret_value() -> None:
    variables = (
        Variable("DB_HOST", "Primary host", default="localhost", choices=("localhost", "db")),
        Variable("DB_PASSWORD", "Password", default="hunter2", example="s3cret", secret=True),
        Variable("PORT", pattern=r"^\d+$", default="5432", required=True, example="true"),
    )
    page = render_runbook(_runbook(Step(id="x", run="true"), variables=variables))
    assert "hunter2" not in page and "s3cret" not in page
    got = extract_markdown(page, "db.md").variables
    assert [
        (v.name, v.default, v.secret, v.required, v.pattern, v.choices, v.example) for v in got
    ] == [
        ("DB_HOST", "localhost", False, False, None, ("localhost", "db"), None),
        ("DB_PASSWORD", None, True, False, None, (), None),
        ("PORT", "5432", False, True, r"^\d+$", (), "true"),
    ]


def test_resolution_options_are_tabs_whose_blocks_run() -> None:
    rb = Runbook(
        id="db",
        title="DB",
        scenarios=(
            Scenario(
                id="pool",
                title="Pool exhausted",
                resolution=(
                    Resolution(
                        when="If bad deployment",
                        steps=(Step(id="rollback", run="x", kind=Risk.ACTION),),
                    ),
                    Resolution(when="If leak", body="Restart the pods"),
                ),
            ),
        ),
    )
    page = render_runbook(rb)
    assert (
        '#### Resolution\n\n=== "If bad deployment"\n\n    ##### rollback\n\n'
        "    **action**\n    {: .runbook-meta .risk-action }\n\n"
        "    ```bash {#db--rollback .action}\n    x\n    ```\n\n"
        '=== "If leak"\n\n    Restart the pods\n'
    ) in page
    ex = extract_markdown(page, "db.md")
    assert ex.problems == ()
    assert [(c.id, c.section, c.location.line, c.location.col) for c in ex.checks] == [
        (
            "db--rollback",
            "pool",
            page.splitlines().index("    ```bash {#db--rollback .action}") + 1,
            5,
        )
    ]


def test_every_header_parses_back_to_the_step_options() -> None:
    step = Step(
        id="all",
        kind=Risk.DESTRUCTIVE,
        lang="sh",
        shell="sh",
        run="rm -rf /tmp/x",
        timeout=1.5,
        strict=False,
        interactive=True,
        follow=True,
        ci=False,
        ci_reason='needs "prod"',
        tags=("a", "b"),
        cwd="sub dir",
        expect=Expect(contains="done }"),
    )
    page = render_runbook(_runbook(step))
    info = next(line for line in page.splitlines() if "#db--all" in line)
    header = parse_header(info.lstrip("`"))
    assert header.id == "db--all"
    assert header.risk is Risk.DESTRUCTIVE
    assert header.lang == "sh"
    assert header.options == block_options(step)
