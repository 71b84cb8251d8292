"""Input a hostile author or an unlucky engineer gives: every one is a located error with
exit 2 or 3 (never a traceback), and nothing runs that the page does not show."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import Cli, mkdocs_yml

pytestmark = pytest.mark.work(runbooks=True)
STEP = "sections: [{id: s, title: S, steps: [{id: x, title: X, kind: check, run: 'true'%s}]}]\n"


def _runbook(work: Path, text: str, name: str = "a.yaml") -> Path:
    path = work / "runbooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_review_due_past_the_last_date_is_a_lint_error_and_list_and_exec_work(
    work: Path, cli: Cli
) -> None:
    _runbook(work, "id: a\ntitle: A\nlast_reviewed: 9999-12-31\nreview_every: 90d\n" + STEP % "")
    code, out, _ = cli("lint", "--no-cache")
    assert (code, out) == (
        3,
        "runbooks/a.yaml:1:1: error: review_every: 90d after last_reviewed 9999-12-31 is "
        "past the last date there is (9999-12-31)\n",
    )
    assert cli("list", "a")[0] == 0
    assert cli("exec", "a")[0] == 0


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        ("'99999999999999999999999999'", "is longer than the longest duration, 36500d"),
        (".inf", "is longer than the longest duration, 36500d"),
        ("'0.0001ms'", "is shorter than the shortest duration, 1ms"),
        ("0.0000001", "is shorter than the shortest duration, 1ms"),
    ],
)
def test_durations_out_of_range_are_located_errors_in_lint_and_exec_alike(
    work: Path, timeout: str, message: str, cli: Cli
) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % f", timeout: {timeout}")
    line = f"runbooks/a.yaml:3:91: error: step 'x': 'timeout' {timeout} {message}\n"
    code, out, _ = cli("lint", "--no-cache")
    assert (code, out) == (3, line)
    code, _, err = cli("exec", "a")
    assert (code, err) == (3, line)


def test_the_longest_duration_runs(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % ", timeout: 36500d")
    assert cli("lint", "--no-cache")[0] == 0
    assert cli("exec", "a")[0] == 0


def test_long_service_and_alert_names_like_files_still_build(work: Path, cli: Cli) -> None:
    service = "s" * 300
    alerts = "[index.html, ../index, .git, index]"
    _runbook(work, f"id: a\ntitle: A\nservice: {service}\nalerts: {alerts}\n" + STEP % "")
    mkdocs_yml(work)
    code, _, err = cli("build")
    assert code == 0, err
    site = work / "site"
    assert sorted(os.listdir(site / "alerts")) == [
        "alert-index",
        "alert-index.html",
        "git",
        "index.html",
    ]
    (folder,) = os.listdir(site / "orgs" / "runbooks" / "services")
    assert folder.startswith("s" * 80) and len(folder) == 100
    # Nothing escaped the alerts folder, and no hidden folder was made.
    assert not [p for p in site.rglob(".*")]
    assert "alert-index" in (site / "alerts" / "index.html").read_text()


INVALID_UTF8 = b"# T\n\xff\xfe\n```bash {#m--x .check}\necho hi\n```\n"


@pytest.mark.parametrize("command", ["list", "lint", "exec"])
def test_markdown_that_is_not_utf8_is_a_located_error(work: Path, command: str, cli: Cli) -> None:
    (work / "bad.md").write_bytes(INVALID_UTF8)
    code, out, err = cli(command, "bad.md")
    assert code == 3
    assert (
        "bad.md:2:1: error: not UTF-8: byte 0xff cannot be decoded (invalid start byte)\n"
        in out + err
    )


def test_a_python_tag_in_a_variables_block_is_a_located_error(work: Path, cli: Cli) -> None:
    (work / "n.md").write_text(
        "# T\n\n```yaml {.runbook-variables}\nV:\n  default: !!python/none\n```\n\n"
        "```bash {#m--x .check}\necho hi\n```\n"
    )
    for command in ("list", "lint", "exec"):
        code, out, err = cli(command, "n.md")
        assert code == 3
        assert (
            "n.md:5:12: error: variable 'V': default: could not determine a constructor "
            "for the tag 'tag:yaml.org,2002:python/none'\n" in out + err
        )


def test_arguments_that_are_not_utf8_are_usage_errors(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\nseverity: SEV2\n" + STEP % "")
    bad = b"T\xff".decode("utf-8", "surrogateescape")
    code, _, err = cli("incident", "start", "--runbook", "a", "--title", bad)
    assert code == 2
    assert err == (
        "error: argument 6 is not UTF-8 (byte 0xff at character 2): "
        "give every argument as UTF-8 text\n"
    )
    code, _, err = cli("exec", "a", "--var", "V=s3cr" + bad)
    assert code == 2
    assert "s3cr" not in err


def test_an_env_file_that_is_not_utf8_is_a_located_error(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % "")
    (work / "e.env").write_bytes(b"OK=1\nV=s3cret\xff\n")
    code, _, err = cli("exec", "a", "--env-file", "e.env")
    assert code == 3
    assert "e.env:2:9: error: not UTF-8: byte 0xff cannot be decoded" in err
    assert "s3cret" not in err


def test_a_bad_env_file_line_is_never_echoed(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % "")
    (work / "e.env").write_text("# tokens\nTOK: Sup3rS3cretValue\n")
    code, _, err = cli("exec", "a", "--env-file", "e.env")
    assert code == 3
    assert "e.env:2:1: error: expected NAME=VALUE (the line is not shown" in err
    assert "Sup3r" not in err


def test_an_incident_record_that_is_not_utf8_is_a_located_error(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\nseverity: SEV2\n" + STEP % "")
    code, out, _ = cli("incident", "start", "--runbook", "a", "--title", "T")
    record = Path(out.strip())
    lines = record.read_bytes().split(b"\n")
    record.write_bytes(b"\n".join([*lines[:2], b"  note: caf\xe9", *lines[2:]]))
    for args in (["status"], ["update", "--note", "x"], ["report"]):
        code, _, err = cli("incident", args[0], str(record), *args[1:])
        assert code == 3
        assert err.startswith(f"{record}:3:12: error: not UTF-8: byte 0xe9 cannot be decoded")


def test_a_duplicate_runbook_id_refuses_exec_and_list_naming_both_files(
    work: Path, cli: Cli
) -> None:
    text = "id: same\ntitle: A\n" + STEP % ""
    _runbook(work, text, "a.yaml")
    _runbook(work, "# the copy\n" + text, "x/b.yaml")
    line = (
        "runbooks/x/b.yaml:2:1: error: duplicate runbook id 'same' (first in runbooks/a.yaml:1): "
        "give each runbook its own id, or name the file instead of the id\n"
    )
    for command in ("exec", "list"):
        code, out, err = cli(command, "same")
        assert (code, out, err) == (3, "", line)


F = "```"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('<div markdown="1">\n', "</div>\n"),
        ("<div>\n", "</div>\n"),
        ("<my-element>\n", "</my-element>\n"),
        ("<pre>\n", "</pre>\n"),
        ("<pre>\n\n", "\n</pre>\n"),
    ],
)
def test_a_tagged_block_inside_html_is_a_located_error(
    work: Path, before: str, after: str, cli: Cli
) -> None:
    fence = f"{F}bash {{#t--x .check}}\necho hi\n{F}\n"
    (work / "h.md").write_text(f"# T\n\n{before}{fence}{after}")
    line = 4 + before.count("\n") - 1
    for command in ("list", "lint", "exec"):
        code, out, err = cli(command, "h.md")
        assert code == 3, command
        assert (
            f"h.md:{line}:1: error: tagged block inside an HTML element (<div>, <pre> ...): "
            "the site shows it as code but it is not extracted, so it never runs; move it "
            "out of the element\n" in out + err
        )


def test_a_tagged_block_after_an_html_block_runs(work: Path, cli: Cli) -> None:
    # A blank line ends a <div> for both parsers: the fence is the page's, and it runs.
    (work / "h.md").write_text(
        f"# T\n\n<div>\n\n{F}bash {{#t--x .check}}\necho hi\n{F}\n\n</div>\n"
    )
    code, out, _ = cli("exec", "h.md")
    assert (code, out) == (0, "hi\n")


def test_a_symlink_out_of_the_root_is_not_followed(work: Path, cli: Cli) -> None:
    outside = work / "private.txt"
    outside.write_text("root:$6$hash-of-a-password:19000:0:99999:7:::\n")
    _runbook(work, "id: a\ntitle: A\n" + STEP % "")
    (work / "runbooks" / "x.yaml").symlink_to(outside)
    line = (
        "runbooks/x.yaml:1:1: error: a symbolic link to a file outside the runbooks root "
        "'runbooks': not followed (copy the file into the root, or link a folder inside it)\n"
    )
    code, out, _ = cli("lint", "--no-cache")
    assert (code, out) == (3, line)
    code, out, err = cli("exec", "runbooks/x.yaml")
    assert (code, out, err) == (3, "", line)
    mkdocs_yml(work)
    code, _, err = cli("build")
    assert code == 3 and line in err
    assert "hash-of-a-password" not in err


def test_a_symlink_inside_the_root_is_followed(work: Path, cli: Cli) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % "", "real/a.yaml")
    (work / "runbooks" / "link.yaml").symlink_to(work / "runbooks" / "real" / "a.yaml")
    assert cli("exec", "runbooks/link.yaml")[0] == 0


@pytest.mark.parametrize("value", ["1e30", "inf", "nan", "-1", "0", "0.0000001"])
def test_an_exec_timeout_outside_the_durations_is_a_usage_error(
    work: Path, cli: Cli, value: str
) -> None:
    _runbook(work, "id: a\ntitle: A\n" + STEP % "")
    code, _, err = cli("exec", "a", "--timeout", value)
    assert code == 2
    assert "Invalid value for '--timeout'" in err
