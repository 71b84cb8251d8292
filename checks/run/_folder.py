"""A private folder for a run's output files, made and removed without ``tempfile``.

``tempfile`` imports ``shutil`` (and with it the compression modules) and ``random``: on a
run of short blocks that start-up is a visible part of the cost per block, for one
``mkdir``. The folder is named with random bytes from the kernel, made only for this user
(0700) in the first usable temporary directory (``$TMPDIR``, ``$TEMP``, ``$TMP``, then the
usual ones, as ``tempfile`` looks), and removed with ``rmdir`` once the run's blocks have
had their files read and removed. Anything unusual (no usable directory, a block that left
something in the folder) falls back to ``tempfile`` and ``shutil``.
"""

from __future__ import annotations

import os

__all__ = ["make_folder", "remove_folder"]

_TRIES = 10
"""New names tried in one directory before the next (a name taken is a rare collision)."""


def make_folder(prefix: str) -> str:
    """A new empty folder only this user may enter; its absolute path."""
    for base in _candidates():
        for _ in range(_TRIES):
            path = os.path.join(base, prefix + os.urandom(6).hex())
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError:
                break  # not writable here: the next directory
            return path
    import tempfile  # the long way, with its own errors

    return tempfile.mkdtemp(prefix=prefix)


def remove_folder(path: str) -> None:
    """Remove the folder and whatever is still in it; errors are ignored."""
    try:
        os.rmdir(path)
    except FileNotFoundError:
        return
    except OSError:  # not empty: a block left something behind
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def _candidates() -> list[str]:
    """Where ``tempfile.gettempdir`` looks, in its order (absolute paths)."""
    found = [os.environ[name] for name in ("TMPDIR", "TEMP", "TMP") if os.environ.get(name)]
    found += ["/tmp", "/var/tmp", "/usr/tmp"]
    return [os.path.abspath(path) for path in found]
