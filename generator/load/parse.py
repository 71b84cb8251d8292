"""Reading one YAML file: bytes -> node tree -> converted top-level fields, with a cache.

A file becomes a ``Document`` (``generator.load.document``: its object and problems,
before the cascade); ``generator.load.cache.ParseCache`` keeps Documents by content hash so
unchanged files are not parsed again. Never raises for bad input: every failure is a
located ``Problem``.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from checks.model import SourceLocation
from checks.problems import Problem, Severity
from generator._workers import Workers, chunks_of, gc_paused, worker_count
from generator.load import spec
from generator.load.comments import comment_hint, cut_by_comment
from generator.load.convert import Converter
from generator.load.credentials import literal_credentials
from generator.load.document import Document, FileObject
from generator.load.nodes import locate, locate_offset
from generator.load.yaml_tags import FAST_LOADER, MAP

if TYPE_CHECKING:
    from generator.load.cache import ParseCache

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
            if "flow" in exc.context and mark is not None:
                message += comment_hint(text, exc.context_mark.line, mark.line)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return fail(line, col, message)
    except yaml.reader.ReaderError as exc:
        at = locate_offset(display, text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return fail(at.line, at.col, f"invalid YAML: control character U+{code:04X} is not allowed")
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


def read_document(
    path: str, kind: type[FileObject], cache: ParseCache | None
) -> Document[FileObject]:
    """One file as a Document of a ``Runbook`` or ``Defaults``."""
    return read_documents([path], kind, cache, jobs=1)[0]


def read_documents(
    paths: Sequence[str],
    kind: type[FileObject],
    cache: ParseCache | None,
    jobs: int | None = None,
) -> list[Document[FileObject]]:
    """Documents for ``paths``, in order: cache hits first, the rest converted.

    ``jobs``: worker processes for the conversion; None uses every core once there are
    at least ``workers.PARALLEL_MIN_FILES`` files to convert (parsing is CPU-bound), 1 never.
    """
    with gc_paused():
        return _read_documents(paths, kind, cache, jobs)


def _read_documents(
    paths: Sequence[str], kind: type[FileObject], cache: ParseCache | None, jobs: int | None
) -> list[Document[FileObject]]:
    out: list[Document[FileObject] | None] = [None] * len(paths)
    todo: list[tuple[int, str, bytes, tuple[str, str, bytes]]] = []
    for index, path in enumerate(paths):
        display = display_path(path)
        data = read_bytes(path, display)
        if isinstance(data, Problem):
            out[index] = Document(display, (data,))
            continue
        key = (kind.__name__, display, file_digest(data))
        cached = cache.get(key, kind) if cache is not None else None
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
    items: list[tuple[bytes, str, bytes]], kind: type[FileObject], workers: int
) -> list[Document[FileObject]] | None:
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


def _convert_batch(
    kind: type[FileObject], items: Sequence[tuple[bytes, str, bytes]]
) -> list[Document[FileObject]]:
    """In a worker: Documents of one chunk of files."""
    with gc_paused():
        return [convert_document(data, display, kind, digest) for data, display, digest in items]


def file_digest(data: bytes) -> bytes:
    """The hash of a file's bytes that the caches key on."""
    return hashlib.blake2b(data, digest_size=16).digest()


def convert_document(
    data: bytes, display: str, kind: type[FileObject], digest: bytes
) -> Document[FileObject]:
    """The Document of a file's bytes (``digest``: ``file_digest(data)``)."""
    node, problems, text = parse_bytes(data, display)
    if node is None:
        return Document(display, tuple(problems), digest=digest)
    converter = Converter(display, text)
    location = locate(display, node)
    result = converter.fields(node, spec.OBJECTS[kind.__name__], "", 1)
    problems.extend(converter.problems)
    if result is None:
        return Document(display, tuple(problems), location=location, digest=digest)
    fields, given, _ = result
    notes = cut_by_comment(node, text, display) + literal_credentials(text, display)
    # The spec decides which keys there are (tests/test_schema.py keeps it and the class
    # in agreement); this call is where the converted values meet the class's types.
    make: Callable[..., FileObject] = kind
    id_node = given.get("id")
    return Document(
        display,
        tuple(problems),
        make(**fields, location=location),
        frozenset(given),
        location,
        locate(display, id_node) if id_node is not None else None,
        digest=digest,
        notes=notes,
    )
