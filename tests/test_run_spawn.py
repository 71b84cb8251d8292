"""How a block's process starts: what it inherits from the runner and what it does not.

The runner starts blocks the cheap way (``posix_spawn``) where it can and ``Popen``
where it cannot (a ``cwd``); a block must not tell the difference.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from checks.model import BlockOptions, Check, Risk, SourceLocation, Status
from checks.run.process import run_check
from tests.helpers import Cli, page

ENV = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8"}


def make(command: str, **opts: object) -> Check:
    return Check(
        id="rb--step",
        risk=Risk.CHECK,
        lang="bash",
        command=command,
        options=BlockOptions(**opts),  # type: ignore[arg-type]
        location=SourceLocation("page.md", 7),
    )


@pytest.mark.parametrize("cwd", [None, "."])
def test_a_writer_to_a_closed_pipe_dies_of_sigpipe_as_in_a_shell(cwd: str | None) -> None:
    # Python ignores SIGPIPE; a block must get the default back, or `yes` goes on to
    # report a write error and exit 1 instead of dying of the signal (128 + 13).
    command = 'yes | head -n 1; echo "${PIPESTATUS[0]}"'
    result = run_check(make(command, cwd=cwd, strict=False), ENV)
    assert (result.status, result.stdout, result.stderr) == (Status.PASSED, "y\n141\n", "")


@pytest.mark.parametrize("cwd", [None, "."])
def test_a_block_is_the_leader_of_a_session_of_its_own(cwd: str | None) -> None:
    result = run_check(make("ps -o sid= -o pgid= -p $$", cwd=cwd), ENV)
    session, group = result.stdout.split()
    assert session == group != str(os.getsid(0))


def test_a_missing_shell_is_a_located_error_not_a_traceback() -> None:
    result = run_check(make("true", shell="no-such-shell-here"), ENV)
    assert result.status is Status.ERROR
    assert result.reason == "cannot start 'no-such-shell-here': No such file or directory"


def test_a_descriptor_the_runner_inherited_does_not_reach_a_block(tmp_path: Path) -> None:
    reader, writer = os.pipe()
    page(
        tmp_path,
        f"# F\n\n```bash {{#f--fd .check}}\nif [ -e /proc/self/fd/{writer} ]; "
        "then echo inherited; exit 1; fi\n```\n",
    )
    try:
        ran = subprocess.run(
            Cli.argv("exec", "page.md"),
            cwd=tmp_path,
            env=Cli.environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            pass_fds=(writer,),
            timeout=120,
            check=False,
        )
    finally:
        os.close(reader)
        os.close(writer)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "inherited" not in ran.stdout
