"""Files written whole or not at all, and report paths that may be devices, pipes or links.

A plain file is replaced in one step (a temp file in the same folder, then a rename), so a
reader sees the old file or the new one. A report path can also name what must never be
replaced: a character device (``/dev/null``), a FIFO, the run's own stdout
(``/dev/stdout``, ``/dev/fd/N``), or a symlink; those are written through, or followed.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat

__all__ = ["folder_problem", "read_own", "write_atomic", "write_problem", "write_report"]

_FD_PATH = re.compile(r"/(?:proc/(?:self|thread-self|\d+)|dev)/fd/\d+")
"""Paths that name an open file descriptor: writing there must reach that descriptor."""
_MAX_HOPS = 40


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one step: readers see the old file or the new one.

    ``durable``: fsync before the rename, so a crash cannot leave an empty file (reports,
    incident records); caches skip it, a lost entry only costs speed. The new file is
    readable by all (0644), like one written with ``open``; on failure the temp file goes.
    """
    import tempfile  # here: a run that writes no report never needs it

    path = os.fspath(path)
    folder = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def read_own(path: str | os.PathLike[str]) -> bytes | None:
    """The bytes of ``path`` if this user owns it and no one else may write it; None when
    it is missing, unreadable or may hold what someone else put there.

    For the caches, which are pickles: reading one runs what it says, so a cache folder
    in a shared place (a checkout in ``/tmp``, a CI workspace) must not serve what another
    user left in it. The file checked is the one read (``fstat`` of the open file).
    """
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return None
            return handle.read()
    except OSError:
        return None


def write_report(path: str, data: str) -> None:
    """Write a report to ``path`` without replacing what the path names.

    A device, a FIFO or a descriptor (``/dev/stdout``) is written through; a symlink is
    followed and its target replaced atomically; a plain file is replaced atomically.
    """
    through, real = _destination(path)
    if not through:
        write_atomic(real, data)
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        view = memoryview(data.encode("utf-8"))
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def write_problem(path: str) -> str:
    """Why a report cannot be written to ``path`` ("" when it can), found by trying.

    Tried, not guessed from permission bits: root passes every ``access`` check, yet
    cannot create a file in ``/proc``. Nothing is left behind and a FIFO is not opened
    (that would wait for its reader).
    """
    if os.path.isdir(path):
        return "is a directory (expected a file name)"
    through, real = _destination(path)
    if through:
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            return f"cannot write it: {exc.strerror or exc}"
        if stat.S_ISFIFO(mode):
            return "" if os.access(path, os.W_OK) else "cannot write it: permission denied"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC))
        except OSError as exc:
            return f"cannot write it: {exc.strerror or exc}"
        return ""
    parent = os.path.dirname(real) or "."
    if not os.path.isdir(parent):
        what = "is not a directory" if os.path.exists(parent) else "does not exist"
        return f"cannot write it: the directory '{parent}' {what}"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot write it: the directory '{parent}' is not writable"
    if os.path.exists(real) and not os.access(real, os.W_OK):
        return "cannot write it: the file is not writable"
    refused = _refused_file(parent, f".{os.path.basename(real)}.")
    if refused is not None:
        return f"cannot write it: cannot create a file in '{parent}': {refused}"
    return ""


def folder_problem(path: str) -> str:
    """Why ``path`` cannot be a folder to write files into ("" when it can), found by
    trying as ``write_problem`` does: an existing folder takes a file, a missing one has
    a nearest existing folder above it that does. Nothing is created or left behind."""
    if os.path.exists(path) and not os.path.isdir(path):
        return "is a file, not a folder"
    above = os.path.abspath(path)
    while not os.path.exists(above):
        above = os.path.dirname(above)
    if not os.path.isdir(above):
        return f"cannot create it: '{above}' is a file, not a folder"
    doing = "cannot write in it" if above == os.path.abspath(path) else "cannot create it"
    refused = _refused_file(above, ".runbook-probe.")
    return f"{doing}: {refused.lower()}" if refused is not None else ""


def _refused_file(folder: str, prefix: str) -> str | None:
    """Why a file cannot be created in ``folder`` (None: one was, and is gone again)."""
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(prefix=prefix, dir=folder)
    except OSError as exc:
        return str(exc.strerror or exc)
    os.close(fd)
    os.unlink(temp)
    return None


def _destination(path: str) -> tuple[bool, str]:
    """(write through?, the path to replace otherwise): symlinks followed, descriptors seen."""
    current = os.path.abspath(path)
    for _ in range(_MAX_HOPS):
        if _FD_PATH.fullmatch(current):
            return True, current
        try:
            link = os.readlink(current)
        except OSError:
            break  # not a symlink, or missing: the end of the chain
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    real = os.path.realpath(path) if os.path.islink(path) else path
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return False, real  # a new file (or a dangling link: its target is created)
    return not stat.S_ISREG(mode), real
