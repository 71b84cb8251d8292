"""Lint results by runbook file, cached across runs (``.runbook-cache/lint-<code>.pickle``).

What lint says about a file depends on the file (its path and bytes), the
``_defaults.yaml`` files it inherits from (their paths and bytes, and the organisation
each makes), today (stale reviews), the bash in use (syntax) and the code of the loader
and the rules; the key hashes all of them, so nothing has to be invalidated by hand, and
an unchanged file costs a hash of its bytes: it is not even parsed. The cache file is a
pickle, read only when this user owns it and no one else may write it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import shutil
from typing import TYPE_CHECKING

from checks.files import read_own, write_atomic
from generator._pickling import dumps
from generator.fingerprint import code_version

if TYPE_CHECKING:
    from generator.lint.batch import FileLint

__all__ = ["LintCache"]


class LintCache:
    """What linting each runbook file gave, by a hash of everything it depends on (see
    the module); pickled under the cache folder. Linting a thousand unchanged runbooks
    then costs reading and hashing their bytes."""

    MAX_ENTRIES = 20_000

    def __init__(self, cache_dir: str | None, today: dt.date | None, bash: str) -> None:
        """``cache_dir`` None: caches nothing. ``today`` and ``bash``: what the rules ran
        with (a stale review depends on the day, ``bash -n`` on the bash)."""
        self.path: str | None = None
        self.entries: dict[bytes, FileLint] = {}
        self.used: set[bytes] = set()
        self.dirty = False
        if cache_dir is None:
            return
        salt = [str(today), bash, _bash_identity(bash)]
        self.salt = "\0".join(salt).encode()
        self.path = os.path.join(cache_dir, f"lint-{code_version()}.pickle")
        data = read_own(self.path)  # a pickle: only this user's
        try:
            entries = pickle.loads(data) if data is not None else {}
            if isinstance(entries, dict):
                self.entries = entries
        except Exception:  # any damage to a cache file means "no cache"
            self.entries = {}

    def key(
        self, display: str, digest: bytes, chain: tuple[tuple[str, bytes, str | None], ...]
    ) -> bytes:
        """The key of the file shown as ``display`` whose bytes hash to ``digest``, under
        ``chain`` (``Cascade.chain_key``); empty when caching is off."""
        if self.path is None:
            return b""
        inputs = pickle.dumps((display, digest, chain), protocol=pickle.HIGHEST_PROTOCOL)
        return hashlib.blake2b(self.salt + inputs, digest_size=16).digest()

    def get(self, key: bytes) -> FileLint | None:
        hit = self.entries.get(key) if key else None
        if hit is not None:
            self.used.add(key)
        return hit

    def put(self, key: bytes, result: FileLint) -> None:
        if key:
            self.entries[key] = result
            self.used.add(key)
            self.dirty = True

    def save(self) -> None:
        """Write the entries this run used, then older ones up to ``MAX_ENTRIES`` (a run
        over one folder keeps the others' results); failures only cost speed."""
        if self.path is None or not self.dirty:
            return
        live = {k: v for k, v in self.entries.items() if k in self.used}
        for k, v in self.entries.items():
            if len(live) >= self.MAX_ENTRIES:
                break
            live.setdefault(k, v)
        with contextlib.suppress(OSError):
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, dumps(live), durable=False)


def _bash_identity(bash: str) -> str:
    found = shutil.which(bash)
    if found is None:
        return "missing"
    stat = os.stat(found)
    return f"{found}:{stat.st_size}:{stat.st_mtime_ns}"
