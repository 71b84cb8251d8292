"""Linting runbook files in batches, in this process or in worker processes.

A batch assembles each file's runbook (the cascade) and applies every rule, the shell
ones included, with one ``bash -n`` pass for all its blocks. A cold run over many files
sends the files' bytes to worker processes, which parse, convert, assemble and lint
them and send back only a ``FileLint`` per file and the cache entries they made: the
model never crosses a process boundary, and the rules run on every core.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Sequence
from dataclasses import dataclass

from checks.problems import Problem
from checks.shell.syntax import SyntaxCache
from generator._pickling import dumps
from generator._workers import Workers, chunks_of, gc_paused
from generator.lint.rules import runbook_problems
from generator.lint.shell import ShellBlock, runbook_blocks, shell_problems
from generator.load.cache import ParseCache
from generator.load.cascade import Assembled, Cascade, Placed
from generator.load.document import Document
from generator.load.parse import convert_document, file_digest, read_bytes
from generator.model import Runbook

__all__ = ["FileLint", "Linter", "Source", "lint_documents", "lint_sources", "source_document"]


@dataclass(frozen=True, slots=True)
class FileLint:
    """What linting one runbook file gave: small, picklable, what ``LintCache`` keeps."""

    problems: tuple[Problem, ...]
    """The loader's problems (schema, ids within the runbook)."""
    placed: Placed | None
    """Where the runbook and its id are; None when the file has an error."""
    found: tuple[Problem, ...] = ()
    """The rules' problems (a file with errors too, when its runbook could be built)."""
    allow: frozenset[str] = frozenset()
    """The runbook's ``lint.allow``."""


@dataclass(frozen=True, slots=True)
class Linter:
    """What a batch needs besides its files (a worker process gets a copy)."""

    cascade: Cascade
    """With every ``_defaults.yaml`` the batch's files inherit already read."""
    today: dt.date | None
    bash: str
    syntax: SyntaxCache | None
    """``bash -n`` results to reuse and extend; None keeps none."""

    def without_cache(self) -> Linter:
        """What a worker process lints with: the cascade as read so far, no parse cache."""
        return Linter(self.cascade.without_cache(), self.today, self.bash, self.syntax)


@dataclass(frozen=True, slots=True)
class Source:
    """A runbook file to parse."""

    path: str
    display: str
    data: bytes | None
    """Its bytes, when the parent read them (to look in the caches); None: read them
    where they are parsed."""
    digest: bytes
    size: int
    """How much work the file is, for sharing it out."""


def source_document(source: Source, hashed: bool = False) -> Document[Runbook]:
    """The Document of ``source``'s bytes (read now if the parent did not). ``hashed``:
    its ``digest`` is the bytes' hash (for the caches) when the parent did not give one."""
    data = source.data if source.data is not None else read_bytes(source.path, source.display)
    if isinstance(data, Problem):
        return Document(source.display, (data,))
    digest = source.digest or (file_digest(data) if hashed else b"")
    return convert_document(data, source.display, Runbook, digest)


def lint_documents(
    linter: Linter, files: Sequence[tuple[str, Document[Runbook]]]
) -> list[FileLint]:
    """Each (path, Document) assembled and linted; every shell block of the batch goes
    through ``bash -n`` at once."""
    with gc_paused():
        assembled = [linter.cascade.runbook(path, doc) for path, doc in files]
        pending: list[tuple[int, list[Problem], list[ShellBlock]]] = []
        for index, item in enumerate(assembled):
            runbook = item.runbook or item.partial
            if runbook is not None:
                problems = [*files[index][1].notes, *runbook_problems(runbook, linter.today)]
                if item.runbook is None:
                    problems = _without_consequences(problems, runbook, files[index][1])
                pending.append((index, problems, runbook_blocks(runbook)))
        blocks = [block for *_, own in pending for block in own]
        per_block = iter(shell_problems(blocks, bash=linter.bash, cache=linter.syntax))
        found: dict[int, tuple[Problem, ...]] = {}
        for index, problems, own in pending:
            for _ in own:
                problems.extend(next(per_block))
            found[index] = tuple(problems)
        return [
            FileLint(item.problems, item.placed, found.get(index, ()), _allow(item))
            for index, item in enumerate(assembled)
        ]


def _allow(item: Assembled) -> frozenset[str]:
    runbook = item.runbook or item.partial
    return frozenset(runbook.lint.allow) if runbook is not None else frozenset()


def _without_consequences(
    problems: list[Problem], runbook: Runbook, doc: Document[Runbook]
) -> list[Problem]:
    """The rules' problems with a runbook that has errors, less those that only repeat
    one: a ``last_reviewed`` left out for its bad date is not "never reviewed"."""
    if "last_reviewed" in doc.given and runbook.last_reviewed is None:
        return [p for p in problems if p.rule != "stale-review"]
    return problems


def lint_sources(
    linter: Linter,
    sources: Sequence[Source],
    workers: int,
    keep_parsed: bool,
    parse_folder: str | None = None,
    hashed: bool = False,
) -> list[tuple[FileLint, bytes, bytes]] | None:
    """Parse and lint ``sources`` in ``workers`` processes (in chunks by bytes, see
    ``_workers.chunks_of``): each file's FileLint and, with ``keep_parsed``, its Document
    pickled for the parse cache (else ``b""``). With a ``parse_folder``
    (``ParseCache.shared_folder``) the workers write those entries themselves, in
    parallel, and send back ``b""``. Last, each file's digest: the one it came with, else
    (``hashed``) the hash of the bytes the worker read, else ``b""``. The ``bash -n``
    results the workers used join ``linter.syntax``. None when processes cannot be
    started."""
    chunks = chunks_of(sources, workers, [s.size for s in sources])
    keep = (keep_parsed, parse_folder if keep_parsed else None, hashed)
    # A worker builds acyclic trees and exits: collections would only walk them.
    pool = Workers.start(_Worker(linter.without_cache(), keep), workers, gc.disable)
    if pool is None:
        return None
    with pool:
        parts = pool.map(_lint_chunk, chunks)
    if parts is None:
        return None
    out: list[tuple[FileLint, bytes, bytes]] = []
    for lints, parsed, digests, syntax_used, syntax_added in parts:
        out.extend(zip(lints, parsed, digests, strict=True))
        if linter.syntax is not None:
            linter.syntax.merge(syntax_used, syntax_added)
    return out


_Keep = tuple[bool, str | None, bool]
"""Keep the parses, the folder to write them in, hash the files read."""


@dataclass(frozen=True, slots=True)
class _Worker:
    """What a worker process lints with."""

    linter: Linter
    keep: _Keep


_Chunk = tuple[list[FileLint], list[bytes], list[bytes], dict[str, list[object] | None], bool]


def _lint_chunk(worker: _Worker, sources: Sequence[Source]) -> _Chunk:
    """In a worker: parse, convert and lint one chunk of files."""
    linter, (keep_parsed, folder, hashed) = worker.linter, worker.keep
    syntax = linter.syntax.share() if linter.syntax is not None else None
    own = Linter(linter.cascade, linter.today, linter.bash, syntax)
    with gc_paused():
        docs = [source_document(s, hashed) for s in sources]
        lints = lint_documents(own, [(s.path, doc) for s, doc in zip(sources, docs, strict=True)])
        parsed = [b""] * len(docs)
        for index, (source, doc) in enumerate(zip(sources, docs, strict=True)):
            if not doc.digest:
                continue  # not read: nothing to keep
            if folder is not None:
                ParseCache.write_entry(folder, ("Runbook", source.display, doc.digest), doc)
            elif keep_parsed:
                parsed[index] = dumps(doc)
    digests = [doc.digest for doc in docs]
    if syntax is None:
        return lints, parsed, digests, {}, False
    return lints, parsed, digests, syntax.used_entries(), syntax.dirty
