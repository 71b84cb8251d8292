"""GUIDE.md cannot rot: every command in it runs, in order, in a fresh folder.

The guide is read the way a user follows it: a fence titled with a path
(```` ```yaml title="runbooks/x.yaml" ````) is a file the reader writes; a ```` ```bash ````
fence is commands the reader types, run with ``bash -e`` in the same folder, without a
terminal. A fence expected to exit non-zero says so in an HTML comment just before it
(``<!-- guide: exit=4 -->``), which GitHub does not show.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.helpers import REPO

GUIDE = REPO / "GUIDE.md"
BIN = Path(sys.executable).parent

_TITLE = re.compile(r'title="([^"]+)"')
_EXPECT = re.compile(r"<!--\s*guide:\s*exit=(\d+)\s*-->")


@dataclass(frozen=True)
class Block:
    line: int
    """1-based line of the fence in GUIDE.md."""
    kind: str
    """``file`` or ``bash``."""
    text: str
    path: str = ""
    exit: int = 0


def guide_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    tokens = MarkdownIt().parse(text)
    expect = 0
    for token in tokens:
        if token.type == "html_block":
            found = _EXPECT.search(token.content)
            expect = int(found.group(1)) if found else expect
            continue
        if token.type != "fence" or token.map is None:
            continue
        line = token.map[0] + 1
        lang, _, rest = token.info.partition(" ")
        title = _TITLE.search(rest)
        if title:
            blocks.append(Block(line, "file", token.content, path=title.group(1)))
        elif lang == "bash":
            blocks.append(Block(line, "bash", token.content, exit=expect))
        expect = 0
    return blocks


def test_the_guide_runs_from_start_to_end(tmp_path: Path) -> None:
    blocks = guide_blocks(GUIDE.read_text(encoding="utf-8"))
    assert sum(b.kind == "bash" for b in blocks) >= 12
    work = tmp_path / "ops"
    work.mkdir()
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "RUNBOOK_TODAY": "2026-12-07",
        "RUNBOOK_CACHE_DIR": str(tmp_path / "cache"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "COLUMNS": "120",
    }
    for block in blocks:
        where = f"GUIDE.md:{block.line}"
        if block.kind == "file":
            target = work / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
            continue
        proc = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", block.text],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert proc.returncode == block.exit, (
            f"{where}: exit {proc.returncode}, the guide says {block.exit}\n"
            f"{block.text}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
        # A secret the guide passes never shows in what the reader sees.
        assert "s3cr3t-token" not in proc.stdout + proc.stderr, where


def test_guide_blocks_are_read_as_a_reader_sees_them() -> None:
    text = (
        '```yaml title="a/b.yaml"\nid: x\n```\n\n'
        "<!-- guide: exit=4 -->\n```bash\nrunbook check\n```\n\n"
        "```bash\nrunbook lint\n```\n\n```text\noutput\n```\n"
    )
    assert guide_blocks(text) == [
        Block(1, "file", "id: x\n", path="a/b.yaml"),
        Block(6, "bash", "runbook check\n", exit=4),
        Block(10, "bash", "runbook lint\n"),
    ]


@pytest.mark.parametrize(
    "name", ["README.md", "GUIDE.md", "REFERENCE.md", "ARCHITECTURE.md", "PERFORMANCE.md"]
)
def test_relative_links_between_the_documents_resolve(name: str) -> None:
    text = (REPO / name).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (REPO / target).exists(), f"{name}: link to {target}"
