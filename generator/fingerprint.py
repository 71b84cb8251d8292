"""A fingerprint of this program's own source: part of every cache key.

Cached parses and lint results stay valid only while the code that made them is the same.
Every ``.py`` file of ``generator`` and ``checks`` counts, found by walking the packages
(subpackages included) rather than listed by hand, so a module moved or added later can
never be forgotten and silently serve stale results.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable

try:  # what hashlib.blake2b is, without hashlib's own start-up (its OpenSSL set-up)
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b


def source_digest(roots: Iterable[str]) -> str:
    """A short hash of every ``.py`` file under ``roots``, with its path relative to its root."""
    digest = blake2b(digest_size=8)
    for root in roots:
        found: list[str] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            found.extend(os.path.join(folder, f) for f in files if f.endswith(".py"))
        for path in sorted(found):
            relative = os.path.relpath(path, os.path.dirname(root))
            with open(path, "rb") as handle:
                digest.update(relative.encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


@functools.cache
def code_version() -> str:
    """The fingerprint of the installed ``generator`` and ``checks`` packages."""
    import checks
    import generator

    return source_digest(os.path.dirname(str(package.__file__)) for package in (generator, checks))


def stamp_digest(roots: Iterable[str]) -> str:
    """A short hash of the path, size and modification time of every ``.py`` file under
    ``roots``: the test Python itself makes before reusing a module's byte-code. It lists
    folders instead of reading every byte (``source_digest``), for a cache that must cost
    less than the work it saves on every run."""
    stamps: list[str] = []
    for root in roots:
        skip = len(os.path.dirname(root)) + 1  # paths relative to the root's parent
        todo = [root]
        while todo:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    if entry.name.endswith(".py") and entry.is_file():
                        info = entry.stat()
                        stamps.append(f"{entry.path[skip:]}\0{info.st_size}\0{info.st_mtime_ns}")
                    elif entry.is_dir() and entry.name != "__pycache__":
                        todo.append(entry.path)
    return short_hash("\n".join(sorted(stamps)).encode("utf-8", "surrogateescape"), 8)


def short_hash(data: bytes, size: int = 16) -> str:
    """``data``'s BLAKE2b hash of ``size`` bytes, in hex: a cache key."""
    return blake2b(data, digest_size=size).hexdigest()
