"""``runbook render --out DIR`` writes one page per runbook, or nothing when the tree is invalid."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import Cli

CASES = Path(__file__).parent / "golden" / "render" / "cases"


def test_render_writes_one_page_per_runbook_mirroring_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    root = tmp_path / "runbooks"
    shutil.copytree(CASES, root / "acme")
    (root / "loose.yaml").write_text("id: loose\ntitle: Loose <b>one</b>\n", encoding="utf-8")
    monkeypatch.setenv("RUNBOOK_TODAY", "2026-01-01")
    out = tmp_path / "out"
    ran = cli("render", "--out", str(out), "--root", str(root))
    assert ran.returncode == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        "acme/db-pool.md",
        "acme/minimal.md",
        "loose.md",
    ]
    page = (out / "acme" / "db-pool.md").read_text(encoding="utf-8")
    assert (
        "- **Last reviewed:** 2025-01-10 · **stale**{: .rb-badge .rb-badge--stale } "
        "(review was due 2025-04-10)\n"
    ) in page
    assert "- **Organisation:** Acme Payments\n" in page
    assert (
        (out / "loose.md")
        .read_text(encoding="utf-8")
        .startswith(
            '---\ntitle: "Loose &lt;b&gt;one&lt;/b&gt;"\n---\n\n# Loose &lt;b&gt;one&lt;/b&gt;\n'
        )
    )
    assert ran.stderr.endswith(f"rendered 3 page(s) into {out} (3 changed)\n")
    # A second run rewrites nothing (stable mtimes for incremental builds).
    ran = cli("render", "--out", str(out), "--root", str(root))
    assert ran.returncode == 0
    assert ran.stderr.endswith("(0 changed)\n")


def test_render_refuses_an_invalid_tree_with_located_errors(tmp_path: Path, cli: Cli) -> None:
    root = tmp_path / "runbooks"
    root.mkdir()
    (root / "bad.yaml").write_text("id: bad\ntitle: Bad\nsectons: []\n", encoding="utf-8")
    out = tmp_path / "out"
    ran = cli("render", "--out", str(out), "--root", str(root))
    assert ran.returncode == 3
    err = ran.stderr
    assert f"{root / 'bad.yaml'}:3:1: error: " in err
    assert "did you mean 'sections'" in err
    assert not out.exists()


def test_render_needs_an_existing_root(tmp_path: Path, cli: Cli) -> None:
    ran = cli("render", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "nope"))
    assert ran.returncode == 2
    assert f"error: runbooks root '{tmp_path / 'nope'}' is not a folder" in ran.stderr
