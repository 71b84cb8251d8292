"""Exit codes through the CLI (DESIGN.md's table) where other tests do not pin them:
nothing ran (4) for list, exec and check alike, also in the report, and a failure beating
an otherwise empty run. (Interrupted = 130: test_exec's Ctrl-C test, for exec and check.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import Cli

PROSE = "# Prose\n\nAnd a manual step:\n\n```text {#p--call .manual}\nCall the DBA\n```\n"
SKIPPED = "```bash {#m--needs .check requires=no-such-tool-here}\ntrue\n```\n"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("list", "page.md"), "error: no executable blocks found"),
        (("exec", "page.md"), "nothing selected in 0.00s"),
        (
            ("exec", "page.md", "--dry-run"),
            "error: nothing selected in page.md: the page has no .check blocks (choose "
            "others with --step, --section or --walk)",
        ),
        (("check", "page.md"), "error: nothing ran: every check was skipped or none was found"),
    ],
)
def test_nothing_ran_is_exit_4_for_every_command_that_runs_or_lists_blocks(
    tmp_path: Path, cli: Cli, args: tuple[str, ...], line: str
) -> None:
    (tmp_path / "page.md").write_text(PROSE if args[0] != "list" else "# Prose only\n")
    code, _, err = cli(*args, cwd=tmp_path)
    assert code == 4, err
    assert line in err.splitlines()


UNTAGGED = "# Redis\n\n## Memory\n\n```bash\nredis-cli info memory\n```\n\n```sh\necho two\n```\n"


@pytest.mark.parametrize("args", [("list",), ("exec",), ("exec", "--dry-run")])
def test_a_page_of_untagged_code_blocks_is_told_how_to_make_them_run(
    tmp_path: Path, cli: Cli, args: tuple[str, ...]
) -> None:
    (tmp_path / "page.md").write_text(UNTAGGED)
    code, _, err = cli(args[0], "page.md", *args[1:], cwd=tmp_path)
    assert code == 4, err
    assert (
        "hint: page.md has 2 code blocks, none tagged to run: a block runs once its fence has "
        "a block header, as in ```bash {#check-memory .check} (GUIDE.md, section 7); or make "
        "the page a YAML runbook with `runbook import page.md`"
    ) in err.splitlines()
    # The advice holds: imported, the page's commands are blocks.
    assert cli("import", "page.md", cwd=tmp_path).returncode == 0
    code, out, _ = cli("list", "runbooks/imported/page.yaml", cwd=tmp_path)
    assert code == 0 and out.count("\n") == 2, out


def test_check_of_a_folder_of_untagged_pages_names_three_and_counts_the_rest(
    tmp_path: Path, cli: Cli
) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("a", "b", "c", "d", "e"):
        (tmp_path / "docs" / f"{name}.md").write_text(UNTAGGED)
    code, _, err = cli("check", "docs", cwd=tmp_path)
    hints = [line for line in err.splitlines() if line.startswith("hint: ")]
    assert code == 4, err
    assert [h.split(" has ")[0] for h in hints[:3]] == [
        "hint: docs/a.md", "hint: docs/b.md", "hint: docs/c.md"
    ]  # fmt: skip
    assert hints[3:] == ["hint: and 2 more pages like these"]


def test_no_hint_when_a_page_has_a_tagged_block_or_no_code_at_all(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "prose.md").write_text("# Prose only\n")
    (tmp_path / "manual.md").write_text(PROSE + "\n```bash\necho untagged\n```\n")
    for page in ("prose.md", "manual.md"):
        code, _, err = cli("exec", page, "--dry-run", cwd=tmp_path)
        assert code == 4 and "hint:" not in err, err


@pytest.mark.parametrize(
    ("blocks", "code"),
    [(SKIPPED, 4), (SKIPPED + "\n```bash {#m--fails .check}\nexit 3\n```\n", 1)],
    ids=["only-skips", "a-failure-and-skips"],
)
def test_a_run_of_skips_is_exit_4_unless_a_block_failed(
    tmp_path: Path, cli: Cli, blocks: str, code: int
) -> None:
    (tmp_path / "page.md").write_text(f"# Mixed\n\n{blocks}")
    assert cli("check", "page.md", "--json", "r.json", cwd=tmp_path).returncode == code
    summary = json.loads((tmp_path / "r.json").read_text())["summary"]
    assert (summary["skipped"], summary["exit_code"]) == (1, code)


@pytest.mark.parametrize("command", ["list", "lint", "exec", "check"])
def test_a_misspelt_path_is_exit_2_naming_the_path_beside_it(
    tmp_path: Path, cli: Cli, command: str
) -> None:
    (tmp_path / "runbooks" / "demo").mkdir(parents=True)
    (tmp_path / "runbooks" / "demo" / "redis.yaml").write_text("id: redis\ntitle: Redis\n")
    code, _, err = cli(command, "runbooks/dmeo", cwd=tmp_path)
    assert code == 2, err
    assert err.splitlines() == [
        "error: runbooks/dmeo: no such file or directory (did you mean 'runbooks/demo'?)"
    ]
    code, _, err = cli(command, "runbooks/demo/reids.yaml", cwd=tmp_path)
    assert (code, err.splitlines()) == (2, [
        "error: runbooks/demo/reids.yaml: no such file or directory"
        " (did you mean 'runbooks/demo/redis.yaml'?)"
    ])  # fmt: skip
    # Nothing close: no guess (the suffix every runbook shares does not make names alike).
    code, _, err = cli(command, "runbooks/demo/nope.yaml", cwd=tmp_path)
    assert (code, err.splitlines()) == (2, [
        "error: runbooks/demo/nope.yaml: no such file or directory"
    ])  # fmt: skip
