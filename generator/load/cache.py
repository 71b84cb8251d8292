"""The parse cache: each file's ``Document`` by (kind, path, content hash), on disk across
runs and in memory across loads, so an unchanged file is not parsed again."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import time
from collections.abc import Iterator

from checks.files import read_own, write_atomic
from generator._pickling import dumps
from generator._workers import gc_paused
from generator.fingerprint import code_version
from generator.load.document import AnyDocument, Document, FileObject, of_kind

__all__ = ["ParseCache"]


class ParseCache:
    """Converted files by (kind, path, content hash): one pickle per entry under
    ``cache_dir/loader-<code hash>/<2 hex>/``, so an edit rewrites one small file.

    The entries are spread over 256 subfolders (as git spreads its objects): processes
    that write entries at once (lint's workers) then rarely wait on the same folder's
    lock, which on one shared folder cost them much system time.
    The folder name carries a hash of the loader's own source, so a code change starts a
    fresh cache (older folders are removed). An entry that cannot be read is a miss and
    is written again, and so is one this user does not own or others may write (an entry
    is a pickle, which runs what it says when read). Entries unused for ``MAX_AGE_DAYS``
    are removed.
    """

    MAX_AGE_DAYS = 30

    def __init__(self, cache_dir: str | os.PathLike[str] | None) -> None:
        """``cache_dir`` None: in memory only. Either way the instance remembers what it
        served, so a process that loads the same files again (``runbook serve``, or
        ``runbook check`` linting then running) should keep it between loads."""
        self.root = os.fspath(cache_dir) if cache_dir is not None else None
        self.folder = os.path.join(self.root, f"loader-{code_version()}") if self.root else ""
        self._memory: dict[str, AnyDocument | bytes] = {}
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
    def write_entry(cls, folder: str, key: tuple[str, str, bytes], doc: AnyDocument) -> None:
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

    def get(
        self, key: tuple[str, str, bytes], kind: type[FileObject]
    ) -> Document[FileObject] | None:
        """The Document kept for ``key`` (whose kind is ``kind``), if any."""
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
        if doc is None:
            return None
        self._used.add(name)
        return of_kind(doc, kind)

    def _read(self, name: str) -> AnyDocument | None:
        data = read_own(os.path.join(self.folder, name))  # a pickle: only this user's
        return None if data is None else _loads_document(data)

    def put(self, key: tuple[str, str, bytes], doc: AnyDocument | bytes) -> None:
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


def _loads_document(data: bytes) -> AnyDocument | None:
    try:
        with gc_paused():
            doc = pickle.loads(data)
    except Exception:  # damaged in any way: a miss
        return None
    return doc if isinstance(doc, Document) else None
