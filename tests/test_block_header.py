"""The fenced-block header grammar: what the generator writes, the executor reads back."""

from __future__ import annotations

import re

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from checks.header import (
    BlockHeader,
    HeaderError,
    format_header,
    parse_duration,
    parse_header,
)
from checks.model import BlockOptions, Risk

SITE_EXTENSIONS = ["attr_list", "pymdownx.superfences", "pymdownx.highlight"]

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r"),
    max_size=20,
)
_item = st.text(
    alphabet=st.characters(
        whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_.:/@+$"
    ),
    min_size=1,
    max_size=12,
)
_regex = st.sampled_from([r"^\d+$", r"ok \"quoted\" }", r"a\\b", "x{2,3}", r"^\s*$", "'single'"])
_options = st.builds(
    BlockOptions,
    timeout=st.one_of(st.none(), st.integers(1, 86400).map(float), st.just(0.5)),
    expect_exit=st.lists(st.integers(0, 255), min_size=1, max_size=3).map(tuple),
    expect_stdout=st.one_of(st.none(), _regex),
    expect_contains=st.one_of(st.none(), _text.filter(bool)),
    requires=st.lists(_item, max_size=3).map(tuple),
    env=st.lists(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), max_size=3).map(tuple),
    cwd=st.one_of(st.none(), _text.filter(bool)),
    shell=st.one_of(st.none(), st.sampled_from(["sh", "zsh", "/bin/dash"])),
    interpreter=st.one_of(st.none(), st.sampled_from(["python3", 'psql -X "$DATABASE_URL"'])),
    strict=st.booleans(),
    interactive=st.booleans(),
    follow=st.booleans(),
    ci=st.booleans(),
    ci_reason=st.one_of(st.none(), _text.filter(bool)),
    tags=st.lists(_item, max_size=3).map(tuple),
)
_ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}--[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
_risk = st.sampled_from([r.value for r in Risk])


@given(ident=_ids, risk=_risk, options=_options, lang=st.sampled_from(["bash", "sh", "sql"]))
def test_format_then_parse_gives_back_every_option(
    ident: str, risk: str, options: BlockOptions, lang: str
) -> None:
    header = BlockHeader(lang=lang, id=ident, classes=(risk,), options=options)
    assert parse_header(format_header(header)) == header


@given(ident=_ids, options=_options)
def test_every_formatted_header_renders_as_code_in_python_markdown(
    ident: str, options: BlockOptions
) -> None:
    info = format_header(BlockHeader(lang="bash", id=ident, classes=("check",), options=options))
    html = markdown.markdown(f"```{info}\necho marker\n```\n", extensions=SITE_EXTENSIONS)
    assert f'id="{ident}"' in html
    assert "<code>" in html and "marker" in html
    assert "<p>" not in html


def test_header_writes_only_what_differs_from_the_defaults() -> None:
    header = BlockHeader(
        lang="bash",
        id="db--count",
        classes=("check",),
        options=BlockOptions(timeout=10, requires=("psql", "env:DB_HOST"), strict=False),
    )
    assert format_header(header) == (
        "bash {#db--count .check timeout=10 requires=psql,env:DB_HOST strict=false}"
    )


def test_output_blocks_carry_their_block_id() -> None:
    header = parse_header("text {.expected-output for=db--count}")
    assert header.role == "expected-output"
    assert header.for_id == "db--count"
    assert format_header(header) == "text {.expected-output for=db--count}"


def test_documentation_blocks_keep_unknown_attributes() -> None:
    header = parse_header("python {.annotate data-x=1}")
    assert header.role == "doc"
    assert header.extra == (("data-x", "1"),)


@pytest.mark.parametrize(
    ("info", "offset", "message"),
    [
        ("bash {#a--b .check tmeout=3}", 19, "unknown key 'tmeout' (did you mean 'timeout'?)"),
        (
            "bash {#a--b .check timeout=soon}",
            19,
            "timeout: 'soon' is not a duration (expected e.g. 30s, 5m, 2h, 90d)",
        ),
        ("bash {#a--b .check timeout=0}", 19, "timeout: '0' must be more than zero"),
        ("bash {.check}", 5, "an executable block needs an id ('#runbook--step')"),
        ("bash {#a--b .check", 18, "attribute list is not closed with '}'"),
        ("text {.expected-output}", 5, "a .expected-output block needs 'for=<block id>'"),
        (
            "bash {#a--b .check expect-exit=0,x}",
            19,
            "expect-exit: '0,x' is not a comma list of exit codes (e.g. 0,1)",
        ),
        ("bash {#a--b .check expect-exit=256}", 19, "expect-exit: '256' has a code outside 0-255"),
        ("bash {#a--b .check strict=maybe}", 19, "strict: 'maybe' is not true or false"),
        ("bash {#a--b .check .action}", 5, "more than one risk class: .check, .action"),
        ("bash {#a--b .check timeout=1 timeout=2}", 29, "key 'timeout' given twice"),
        ("bash {#a--b .check tags=a,,b}", 19, "tags: 'a,,b' has an empty item"),
        ('bash {#a--b .check cwd="/tmp}', 23, "unterminated quoted value"),
        ('bash {#a--b .check cwd=a"b}', 24, "cwd: quote values that contain '\"'"),
        ("bash {#a--b .check !x}", 19, "expected '#id', '.class' or 'key=value', got '!x'"),
        ("bash {#a--b #c--d .check}", 12, "second id '#c--d' (a block has one id)"),
        (
            'bash {#a--b .check expect-stdout="("}',
            19,
            "expect-stdout: '(' is not a valid regex: missing ), unterminated subpattern "
            "at position 0",
        ),
        (
            "text {.sample-output for=x other=1}",
            27,
            "unknown key 'other' on a .sample-output block",
        ),
    ],
)
def test_malformed_header_is_a_located_error(info: str, offset: int, message: str) -> None:
    with pytest.raises(HeaderError) as caught:
        parse_header(info)
    assert caught.value.message == message
    assert caught.value.offset == offset


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("10s", 10), ("1.5m", 90), ("2h30m", 9000), ("90d", 7776000), ("250ms", 0.25)],
)
def test_durations_read_like_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 minutes", "-3s", "1x"])
def test_bad_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"'{text}' is not a duration")):
        parse_duration(text)
