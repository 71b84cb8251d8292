"""Starting a block's process without the per-block costs ``subprocess.Popen`` adds.

Two costs of ``Popen(argv, env=...)`` grow with the machine, not the block: it encodes the
whole environment (often 80+ variables) for every process, and it builds a candidate
path for every ``$PATH`` folder to find ``bash``. A block's environment is this
process's plus a few values (the block id, its variables): the rest is taken already
encoded from ``os.environ``, and only the few are encoded. The shell's path is looked up
once per ``$PATH``. ``tests/test_run_environment.py`` proves a
block sees exactly the environment it was given, and this process's stays as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

_MAX_CHANGES = 32
"""More changed variables than this: pass the environment whole (the plain way)."""
_found: dict[tuple[str, str | None], str | None] = {}


def popen(argv: list[str], env: Mapping[str, str], **options: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, env=env, **options)``, cheaper."""
    executable = _which(argv[0], env.get("PATH"))
    return subprocess.Popen(argv, executable=executable, env=_encoded(env), **options)


_base: dict[str, str] = {}
_base_raw: dict[bytes, bytes] = {}


def _encoded(env: Mapping[str, str]) -> Mapping[bytes, bytes] | dict[str, str]:
    """``env`` encoded: this process's encoded environment (kept by ``os.environ``, copied
    in C) with what ``env`` changes encoded on top. Popen passes bytes through as they are."""
    global _base, _base_raw
    raw = getattr(os.environ, "_data", None)  # private: hence the plain fallback
    if not isinstance(raw, dict):
        return dict(env)
    if raw != _base_raw:
        _base_raw, _base = dict(raw), dict(os.environ)
    items = env.items() if isinstance(env, dict) else dict(env).items()
    changed = dict(items - _base.items())
    if len(changed) > _MAX_CHANGES:
        return dict(env)
    out = dict(_base_raw)
    for key in _base.keys() - env.keys():
        del out[os.fsencode(key)]
    for key, value in changed.items():
        out[os.fsencode(key)] = os.fsencode(value)
    return out


def _which(program: str, path: str | None) -> str | None:
    """The program's full path under ``path`` (cached); None: let Popen search (and fail)."""
    if os.sep in program:
        return None
    key = (program, path)
    if key not in _found:
        _found[key] = shutil.which(program, path=path)
    return _found[key]
