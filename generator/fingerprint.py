"""A fingerprint of this program's own source: part of every cache key.

Cached parses and lint results stay valid only while the code that made them is the same.
Every ``.py`` file of ``generator`` and ``checks`` counts, found by walking the packages
(subpackages included) rather than listed by hand, so a module moved or added later can
never be forgotten and silently serve stale results.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable


def source_digest(roots: Iterable[str]) -> str:
    """A short hash of every ``.py`` file under ``roots``, with its path relative to its root."""
    digest = hashlib.blake2b(digest_size=8)
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
