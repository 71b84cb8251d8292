"""Reading one YAML file: bytes -> node tree -> converted top-level fields, with a cache.

A file becomes a ``Document`` (its converted fields and problems, before the cascade).
``ParseCache`` keeps Documents by content hash across runs so unchanged files are not
parsed again. Never raises for bad input: every failure is a located ``Problem``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import os
import pickle
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.files import write_atomic
from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator._pickling import dumps
from generator._workers import Workers, chunks_of, gc_paused, worker_count
from generator.fingerprint import code_version
from generator.load import spec
from generator.load.convert import Converter
from generator.load.nodes import locate
from generator.load.yaml_tags import FAST_LOADER, MAP
from generator.model import NOWHERE

# libyaml's composer recurses in C: tens of thousands of nesting levels crash the process.
# Above this bound on the nesting depth we use the pure Python composer, which raises
# RecursionError instead (and is slow, but only pathological files get there).
_C_SAFE_DEPTH = 2000


def _c_parser_limits_nesting() -> bool:
    """Whether libyaml stops a document nested deeper than it can compose (it has since
    0.2.5's successors, as in PyYAML's wheels: "exceeded maximum nesting depth", located,
    at 1,000 levels); then no file needs the bound below."""
    if FAST_LOADER is yaml.SafeLoader:
        return False
    depth = _C_SAFE_DEPTH * 3 // 4  # safe to compose even where there is no limit
    try:
        yaml.compose("[" * depth + "]" * depth, Loader=FAST_LOADER)
    except yaml.MarkedYAMLError as exc:
        return "nesting depth" in str(exc.problem)
    return False


_C_LIMITS_NESTING = _c_parser_limits_nesting()
_TOO_DEEP = "invalid YAML: nested too deeply"
_BRACKETS = re.compile(rb"[\[\]{}]")
_BLOCK_PREFIX = re.compile(rb"^[ ?-]*", re.M)


@dataclass(frozen=True, slots=True)
class Document:
    """One file: its converted top-level fields, before the cascade (picklable)."""

    display: str
    problems: tuple[Problem, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    given: frozenset[str] = frozenset()
    """Top-level keys the file sets (valid or not)."""
    location: SourceLocation = NOWHERE
    id_location: SourceLocation | None = None
    ok: bool = False
    """The file parsed to a mapping and had every required key."""
    digest: bytes = b""
    """A hash of the file's bytes (empty when it could not be read): with ``display``,
    what the Document is a function of."""


def display_path(path: str) -> str:
    """A path as the user would name it: relative to the working directory where possible."""
    cwd = os.getcwd()
    folder, name = os.path.split(path)
    shown = _display_folder(cwd, folder or ".")
    if name in {"", ".", ".."} or shown.endswith("/") or shown.split("/", 1)[0] == "..":
        return _display_folder(cwd, path)  # the rare shapes: as a whole
    if shown == ".":
        return name
    whole = f"{shown}/{name}"
    if shown.startswith("/") and whole.lstrip("/") == cwd.lstrip("/"):
        return "."  # the working directory itself
    return whole


@functools.lru_cache(maxsize=256)
def _display_folder(cwd: str, path: str) -> str:
    """``display_path`` of a folder (from ``cwd``): a thousand runbooks share a few dozen."""
    if os.path.isabs(path):
        rel = os.path.relpath(path, cwd)
        if rel != ".." and not rel.startswith("../"):
            path = rel
    return Path(os.path.normpath(path)).as_posix()


def read_bytes(path: str, display: str) -> bytes | Problem:
    """The file's bytes, or the problem that prevented reading them."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        return Problem(SourceLocation(display, 1, 1), Severity.ERROR, message)


def parse_bytes(data: bytes, display: str) -> tuple[Node | None, list[Problem], str]:
    """The document's root node, or None with the problem that prevented parsing it; and
    the decoded text (the marks' line, column and index are in it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start]
        message = f"file is not valid UTF-8 (byte 0x{byte:02x}); save it as UTF-8"
        return None, [Problem(SourceLocation(display, line, col), Severity.ERROR, message)], ""
    safe = _C_LIMITS_NESTING or _nesting_bound(data) < _C_SAFE_DEPTH
    loader = FAST_LOADER if safe else yaml.SafeLoader
    node, problems = _parse_text(text, display, loader)
    return node, problems, text


def _parse_text(text: str, display: str, loader: Any) -> tuple[Node | None, list[Problem]]:
    def fail(line: int, col: int, message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(SourceLocation(display, line, col), Severity.ERROR, message)]

    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.problem == "but found another document":
            message = "a runbook file holds one YAML document; remove the second '---'"
        elif "maximum nesting depth" in str(exc.problem):
            message = _TOO_DEEP
        elif exc.context and exc.context_mark is not None and exc.problem:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return fail(line, col, message)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return fail(line, col, f"invalid YAML: control character U+{code:04X} is not allowed")
    except yaml.YAMLError as exc:
        return fail(1, 1, f"invalid YAML: {exc}")
    except RecursionError:
        return fail(1, 1, _TOO_DEEP)
    if node is None:
        return fail(1, 1, "empty file (expected a mapping with at least 'id' and 'title')")
    if not isinstance(node, MappingNode) or node.tag != MAP:
        kind = "a list" if isinstance(node, SequenceNode) else "a single value"
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return fail(1, 1, "empty file (expected a mapping with at least 'id' and 'title')")
        problem = Problem(
            locate(display, node),
            Severity.ERROR,
            f"a runbook file must be a mapping of keys (id, title, ...), got {kind}",
        )
        return None, [problem]
    return node, []


def _nesting_bound(text: bytes) -> int:
    """An upper bound on the nesting depth of the UTF-8 ``text`` (0 when it is obviously
    small). Its bytes, not its characters: the same brackets, lines no shorter."""
    if len(text) < _C_SAFE_DEPTH:
        return 0
    flow = text.count(b"[") + text.count(b"{")
    if flow >= _C_SAFE_DEPTH:
        steps = (1 if b in b"[{" else -1 for b in _BRACKETS.findall(text))
        flow = max(itertools.accumulate(steps), default=0)
    # Block nesting needs deeper indentation (or another "- " / "? ") per level. A line's
    # length bounds its prefix and is much cheaper to find: look closer only past it.
    if not _may_have_line(text, _C_SAFE_DEPTH - flow):
        return _C_SAFE_DEPTH - 1
    longest = max(map(len, text.split(b"\n")))
    if flow + longest < _C_SAFE_DEPTH:
        return flow + longest
    block = max(map(len, _BLOCK_PREFIX.findall(text)), default=0)
    return flow + block


def _may_have_line(text: bytes, length: int) -> bool:
    """False when no line of ``text`` has ``length`` characters or more.

    Such a line would hold a whole aligned window of ``length // 2`` characters, so a
    line break in every window rules it out: a few ``find`` calls instead of a split.
    """
    step = length // 2
    if step < 1:
        return True
    return any(text.find(b"\n", start, start + step) < 0 for start in range(0, len(text), step))


def read_document(path: str, kind: str, cache: ParseCache | None) -> Document:
    """One file as a Document (``kind``: ``Runbook`` or ``Defaults``)."""
    return read_documents([path], kind, cache, jobs=1)[0]


def read_documents(
    paths: Sequence[str], kind: str, cache: ParseCache | None, jobs: int | None = None
) -> list[Document]:
    """Documents for ``paths``, in order: cache hits first, the rest converted.

    ``jobs``: worker processes for the conversion; None uses every core once there are
    at least ``workers.PARALLEL_MIN_FILES`` files to convert (parsing is CPU-bound), 1 never.
    """
    with gc_paused():
        return _read_documents(paths, kind, cache, jobs)


def _read_documents(
    paths: Sequence[str], kind: str, cache: ParseCache | None, jobs: int | None
) -> list[Document]:
    out: list[Document | None] = [None] * len(paths)
    todo: list[tuple[int, str, bytes, tuple[str, str, bytes]]] = []
    for index, path in enumerate(paths):
        display = display_path(path)
        data = read_bytes(path, display)
        if isinstance(data, Problem):
            out[index] = Document(display, (data,))
            continue
        key = (kind, display, file_digest(data))
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            out[index] = cached
            continue
        todo.append((index, display, data, key))
    items = [(data, display, key[2]) for _, display, data, key in todo]
    docs = _convert_parallel(items, kind, worker_count(len(items), jobs))
    if docs is None:
        docs = [convert_document(data, display, kind, digest) for data, display, digest in items]
    for (index, _, _, key), doc in zip(todo, docs, strict=True):
        out[index] = doc
        if cache is not None:
            cache.put(key, doc)
    return [doc for doc in out if doc is not None]


def _convert_parallel(
    items: list[tuple[bytes, str, bytes]], kind: str, workers: int
) -> list[Document] | None:
    """Convert in ``workers`` processes; None when that is pointless or impossible."""
    if workers < 2:
        return None
    chunks = chunks_of(items, workers, [len(data) for data, _, _ in items])
    pool = Workers.start(kind, workers)
    if pool is None:
        return None
    with pool:
        parts = pool.map(_convert_batch, chunks)
    return None if parts is None else [doc for part in parts for doc in part]


def _convert_batch(kind: str, items: Sequence[tuple[bytes, str, bytes]]) -> list[Document]:
    """In a worker: Documents of one chunk of files."""
    with gc_paused():
        return [convert_document(data, display, kind, digest) for data, display, digest in items]


def file_digest(data: bytes) -> bytes:
    """The hash of a file's bytes that the caches key on."""
    return hashlib.blake2b(data, digest_size=16).digest()


def convert_document(data: bytes, display: str, kind: str, digest: bytes) -> Document:
    """The Document of a file's bytes (``digest``: ``file_digest(data)``)."""
    node, problems, text = parse_bytes(data, display)
    if node is None:
        return Document(display, tuple(problems), digest=digest)
    converter = Converter(display, text)
    result = converter.fields(node, spec.OBJECTS[kind], "", 1)
    problems.extend(converter.problems)
    if result is None:
        return Document(display, tuple(problems), location=locate(display, node), digest=digest)
    kwargs, given, _ = result
    id_node = given.get("id")
    return Document(
        display,
        tuple(problems),
        kwargs,
        frozenset(given),
        locate(display, node),
        locate(display, id_node) if id_node is not None else None,
        ok=True,
        digest=digest,
    )


class ParseCache:
    """Converted files by (kind, path, content hash): one pickle per entry under
    ``cache_dir/loader-<code hash>/<2 hex>/``, so an edit rewrites one small file.

    The entries are spread over 256 subfolders (as git spreads its objects): processes
    that write entries at once (lint's workers) then rarely wait on the same folder's
    lock, which on one shared folder cost them much system time.
    The folder name carries a hash of the loader's own source, so a code change starts a
    fresh cache (older folders are removed). An entry that cannot be read is a miss and
    is written again. Entries unused for ``MAX_AGE_DAYS`` are removed.
    """

    MAX_AGE_DAYS = 30

    def __init__(self, cache_dir: str | os.PathLike[str] | None) -> None:
        """``cache_dir`` None: in memory only. Either way the instance remembers what it
        served, so a process that loads the same files again (``runbook serve``, or
        ``runbook check`` linting then running) should keep it between loads."""
        self.root = os.fspath(cache_dir) if cache_dir is not None else None
        self.folder = os.path.join(self.root, f"loader-{code_version()}") if self.root else ""
        self._memory: dict[str, Document | bytes] = {}
        """Documents, or their pickles (from worker processes) until one is asked for."""
        self._new: set[str] = set()
        """Entries to write to disk at the next ``save``."""
        self._used: set[str] = set()

    @staticmethod
    def _name(key: tuple[str, str, bytes]) -> str:
        """The entry's path in the folder: ``<2 hex>/<30 hex>``."""
        kind, display, digest = key
        name = hashlib.blake2b(f"{kind}\0{display}\0".encode() + digest, digest_size=16)
        hexed = name.hexdigest()
        return f"{hexed[:2]}/{hexed[2:]}"

    def shared_folder(self) -> str | None:
        """The folder other processes may write entries into (``write_entry``), created
        now with its subfolders; None when this cache is in memory only or the folder
        cannot be made."""
        if self.root is None:
            return None
        try:
            _make_shards(self.folder)
        except OSError:
            return None
        return self.folder

    @classmethod
    def write_entry(cls, folder: str, key: tuple[str, str, bytes], doc: Document) -> None:
        """In another process: write ``doc``'s entry into ``shared_folder()`` (what
        ``save`` would write); the parent then calls ``written``. Failures only cost speed."""
        with contextlib.suppress(OSError):
            path = os.path.join(folder, cls._name(key))
            write_atomic(path, dumps(doc), durable=False)

    def written(self, key: tuple[str, str, bytes]) -> None:
        """``key``'s entry was written by another process: keep it (on disk) this run."""
        self._used.add(self._name(key))

    def empty(self) -> bool:
        """Whether nothing from an earlier load or run can be found here: no entry on disk
        or kept in memory (entries put since the last ``save``, the ``_defaults.yaml``
        files just read, do not count)."""
        if not self._memory.keys() <= self._new:
            return False
        if self.root is None:
            return True
        try:
            return next(self._entries(), None) is None
        except OSError:
            return True  # no folder: nothing to find

    def _entries(self) -> Iterator[tuple[str, os.DirEntry[str]]]:
        """Each entry on disk with its name (``<2 hex>/<30 hex>``), shard by shard."""
        with os.scandir(self.folder) as shards:
            for shard in shards:
                if shard.is_dir():
                    with os.scandir(shard.path) as entries:
                        for entry in entries:
                            yield f"{shard.name}/{entry.name}", entry

    def get(self, key: tuple[str, str, bytes]) -> Document | None:
        name = self._name(key)
        doc = self._memory.get(name)
        if isinstance(doc, bytes):
            doc = _loads_document(doc)
            if doc is not None:
                self._memory[name] = doc
        if doc is None and self.root is not None:
            doc = self._read(name)
            if doc is not None:
                self._memory[name] = doc
        if doc is not None:
            self._used.add(name)
        return doc

    def _read(self, name: str) -> Document | None:
        try:
            with open(os.path.join(self.folder, name), "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        return _loads_document(data)

    def put(self, key: tuple[str, str, bytes], doc: Document | bytes) -> None:
        """Keep ``doc`` (or its pickle, by ``generator._pickling.dumps``) for ``key``."""
        name = self._name(key)
        self._memory[name] = doc
        self._new.add(name)
        self._used.add(name)

    def save(self) -> None:
        """Keep in memory what this load used; on disk, write new entries atomically and
        prune. Failures to write only cost speed."""
        self._memory = {n: d for n, d in self._memory.items() if n in self._used}
        if self.root is not None:
            with contextlib.suppress(OSError):
                if self._new:
                    _make_shards(self.folder)
                for name in self._new:
                    doc = self._memory[name]
                    data = doc if isinstance(doc, bytes) else dumps(doc)
                    write_atomic(os.path.join(self.folder, name), data, durable=False)
                self._prune()
        self._new.clear()
        self._used.clear()

    def _prune(self) -> None:
        assert self.root is not None
        now = time.time()
        for entry in os.scandir(self.root):
            if entry.name.startswith("loader-") and entry.path != self.folder:
                shutil.rmtree(entry.path, ignore_errors=True)  # another version of the code
        if not os.path.isdir(self.folder):
            return
        for name, entry in self._entries():
            if name in self._used:
                os.utime(entry.path, (now, now))
            elif now - entry.stat().st_mtime > self.MAX_AGE_DAYS * 86400:
                os.unlink(entry.path)


def _make_shards(folder: str) -> None:
    """``folder`` and its 256 subfolders (``00`` to ``ff``)."""
    os.makedirs(folder, exist_ok=True)
    if not os.path.isdir(os.path.join(folder, "ff")):  # made last: all are there
        for shard in range(256):
            os.makedirs(os.path.join(folder, f"{shard:02x}"), exist_ok=True)


def _loads_document(data: bytes) -> Document | None:
    try:
        with gc_paused():
            doc = pickle.loads(data)
    except Exception:  # damaged in any way: a miss
        return None
    return doc if isinstance(doc, Document) else None
