"""Issue 11: the tree stays one a newcomer can read.

No module over 400 lines, no import circle between modules, ``checks`` (the runner and
the shared vocabulary) never imports ``generator``, and the process's exit status is set
in one place. Read from the source, as a reviewer would: nothing is imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("generator", "checks")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _top_level_imports(name: str, path: Path) -> set[str]:
    """The modules of ours that ``name`` imports when it is imported (not inside functions,
    not under ``TYPE_CHECKING``)."""

    def statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from statements(node.body)
                yield from statements(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    yield from statements(block)
                for handler in node.handlers:
                    yield from statements(handler.body)

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    imported: set[str] = set()
    for node in statements(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        imported.add(base)
        imported.update(f"{base}.{alias.name}" for alias in node.names)
    return {m for m in imported if m in MODULES and m != name}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while (top := stack.pop()) != module:
                group.append(top)
            if group:
                found.append(sorted([module, *group]))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


GRAPH = {name: _top_level_imports(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)}: {lines} lines"


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert _circles(GRAPH) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_checks_never_imports_generator() -> None:
    upward = {
        name: sorted(m for m in imports if m.startswith("generator"))
        for name, imports in GRAPH.items()
        if name.startswith("checks")
    }
    assert {name: ms for name, ms in upward.items() if ms} == {}
    anywhere = re.compile(r"^\s*(from|import)\s+generator\b", re.M)
    lazily = [
        name
        for name, path in MODULES.items()
        if name.startswith("checks") and anywhere.search(path.read_text(encoding="utf-8"))
    ]
    assert lazily == []


def test_the_exit_status_is_set_in_one_place() -> None:
    """``generator.cli.main`` maps a command's result to the status; ``__main__`` only
    covers Ctrl-C while the CLI is still being imported."""
    setters = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = ast.unparse(node.func)
                if called in {"sys.exit", "os._exit", "SystemExit", "exit", "ctx.exit"}:
                    setters.append(name)
    assert sorted(setters) == ["generator.__main__", "generator.cli"]
