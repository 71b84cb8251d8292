"""No input file ever gets a traceback: YAML runbooks and Markdown pages made of hostile
pieces (invalid UTF-8, NUL, a byte order mark, CRLF, escape sequences, deep nesting, huge
numbers, HTML around fences) through lint, list, exec --dry-run and build. Each command
ends with an exit code of the table (an uncaught exception fails the test with its
traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import REPO, Cli, mkdocs_yml

EXIT_CODES = {0, 1, 2, 3, 4}
COMMON = [
    b"\n", b"\r\n", b" ", b"\t", b"\xff", b"\xc3", b"\x00", b"\xef\xbb\xbf", b"\x1b[2K\r",
    b"\xe2\x80\xae", b"\x85", b"caf\xc3\xa9", b"{", b"}", b"[", b"]", b"'", b'"', b"\\",
]  # fmt: skip
STEP = (
    b"sections:\n  - id: s\n    title: S\n    steps:\n      - id: x\n        title: X\n"
    b"        kind: check\n"
)
YAML_PIECES = [
    *COMMON,
    b"id: a\n", b"id: same\n", b"title: T\n", STEP, b"        run: ", b"echo hi\n",
    b"        timeout: ", b"'99999999999999999999999999'\n", b"'0.0001ms'\n", b".inf\n",
    b"10s\n", b"last_reviewed: 9999-12-31\n", b"review_every: 90d\n",
    b"alerts: [../index, .git, index.html]\n", b"service: " + b"s" * 300 + b"\n",
    b"variables: {V: {secret: true, default: x}}\n", b"variables: {V: {pattern: '(a+)+$'}}\n",
    b"!!python/none ", b"!!binary ", b"&a ", b"*a ", b"<<: *a\n", b"- ", b": ", b"---\n",
    b"[" * 300, b"{a: " * 100, b"- " * 200 + b"x\n", b"9" * 400,
]  # fmt: skip
MARKDOWN_PIECES = [
    *COMMON,
    b"# T\n", b"## S {#s}\n", b"```bash {#m--x .check}\n", b"```bash {#m--x .action}\n",
    b"```\n", b"~~~\n", b"echo hi\n", b"```yaml {.runbook-variables}\n",
    b"V: {secret: true}\n", b"V:\n  default: !!python/none\n", b"V: [\n",
    b"```text {.expected-output for=m--x}\n", b"```bash {#m--x .check timeout=1e999}\n",
    b"```bash {#m--x .check timeout=99999999999999999999d}\n",
    b"```bash {#m--y .check expect-stdout=\"(\"}\n", b'<div markdown="1">\n', b"</div>\n",
    b"<pre>\n", b"</pre>\n", b"<x-el>\n", b"> ", b"- ", b"1. ", b"    ", b'=== "Tab"\n',
    b"!!! note\n", b"> " * 200 + b"x\n", b"- " * 200 + b"x\n", b"[" * 500, b"`" * 40,
]  # fmt: skip


# Whole top-level lines: most documents load, so the rules, the pages and the runner
# see the hostile values, not only the parser.
YAML_LINES = [
    STEP + b"        run: echo hi\n", STEP + b"        run: \"rm -f v # \\e[2K\\r echo ok\"\n",
    STEP + b"        run: 'true'\n        timeout: '99999999999999999999999999'\n",
    STEP + b"        run: 'true'\n        timeout: '0.0001ms'\n",
    b"last_reviewed: 9999-12-31\n", b"review_every: 90d\n", b"review_every: 36500d\n",
    b"alerts: [../index, .git, index.html, index]\n", b"service: " + b"s" * 300 + b"\n",
    b"service: ../..\n", b"tags: [.hidden, '\\e]52;c;eA==\\a']\n",
    b"title: \"\\e]8;;http://x\\e\\\\ t\"\n",
    b"variables: {V: {secret: true, default: x}}\n", b"variables: {V: {pattern: '(a+)+$'}}\n",
]  # fmt: skip


def _text(pieces: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from(pieces), max_size=30).map(b"".join)


def _runbook() -> st.SearchStrategy[bytes]:
    lines = st.lists(st.sampled_from(YAML_LINES), max_size=5, unique=True).map(b"".join)
    junk = st.lists(st.sampled_from(YAML_PIECES), max_size=6).map(b"".join)
    return st.tuples(lines, st.one_of(st.just(b""), junk)).map(
        lambda parts: b"id: a\ntitle: T\n" + parts[0] + parts[1]
    )


FUZZ = settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
BUILDS = settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])


pytestmark = pytest.mark.work(runbooks=True, env={"RUNBOOK_CACHE_DIR": "{work}/cache"})


@FUZZ
@given(_runbook())
def test_yaml_runbooks_never_get_a_traceback(work: Path, cli: Cli, data: bytes) -> None:
    (work / "runbooks" / "x.yaml").write_bytes(data)
    assert cli("lint").returncode in EXIT_CODES
    assert cli("list", "runbooks/x.yaml").returncode in EXIT_CODES
    assert cli("exec", "runbooks/x.yaml", "--dry-run").returncode in EXIT_CODES
    assert cli("exec", "runbooks/x.yaml").returncode in EXIT_CODES
    assert cli("list", "a").returncode in EXIT_CODES


@FUZZ
@given(_text(MARKDOWN_PIECES))
def test_markdown_pages_never_get_a_traceback(work: Path, cli: Cli, data: bytes) -> None:
    (work / "page.md").write_bytes(data)
    assert cli("lint", "page.md").returncode in EXIT_CODES
    assert cli("list", "page.md").returncode in EXIT_CODES
    assert cli("exec", "page.md", "--dry-run").returncode in EXIT_CODES
    assert cli("exec", "page.md", "--dry-run", "--walk").returncode in EXIT_CODES


@BUILDS
@given(_runbook(), _text(MARKDOWN_PIECES))
def test_the_site_build_never_gets_a_traceback(
    work: Path, cli: Cli, runbook: bytes, page: bytes
) -> None:
    docs = work / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir()
    # MkDocs reads hand-written pages itself (lint/list/exec locate bad bytes: above).
    (docs / "page.md").write_bytes(page.decode("utf-8", "replace").encode())
    (work / "runbooks" / "x.yaml").write_bytes(runbook)
    mkdocs_yml(work, change=(f"docs_dir: {REPO}/docs", "docs_dir: docs"))
    assert cli("build").returncode in EXIT_CODES
