"""Cache keys cover all of our code: a moved or edited module never serves stale results."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.fingerprint import code_version, source_digest, stamp_digest
from tests.helpers import REPO


def _copy_packages(tmp_path: Path) -> list[str]:
    for name in ("generator", "checks"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return [str(tmp_path / "generator"), str(tmp_path / "checks")]


def test_moving_a_rule_into_a_subpackage_changes_the_key(tmp_path: Path) -> None:
    roots = _copy_packages(tmp_path)
    before = source_digest(roots)
    (tmp_path / "generator" / "lint" / "deeper").mkdir()
    (tmp_path / "generator" / "lint" / "rules.py").rename(
        tmp_path / "generator" / "lint" / "deeper" / "rules.py"
    )
    assert source_digest(roots) != before


def test_an_edit_deep_in_a_subpackage_changes_the_key(tmp_path: Path) -> None:
    roots = _copy_packages(tmp_path)
    before = source_digest(roots)
    target = tmp_path / "checks" / "shell" / "lexer.py"
    target.write_text(target.read_text() + "\n# edited\n")
    assert source_digest(roots) != before


def test_the_key_is_stable_and_ignores_compiled_files(tmp_path: Path) -> None:
    roots = _copy_packages(tmp_path)
    before = source_digest(roots)
    (tmp_path / "generator" / "load" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "generator" / "load" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"x")
    assert source_digest(roots) == before
    assert code_version() == code_version()


def test_a_stamp_changes_with_an_edit_a_new_time_or_a_moved_module(tmp_path: Path) -> None:
    roots = _copy_packages(tmp_path)
    before = stamp_digest(roots)
    assert stamp_digest(roots) == before
    target = tmp_path / "checks" / "extract.py"
    target.write_text(target.read_text() + "\n# edited\n")
    edited = stamp_digest(roots)
    assert edited != before
    info = target.stat()
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert stamp_digest(roots) != edited
    touched = stamp_digest(roots)
    (tmp_path / "checks" / "shell" / "lexer.py").rename(tmp_path / "checks" / "lexer.py")
    assert stamp_digest(roots) != touched


def test_a_stamp_ignores_compiled_files(tmp_path: Path) -> None:
    roots = _copy_packages(tmp_path)
    before = stamp_digest(roots)
    (tmp_path / "checks" / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "checks" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"x")
    assert stamp_digest(roots) == before
