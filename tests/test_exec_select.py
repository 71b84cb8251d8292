"""Which blocks ``runbook exec`` takes, and what it says when it takes none (no TTY here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import REPO, Cli, page

TAGGED = """# T

```bash {#t--look .check tags=db}
echo look
```

```bash {#t--fix .action tags=db,web}
touch fixed
```

```bash {#t--web .check tags=web}
echo web
```

```text {#t--tell .manual tags=db}
Tell the team in #db-incidents.
Link the dashboard.
```
"""


def test_tag_selects_every_kind_of_tagged_block_and_consent_still_applies(
    tmp_path: Path,
    cli: Cli,
) -> None:
    page(tmp_path, TAGGED)
    proc = cli.process("exec", "page.md", "--tag", "db", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "look\n"
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in results] == [
        ("t--look", "passed", ""),
        ("t--fix", "skipped", "action: needs consent and there is no TTY (pass --yes)"),
        ("t--tell", "skipped", "manual step: a person does this"),
    ]
    assert not (tmp_path / "fixed").exists()
    allowed = cli.process("exec", "page.md", "--tag", "web", "--allow", "action", cwd=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout == "web\n"
    assert (tmp_path / "fixed").exists()


def test_manual_step_outside_walk_shows_its_instruction(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, TAGGED)
    proc = cli.process("exec", "page.md", "--step", "tell", cwd=tmp_path)
    assert proc.returncode == 4  # nothing ran: a person does it
    assert (
        "[1/1] SKIP t--tell  0.00s  manual step: a person does this\n"
        "    | Tell the team in #db-incidents.\n"
        "    | Link the dashboard.\n"
    ) in proc.stderr


def test_unknown_tag_is_a_usage_error_with_a_suggestion(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, TAGGED)
    proc = cli.process("exec", "page.md", "--tag", "dbb", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "error: page.md: unknown tag 'dbb' (did you mean 'db'?) (tags on this page: db, web)\n"
    )


def test_unknown_section_is_a_usage_error_naming_the_sections(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, (
        "# S\n\n## Triage {#triage}\n\n```bash {#s--look .check}\ntrue\n```\n\n"
        "## Mitigate {#mitigate}\n\n```bash {#s--fix .action}\ntrue\n```\n"
    ))  # fmt: skip
    proc = cli.process("exec", "page.md", "--section", "triag", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "error: page.md: unknown section 'triag' (did you mean 'triage'?) "
        "(sections on this page: mitigate, triage)\n"
    )


def test_dry_run_with_nothing_selected_says_so_and_exits_4(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, "# A\n\n```bash {#a--fix .action}\ntouch fixed\n```\n")
    proc = cli.process("exec", "page.md", "--dry-run", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (4, "")
    assert proc.stderr == (
        "error: nothing selected in page.md: the page has no .check blocks (choose others "
        "with --step, --section or --walk)\n"
        "Not selected (use --step ID, --section ID, --tag T or --walk):\n"
        "  a--fix  [action]  page.md:3:1\n"
    )


def test_walk_without_a_terminal_is_a_usage_error_and_runs_nothing(
    tmp_path: Path, cli: Cli
) -> None:
    page(tmp_path, TAGGED)
    proc = cli.process("exec", "page.md", "--walk", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "error: --walk asks before every block and needs a terminal (stdin is not a TTY): "
        "choose blocks with --step/--section/--tag, or see them with --walk --dry-run\n"
    )


def test_interactive_block_without_a_tty_is_skipped_with_the_reason(
    tmp_path: Path, cli: Cli
) -> None:
    page(
        tmp_path,
        "# I\n\n```bash {#i--shell .check interactive=true}\ntouch ran\n```\n\n"
        "```bash {#i--ok .check}\necho ok\n```\n",
    )
    proc = cli.process("exec", "page.md", "--json", "r.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "r.json").read_text())["results"]
    assert [(r["id"], r["status"], r["reason"]) for r in results] == [
        ("i--shell", "skipped", "interactive: needs a terminal (no TTY)"),
        ("i--ok", "passed", ""),
    ]
    assert not (tmp_path / "ran").exists()


def test_dry_run_shows_variables_used_in_arithmetic(cli: Cli) -> None:
    proc = cli.process("exec", "demo", "--step", "disk-free", "--dry-run", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-2:] == [
        "    DISK_PATH = '/'  (from default)",
        "    MIN_FREE_MB = '100'  (from default)",
    ]


def test_list_exits_4_when_no_block_matches_in_text_and_json(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, "# Nothing to run\n\nJust prose.\n")
    text = cli.process("list", "page.md", cwd=tmp_path)
    as_json = cli.process("list", "page.md", "--json", cwd=tmp_path)
    assert (text.returncode, text.stdout) == (4, "")
    assert (as_json.returncode, json.loads(as_json.stdout)) == (4, {"version": 1, "blocks": []})
    assert text.stderr == as_json.stderr == "error: no executable blocks found\n"
    page(tmp_path, TAGGED)
    assert cli.process("list", "page.md", "--json", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("name", ["exec", "list", "check"])
def test_help_teaches_examples_and_exit_codes(tmp_path: Path, name: str, cli: Cli) -> None:
    proc = cli.process(name, "--help", cwd=tmp_path)
    assert proc.returncode == 0
    text = proc.stdout
    assert "Examples:\n" in text
    assert "Exit codes: 0 " in text
    assert f"runbook {name} " in text.split("Examples:\n", 1)[1]
    assert "INTEGER RANGE" not in text
    if name != "list":
        assert "--jobs N " in text
    if name == "exec":
        assert "--step and --tag repeat" in " ".join(text.split())
        assert ".action        asks y/N; runs with --yes or --allow action" in text
        assert ".destructive   you type the step id; runs with --yes --allow destructive" in text


def test_zsh_block_without_zsh_is_skipped_with_the_reason(tmp_path: Path, cli: Cli) -> None:
    page(tmp_path, "# Z\n\n```zsh {#z--print .check}\nprint -r -- ok > ran\n```\n")
    (tmp_path / "bin").mkdir()
    env = {"PATH": str(tmp_path / "bin")}  # no zsh on it
    proc = cli.process("exec", "page.md", "--json", "r.json", cwd=tmp_path, env=env)
    assert proc.returncode == 4
    (result,) = json.loads((tmp_path / "r.json").read_text())["results"]
    assert (result["status"], result["reason"]) == (
        "skipped",
        "requires zsh: not found on PATH (the block runs with it)",
    )
    assert not (tmp_path / "ran").exists()


def test_the_blocks_a_selection_leaves_out_are_listed_only_with_verbose(
    tmp_path: Path, cli: Cli
) -> None:
    page(tmp_path, TAGGED)
    quiet = cli("exec", "page.md", "--step", "look", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout) == (0, "look\n")
    assert "Not selected" not in quiet.stderr
    assert "t--web" not in quiet.stderr
    verbose = cli("exec", "page.md", "--step", "look", "-v", cwd=tmp_path)
    assert (verbose.returncode, verbose.stdout) == (0, "look\n")
    assert (
        "Not selected (use --step ID, --section ID, --tag T or --walk):\n"
        "  t--fix  [action]  page.md:7:1\n"
        "  t--web  [check]  page.md:11:1\n"
        "  t--tell  [manual]  page.md:15:1\n"
    ) in verbose.stderr
    # without a selection, the list says what else the page holds, as before
    checks = cli("exec", "page.md", cwd=tmp_path)
    assert "Not selected (use --step ID, --section ID, --tag T or --walk):\n" in checks.stderr
