"""checks.extract: tagged fences become located checks; misplaced ones are located errors."""

from __future__ import annotations

import textwrap

from checks.extract import extract_markdown
from checks.model import Risk


def _extract(text: str):  # type: ignore[no-untyped-def]
    return extract_markdown(textwrap.dedent(text).lstrip("\n"), "page.md")


PAGE = """
# Database pool

```yaml {.runbook-variables}
DB_HOST: {description: Primary host, default: localhost}
DB_PASSWORD: {secret: true, required: true}
PORT: {default: 5432, pattern: '^\\d+$', choices: [5432, 6432]}
```

## Diagnosis {#diagnose}

### Count connections

```bash {#db--count .check timeout=10 expect-exit=0,1 requires=psql tags=pg}
psql -h "$DB_HOST" -Atc "select 1"
```

```text {.expected-output for=db--count}
1
```

### Restart

```bash {#db--restart .destructive}
systemctl restart app
```

```text {.sample-output for=db--restart}
ok
```

```bash
echo "an untagged block is documentation"
```
"""


def test_tagged_blocks_become_checks_with_options_title_section_and_location() -> None:
    result = _extract(PAGE)
    assert result.problems == ()
    count, restart = result.checks
    assert count.id == "db--count"
    assert count.risk is Risk.CHECK
    assert count.command == 'psql -h "$DB_HOST" -Atc "select 1"\n'
    assert count.options.timeout == 10.0
    assert count.options.expect_exit == (0, 1)
    assert count.options.requires == ("psql",)
    assert count.options.tags == ("pg",)
    assert str(count.location) == "page.md:13:1"
    assert count.title == "Count connections"
    assert count.section == "diagnose"
    assert count.expected_output == "1\n"
    assert restart.risk is Risk.DESTRUCTIVE
    assert restart.sample_output == "ok\n"
    assert restart.expected_output is None
    assert result.sections == {"db--count": ("diagnose",), "db--restart": ("diagnose",)}


def test_variables_block_gives_typed_located_variables() -> None:
    result = _extract(PAGE)
    host, password, port = result.variables
    assert (host.name, host.description, host.default) == ("DB_HOST", "Primary host", "localhost")
    assert str(host.location) == "page.md:4:1"
    assert password.secret and password.required and password.default is None
    assert port.default == "5432"
    assert port.choices == ("5432", "6432")
    assert str(port.location) == "page.md:6:1"


def test_variables_block_unknown_key_is_located() -> None:
    result = _extract(
        """
        ```yaml {.runbook-variables}
        A: {description: x}
        B: {secrte: true}
        ```
        """
    )
    assert [str(p) for p in result.problems] == [
        "page.md:3:5: error: variable 'B': unknown key 'secrte' (did you mean 'secret'?)"
    ]
    assert [v.name for v in result.variables] == ["A"]


def test_malformed_header_points_at_the_bad_key() -> None:
    result = _extract(
        """
        text

        ```bash {#a--b .check tmeout=5}
        echo
        ```
        """
    )
    assert [str(p) for p in result.problems] == [
        "page.md:3:23: error: unknown key 'tmeout' (did you mean 'timeout'?)"
    ]
    assert result.checks == ()


def test_bad_value_and_missing_id_are_located_errors() -> None:
    result = _extract(
        """
        ```bash {#a--b .check timeout=soon}
        echo
        ```

        ```bash {.action}
        echo
        ```
        """
    )
    assert [str(p) for p in result.problems] == [
        "page.md:1:23: error: timeout: 'soon' is not a duration (expected e.g. 30s, 5m, 2h, 90d)",
        "page.md:5:9: error: an executable block needs an id ('#runbook--step')",
    ]


def test_fence_in_list_item_is_an_error_not_a_silent_block() -> None:
    result = _extract(
        """
        1. First do this:

           ```bash {#a--b .check}
           echo hi
           ```
        """
    )
    assert result.checks == ()
    assert [str(p) for p in result.problems] == [
        "page.md:3:4: error: tagged block inside a list item: the site does not show it "
        "as a runnable code block; move it to the top level"
    ]


def test_fence_without_blank_line_before_is_an_error() -> None:
    result = _extract(
        """
        Run this:
        ```bash {#a--b .check}
        echo hi
        ```
        """
    )
    assert result.checks == ()
    assert [str(p) for p in result.problems] == [
        "page.md:2:1: error: tagged block needs a blank line before it (the site would glue "
        "it to the text above)"
    ]


def test_unclosed_or_overlong_closed_fence_is_an_error_not_a_block() -> None:
    # Python-Markdown shows both as a paragraph; markdown-it would have run them.
    unclosed = _extract(
        """
        # T

        ```bash {#a--b .check}
        echo RUNS
        """
    )
    overlong = _extract(
        """
        ```bash {#a--b .check}
        echo RUNS
        ````

        ```bash {#a--c .check}
        echo fine
        ```
        """
    )
    message = (
        "error: tagged block is not closed by a line of exactly '```': the site would show "
        "it as text, so it never runs"
    )
    assert unclosed.checks == ()
    assert [str(p) for p in unclosed.problems] == [f"page.md:3:1: {message}"]
    # (SuperFences runs a--b on to the next exact '```', swallowing a--c: a page with a
    # problem never runs at all.)
    assert "a--b" not in [c.id for c in overlong.checks]
    assert [str(p) for p in overlong.problems] == [f"page.md:1:1: {message}"]


def test_fence_inside_admonition_is_an_error() -> None:
    result = _extract(
        """
        !!! warning

            ```bash {#a--b .check}
            echo hi
            ```
        """
    )
    assert result.checks == ()
    assert [str(p) for p in result.problems] == [
        "page.md:3:5: error: tagged block is indented (inside an admonition or code block): "
        "it is not extracted; move it to the top level or into a top-level content tab"
    ]


def test_syntax_shown_inside_an_outer_fence_is_documentation() -> None:
    result = _extract(
        """
        ````markdown
        ```bash {#a--b .check}
        echo hi
        ```
        ````
        """
    )
    assert result.checks == () and result.problems == ()


def test_duplicate_id_and_unknown_for_are_errors() -> None:
    result = _extract(
        """
        ```bash {#a--b .check}
        one
        ```

        ```bash {#a--b .check}
        two
        ```

        ```text {.expected-output for=a--c}
        x
        ```
        """
    )
    assert [c.command for c in result.checks] == ["one\n"]
    assert [str(p) for p in result.problems] == [
        "page.md:5:1: error: duplicate block id 'a--b' (first at page.md:1:1)",
        "page.md:9:1: error: for='a--c' names no block on this page (did you mean 'a--b'?)",
    ]


def test_fences_in_content_tabs_run_like_top_level_ones() -> None:
    result = _extract(
        """
        ## Fix {#fix}

        === "If a deploy went out"
            ```bash {#a--rollback .action}
            kubectl rollout undo deploy/api

            kubectl rollout status deploy/api
            ```

            ```text {.sample-output for=a--rollback}
            rolled back
            ```

        === "Otherwise"

            === "Nested"

                ```sql {#a--inner .check}
                select 1
                ```

        ```bash {#a--after .check}
        === "not a tab title inside a fence"
            echo still code
        ```
        """
    )
    assert result.problems == ()
    assert [(c.id, c.command, str(c.location), c.section) for c in result.checks] == [
        (
            "a--rollback",
            "kubectl rollout undo deploy/api\n\nkubectl rollout status deploy/api\n",
            "page.md:4:5",
            "fix",
        ),
        ("a--inner", "select 1\n", "page.md:18:9", "fix"),
        (
            "a--after",
            '=== "not a tab title inside a fence"\n    echo still code\n',
            "page.md:22:1",
            "fix",
        ),
    ]
    assert result.checks[0].sample_output == "rolled back\n"


def test_fences_a_tab_does_not_show_as_code_are_located_errors() -> None:
    result = _extract(
        """
        === "Glued"

            Run this:
            ```bash {#a--glued .check}
            echo hi
            ```

        === "In a list"

            - step

                ```bash {#a--listed .check}
                echo hi
                ```

        === "In an admonition"

            !!! note

                ```bash {#a--noted .check}
                echo hi
                ```
        """
    )
    assert result.checks == ()
    assert [str(p) for p in result.problems] == [
        "page.md:4:5: error: tagged block needs a blank line before it (the site would glue "
        "it to the text above)",
        "page.md:12:9: error: tagged block inside a list item: the site does not show it as a "
        "runnable code block; move it to the top level",
        "page.md:20:9: error: tagged block is indented (inside an admonition or code block): "
        "it is not extracted; move it to the top level or into a top-level content tab",
    ]
