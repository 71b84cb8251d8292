"""Escape sequences from runbooks and block output never reach a terminal raw: commands,
titles, messages and output excerpts show them as ``\\e``, ``\\x07``; a control character
in a command is a lint error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import Cli, mkdocs_yml
from tests.pty_terminal import Terminal

# What issue 12 found: the escape erases the line, so a terminal shows only `echo harmless`.
HIDDEN = "rm -f victim # \\e[2K\\r    echo harmless"
OSC52 = "\\e]52;c;ZXZpbA==\\a"  # writes the clipboard of the terminal that prints it


def _runbook(root: Path, name: str, body: str) -> Path:
    (root / "runbooks").mkdir(exist_ok=True)
    path = root / "runbooks" / f"{name}.yaml"
    path.write_text(body)
    return path


def _hidden(root: Path, kind: str = "action") -> Path:
    return _runbook(
        root,
        "b",
        "id: b\ntitle: B\nsections:\n  - id: s\n    title: S\n    steps:\n"
        f"      - id: x\n        title: X\n        kind: {kind}\n"
        f'        run: "{HIDDEN}"\n',
    )


def _raw(text: str) -> bool:
    return "\x1b" in text or "\x07" in text or "\r" in text


def test_control_character_in_a_run_text_is_a_lint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _hidden(tmp_path)
    code, out, _ = cli("lint", "--no-cache")
    assert code == 3
    assert out == (
        "runbooks/b.yaml:10:30: error: step 'x': control character '\\e' in the command: "
        "a terminal acts on it instead of showing it, so what a person reads is not what "
        "runs (if the command needs one, let it make it: printf '\\033')\n"
    )


def test_control_character_in_a_markdown_block_is_a_lint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.md").write_text("# M\n\n```bash {#m--x .check}\necho ok\necho \x07 bell\n```\n")
    code, out, _ = cli("lint", "--no-cache", "m.md")
    assert code == 3
    assert out.startswith("m.md:5:6: error: block 'm--x': control character '\\x07' in the")


def test_a_tab_in_a_command_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.md").write_text("# M\n\n```bash {#m--x .check}\nprintf 'a\tb'\n```\n")
    assert cli("lint", "--no-cache", "m.md")[0] == 0


def test_dry_run_shows_the_escape_instead_of_obeying_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _hidden(tmp_path)
    code, out, _ = cli("exec", "b", "--step", "x", "--dry-run")
    assert code == 0
    assert "    | rm -f victim # \\e[2K\n" in out
    assert not _raw(out)


def test_the_action_prompt_shows_the_whole_command(tmp_path: Path) -> None:
    _hidden(tmp_path)
    env = {**os.environ, "TERM": "dumb"}
    term = Terminal(tmp_path, "exec", "b", "--step", "x", env=env)
    term.expect("Run action x? [y/N] ")
    term.send("n")
    assert term.wait() == 4
    assert b"    rm -f victim # \\e[2K\r\n" in term.seen  # the pty writes \r\n for \n
    assert b"\x1b[2K" not in term.seen


def test_walk_titles_and_commands_are_shown_not_obeyed(tmp_path: Path) -> None:
    _runbook(
        tmp_path,
        "w",
        "id: w\ntitle: W\nsections:\n  - id: s\n    title: S\n    steps:\n"
        f'      - id: x\n        title: "walk {OSC52} title"\n        kind: check\n'
        "        run: echo hi\n",
    )
    term = Terminal(tmp_path, "exec", "w", "--walk", env={**os.environ, "TERM": "dumb"})
    term.expect("[r]un, [s]kip or [q]uit? ")
    term.send("q")
    term.wait()
    assert b": walk \\e]52;c;ZXZpbA==\\x07 title" in term.seen
    assert b"\x1b]52" not in term.seen and b"\x07" not in term.seen


def test_the_site_shows_the_escape_in_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _hidden(tmp_path)
    mkdocs_yml(tmp_path)
    assert cli("build")[0] == 0
    page = (tmp_path / "site" / "runbooks" / "b" / "index.html").read_text()
    assert "rm -f victim # \\e[2K\n    echo harmless</code>" in page
    assert "\x1b" not in page


def test_failure_summary_shows_output_escapes_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.md").write_text(
        "# M\n\n```bash {#m--x .check}\n"
        "printf 'out\\033]52;c;ZXZpbA==\\007 \\033[2J\\n'; exit 1\n```\n"
    )
    code, out, err = cli("exec", "m.md")
    assert code == 1
    assert "    last stdout:\n      out\\e]52;c;ZXZpbA==\\x07 \\e[2J\n" in err
    assert out == "out\x1b]52;c;ZXZpbA==\x07 \x1b[2J\n"  # streamed live: the command's own


def test_lint_messages_quote_keys_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _runbook(tmp_path, "k", f'id: k\ntitle: K\n"bad{OSC52}key": 1\n')
    code, out, _ = cli("lint", "--no-cache")
    assert code == 3
    assert out == "runbooks/k.yaml:3:1: error: unknown key 'bad\\e]52;c;ZXZpbA==\\x07key'\n"


COMMS = (
    "id: o\ntitle: O\nseverity: SEV2\n"
    "sections: [{id: s, title: S, steps: [{id: x, title: X, kind: check, run: 'true'}]}]\n"
    "communications:\n  templates:\n    - id: t\n      channel: slack\n"
    f'      audience: "aud \\e[2J"\n      status: "st {OSC52}"\n'
    '      body: "hello {{ incident.title }} \\e[31m"\n'
)


def test_comms_list_and_message_show_escapes_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _runbook(tmp_path, "o", COMMS)
    code, out, _ = cli("comms", "o", "--list")
    assert code == 0
    assert "  t  slack -> aud \\e[2J status=st \\e]52;c;ZXZpbA==\\x07\n" in out
    assert not _raw(out)
    code, out, _ = cli("comms", "o", "t", "--set", "incident.title=x\x1b[2Jy")
    assert code == 0
    assert "\\e[31m" in out and "\\e[2J" in out
    assert not _raw(out)


def test_incident_status_shows_a_title_escape_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    monkeypatch.chdir(tmp_path)
    _runbook(tmp_path, "o", COMMS)
    code, out, _ = cli(
        "incident", "start", "--runbook", "o", "--title",
                       "T \x1b]52;c;eA==\x07")  # fmt: skip
    assert code == 0
    code, out, _ = cli("incident", "status", out.strip())
    assert code == 0
    assert ": T \\e]52;c;eA==\\x07\n" in out
    assert not _raw(out)
