"""Lint results by runbook, cached across runs (``.runbook-cache/lint-<code>.pickle``).

A runbook's problems depend on the runbook as loaded (its inherited parts included),
today (stale reviews), the bash in use (syntax) and the code of the rules; the key hashes
all of them, so nothing has to be invalidated by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from checks.files import write_atomic
from generator.errors import Problem
from generator.model import Runbook
from generator.parse import dumps_model

if TYPE_CHECKING:
    from generator.lint import LintOptions

__all__ = ["LintCache"]


class LintCache:
    """Each runbook's problems, by a hash of the runbook as loaded (its inherited parts
    included), today, the bash in use and the code of the rules; pickled under the cache
    folder. Linting a thousand unchanged runbooks then costs their (cached) load."""

    MAX_ENTRIES = 20_000

    def __init__(self, options: LintOptions) -> None:
        self.path: str | None = None
        self.entries: dict[bytes, tuple[Problem, ...]] = {}
        self.used: set[bytes] = set()
        self.dirty = False
        if options.cache_dir is None:
            return
        salt = [str(options.today), options.bash, _bash_identity(options.bash)]
        self.salt = "\0".join(salt).encode()
        self.path = os.path.join(options.cache_dir, f"lint-{_rules_version()}.pickle")
        try:
            with open(self.path, "rb") as handle:
                entries = pickle.load(handle)
            if isinstance(entries, dict):
                self.entries = entries
        except Exception:  # any damage to a cache file means "no cache"
            self.entries = {}

    def key(self, runbook: Runbook) -> bytes:
        """What the runbook's problems depend on, hashed (empty when caching is off)."""
        if self.path is None:
            return b""
        return hashlib.blake2b(self.salt + dumps_model(runbook), digest_size=16).digest()

    def get(self, key: bytes) -> tuple[Problem, ...] | None:
        hit = self.entries.get(key) if key else None
        if hit is not None:
            self.used.add(key)
        return hit

    def put(self, key: bytes, problems: Sequence[Problem]) -> None:
        if key:
            self.entries[key] = tuple(problems)
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
            data = pickle.dumps(live, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.path, data, durable=False)


def _bash_identity(bash: str) -> str:
    found = shutil.which(bash)
    if found is None:
        return "missing"
    stat = os.stat(found)
    return f"{found}:{stat.st_size}:{stat.st_mtime_ns}"


def _rules_version() -> str:
    """A hash of every module of ``generator`` and ``checks``: what lint reports about a
    loaded runbook depends on many of them (rules, comms, loader), and a module added
    later must invalidate the cache without anyone remembering to list it here."""
    import checks

    digest = hashlib.blake2b(digest_size=8)
    for package in (os.path.dirname(__file__), os.path.dirname(str(checks.__file__))):
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                with open(os.path.join(package, name), "rb") as handle:
                    digest.update(name.encode() + b"\0" + handle.read())
    return digest.hexdigest()
