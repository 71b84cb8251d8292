"""bash syntax of many blocks with few ``bash -n`` calls, cached by content hash.

Blocks are checked together, each wrapped in a function of its own in one script, so
a thousand blocks cost one process rather than a thousand. A block that breaks the
script is found from bash's line number, checked alone for its own message and line,
and the blocks after it are checked again together. ``bash -n`` reads and never
executes, so nothing in a block can run here.

A block whose quotes or here-documents never close swallows the blocks after it in the
shared script; the one-by-one fallback still gives every block its own result, but it
costs a process per block, so callers that know such blocks (``checks.shell.reads`` finds
them) leave them out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from checks.files import write_atomic

__all__ = ["SyntaxCache", "SyntaxProblem", "check_bash_syntax"]

_ERROR_LINE = re.compile(r"^.*?: line (\d+): (.*)$")
_WRAP_OPEN = "__runbook_block_{}() {{\n"
_WRAP_CLOSE = "\n\n}\n"
CHUNK_BLOCKS = 2000
"""Blocks per ``bash -n`` call: large enough to amortise a process, small enough to
spread a cold run over every core."""


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """What ``bash -n`` said about one block."""

    line: int
    """1-based line in the block, as bash counts it."""
    message: str
    """bash's message without its file and line prefix."""


class SyntaxCache:
    """Results by (bash binary, block text) hash, in ``<cache_dir>/bash-syntax.json``."""

    def __init__(self, cache_dir: str | os.PathLike[str] | None) -> None:
        self.path = os.path.join(os.fspath(cache_dir), "bash-syntax.json") if cache_dir else None
        self.entries: dict[str, list[object] | None] = {}
        self.used: set[str] = set()
        self.dirty = False
        if self.path is not None:
            try:
                with open(self.path, encoding="utf-8") as handle:
                    loaded = json.load(handle)
                if isinstance(loaded, dict):
                    self.entries = loaded
            except (OSError, ValueError):
                self.entries = {}

    def share(self) -> SyntaxCache:
        """A cache over the same entries that keeps its own record of what it used and
        added (a worker process's), for ``merge`` into this one."""
        view = SyntaxCache(None)
        view.entries = self.entries
        return view

    def used_entries(self) -> dict[str, list[object] | None]:
        """The entries this cache used or added."""
        return {key: self.entries[key] for key in self.used}

    def merge(self, entries: dict[str, list[object] | None], added: bool) -> None:
        """Take what another cache (``share``) used; ``added``: it checked new blocks."""
        self.entries.update(entries)
        self.used.update(entries)
        self.dirty = self.dirty or added

    def save(self) -> None:
        """Write the entries this run used, atomically; a failure only costs speed."""
        if self.path is None or not self.dirty:
            return
        live = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, json.dumps(live), durable=False)
        except OSError:
            pass


def check_bash_syntax(
    blocks: Sequence[str], *, bash: str = "bash", cache: SyntaxCache | None = None
) -> list[SyntaxProblem | None]:
    """One result per block: None when ``bash -n`` accepts it.

    Raises FileNotFoundError when ``bash`` cannot be found.
    """
    executable = shutil.which(bash)
    if executable is None:
        raise FileNotFoundError(bash)
    results: list[SyntaxProblem | None] = [None] * len(blocks)
    todo: list[int] = list(range(len(blocks)))
    keys: list[str] = []
    if cache is not None:
        stat = os.stat(executable)
        # "v2": the entries' lines are 1-based (v1's were 0-based).
        salt = f"v2:{executable}:{stat.st_size}:{stat.st_mtime_ns}\0".encode()
        keys = [hashlib.blake2b(salt + b.encode(), digest_size=16).hexdigest() for b in blocks]
        todo = []
        for index, key in enumerate(keys):
            if key in cache.entries:
                cache.used.add(key)
                results[index] = _from_json(cache.entries[key])
            else:
                todo.append(index)
    chunks = [todo[i : i + CHUNK_BLOCKS] for i in range(0, len(todo), CHUNK_BLOCKS)]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        for found in pool.map(lambda chunk: _check_chunk(executable, blocks, chunk), chunks):
            for index, problem in found.items():
                results[index] = problem
    if cache is not None:
        for index in todo:
            cache.entries[keys[index]] = _to_json(results[index])
            cache.used.add(keys[index])
            cache.dirty = True
    return results


def _check_chunk(bash: str, blocks: Sequence[str], chunk: list[int]) -> dict[int, SyntaxProblem]:
    """Problems of the blocks in ``chunk``: together while they pass, alone to locate."""
    problems: dict[int, SyntaxProblem] = {}
    rest = list(chunk)
    while rest:
        if len(rest) == 1:
            problem = _run(bash, blocks[rest[0]])
            if problem is not None:
                problems[rest[0]] = problem
            break
        script, starts = _wrap([blocks[i] for i in rest])
        problem = _run(bash, script)
        if problem is None:
            break
        position = max(0, _block_at(starts, problem.line - 1))
        culprit = rest[position]
        alone = _run(bash, blocks[culprit])
        if alone is not None:
            problems[culprit] = alone
            rest = rest[position + 1 :]
            continue
        # Only wrapped does it fail (something we did not foresee): check one by one.
        for index in rest:
            own = _run(bash, blocks[index])
            if own is not None:
                problems[index] = own
        break
    return problems


def _wrap(texts: list[str]) -> tuple[str, list[int]]:
    """One script with each text in a function; the 0-based line where each starts."""
    parts: list[str] = []
    starts: list[int] = []
    line = 0
    for n, text in enumerate(texts):
        parts.append(_WRAP_OPEN.format(n))
        line += 1
        starts.append(line)
        parts.append(text)
        parts.append(_WRAP_CLOSE)
        line += text.count("\n") + _WRAP_CLOSE.count("\n")
    return "".join(parts), starts


def _block_at(starts: list[int], line: int) -> int:
    """The block whose wrapper holds 0-based ``line`` (a closing brace belongs to the
    block before it)."""
    index = -1
    for n, start in enumerate(starts):
        if start - 1 <= line:
            index = n
        else:
            break
    return index


def _run(bash: str, script: str) -> SyntaxProblem | None:
    with tempfile.NamedTemporaryFile("w", suffix=".sh", encoding="utf-8") as handle:
        handle.write(script)
        handle.flush()
        try:
            proc = subprocess.run(
                [bash, "--noprofile", "--norc", "-n", handle.name],
                capture_output=True,
                text=True,
                errors="replace",
                timeout=60,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return SyntaxProblem(1, "bash -n did not finish in 60 s")
    if proc.returncode == 0:
        return None
    for raw in proc.stderr.splitlines():
        m = _ERROR_LINE.match(raw)
        if m and "warning:" not in m.group(2):
            return SyntaxProblem(int(m.group(1)), m.group(2).strip())
    return SyntaxProblem(1, proc.stderr.strip().splitlines()[-1] if proc.stderr else "error")


def _to_json(problem: SyntaxProblem | None) -> list[object] | None:
    return None if problem is None else [problem.line, problem.message]


def _from_json(value: object) -> SyntaxProblem | None:
    if isinstance(value, list) and len(value) == 2:
        line, message = value
        if isinstance(line, int) and isinstance(message, str):
            return SyntaxProblem(line, message)
    return None
