"""Where ``--json``, ``--junit`` and ``--transcript`` write: devices, FIFOs, symlinks, files.

Real device nodes (made with mknod in ``tmp_path``, never the system's ``/dev``), real
FIFOs with a real reader, real symlinks.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.helpers import page, runbook

HELLO = "# H\n\n```bash {#h--hello .check}\ntouch ran\necho hi\n```\n"
REPORTS = ["--json", "--junit", "--transcript"]


def null_device(path: Path) -> Path:
    """A character device like /dev/null (major 1, minor 3), made in ``tmp_path``."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root (CI containers run as root)")
    return path


@pytest.mark.parametrize("option", REPORTS)
def test_report_to_a_character_device_writes_through_and_keeps_the_device(
    tmp_path: Path, option: str
) -> None:
    page(tmp_path, HELLO)
    device = null_device(tmp_path / "null")
    proc = runbook("exec", "page.md", option, "null", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".null")] == []


@pytest.mark.parametrize("option", REPORTS)
def test_report_to_a_fifo_reaches_its_reader(tmp_path: Path, option: str) -> None:
    page(tmp_path, HELLO)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        proc = runbook("exec", "page.md", option, "pipe", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
        got, _ = reader.communicate(timeout=30)
    finally:
        reader.kill()
        reader.wait()
    assert b"h--hello" in got


def test_report_to_a_symlink_to_stdout_goes_to_stdout(tmp_path: Path) -> None:
    page(tmp_path, HELLO)
    (tmp_path / "out.xml").symlink_to("/proc/self/fd/1")
    proc = runbook("exec", "page.md", "--junit", "out.xml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("hi\n<?xml")
    assert 'name="h--hello"' in proc.stdout
    assert os.readlink(tmp_path / "out.xml") == "/proc/self/fd/1"


@pytest.mark.parametrize("option", ["--json", "--junit"])
def test_report_to_a_symlink_replaces_its_target_and_keeps_the_link(
    tmp_path: Path, option: str
) -> None:
    page(tmp_path, HELLO)
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "r"
    target.write_text("old")
    (tmp_path / "link").symlink_to("reports/r")
    proc = runbook("exec", "page.md", option, "link", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert os.readlink(tmp_path / "link") == "reports/r"
    assert "h--hello" in target.read_text()
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["r"]


def test_report_to_a_plain_file_is_replaced_in_one_step(tmp_path: Path) -> None:
    page(tmp_path, HELLO)
    report = tmp_path / "r.json"
    report.write_text("old")
    before = os.stat(report).st_ino
    with open(report) as reader:  # a reader of the old file keeps a whole old file
        proc = runbook("exec", "page.md", "--json", "r.json", cwd=tmp_path)
        assert reader.read() == "old"
    assert proc.returncode == 0, proc.stderr
    assert os.stat(report).st_ino != before
    assert json.loads(report.read_text())["results"][0]["id"] == "h--hello"


@pytest.mark.parametrize("command", ["exec", "check"])
@pytest.mark.parametrize("option", ["--json", "--junit"])
def test_report_path_in_a_folder_nothing_can_be_created_in_exits_2_before_running(
    tmp_path: Path, command: str, option: str
) -> None:
    page(tmp_path, HELLO)
    proc = runbook(command, "page.md", option, "/proc/version", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {option} /proc/version: cannot write it: ")
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("command", ["exec", "check"])
@pytest.mark.parametrize("option", REPORTS)
def test_a_report_to_dash_is_a_usage_error_not_a_file_named_dash(
    tmp_path: Path, option: str, command: str
) -> None:
    page(tmp_path, HELLO)
    proc = runbook(command, "page.md", option, "-", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"error: {option} -: standard output carries the blocks' own output, so a report "
        "cannot go there; name a file\n"
    )
    assert not (tmp_path / "-").exists() and not (tmp_path / "ran").exists()
