"""Starting a block's process without the per-block costs ``subprocess.Popen`` adds.

A block of ``true`` costs the runner more in ``Popen`` than in anything else: it encodes
the whole environment (often 80+ variables) in Python for every process, opens a pipe to
hear about exec errors, wraps each pipe in a buffered file and runs a few hundred lines of
Python. ``os.posix_spawn`` (glibc: ``clone`` with ``CLONE_VFORK``, so no page tables are
copied, as ``Popen`` without a ``preexec_fn`` does) takes an environment already encoded,
reports exec errors itself, and makes the new session in the child.

A block's environment is the last block's but for a few values (its id, its run token,
its output file): only those are encoded again. The shell's path is looked up once per
``$PATH``.

What ``Popen`` does and ``posix_spawn`` must be asked for: SIGPIPE and SIGXFSZ back to
their defaults (Python ignores SIGPIPE), and no inherited descriptor beyond 0-2 (this
process's own are close-on-exec; the inheritable ones it was started with are closed in
the child). A block with a ``cwd`` goes through ``Popen`` (``posix_spawn`` cannot change
the directory in Python 3.11). ``tests/test_run_environment.py`` proves a block sees
exactly the environment it was given, and ``tests/test_run_spawn.py`` the rest.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
from collections.abc import Mapping
from itertools import compress, count
from operator import is_not
from typing import Any, Protocol

_DEFAULT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, name)
)
"""Signals Popen's ``restore_signals`` sets back to their default in the child."""


class PipeEnd(Protocol):
    """The runner's end of a pipe to a block: what it does with one."""

    def fileno(self) -> int: ...

    def close(self) -> None: ...


class Started(Protocol):
    """A started block process: what ``subprocess.Popen`` offers and the runner uses."""

    @property
    def pid(self) -> int: ...

    @property
    def stdin(self) -> PipeEnd | None: ...

    @property
    def stdout(self) -> PipeEnd | None: ...

    @property
    def stderr(self) -> PipeEnd | None: ...

    @property
    def returncode(self) -> int | Any: ...

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...


class _End:
    """A pipe end as a bare descriptor (a file object costs a ``fstat`` and a buffer)."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


class Spawned:
    """A process ``posix_spawn`` started, with the parent's ends of its pipes."""

    def __init__(self, pid: int, stdin: _End | None, stdout: _End, stderr: _End) -> None:
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None
        """As Popen's: the exit status, or minus the signal that ended it."""

    def poll(self) -> int | None:
        """The exit status once the process ended (reaped here), else None."""
        if self.returncode is None:
            self._waitpid(os.WNOHANG)
        return self.returncode

    def wait(self) -> int:
        """Wait for the process to end; its exit status."""
        while self.returncode is None:
            self._waitpid(0)
        return self.returncode

    def _waitpid(self, flags: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, flags)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): as Popen says
            self.returncode = 0
            return
        if pid == self.pid:
            self.returncode = os.waitstatus_to_exitcode(status)


def start(argv: list[str], env: Mapping[str, str], *, stdin_pipe: bool, cwd: str | None) -> Started:
    """``argv`` in a new session with ``env``: stdout and stderr piped, stdin piped
    (``stdin_pipe``) or ``/dev/null``. Raises OSError when it cannot start (as ``Popen``
    does)."""
    if cwd is None and _spawn_usable():
        try:
            return _spawn(argv, env, stdin_pipe)
        except NotImplementedError:  # a libc without POSIX_SPAWN_SETSID
            _usable[os.getpid()] = False
    return subprocess.Popen(
        argv,
        executable=_which(argv[0], env.get("PATH")),
        env=_encoded(env),
        stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
    )


def _spawn(argv: list[str], env: Mapping[str, str], stdin_pipe: bool) -> Spawned:
    program = argv[0]
    path = program if os.sep in program else _which(program, env.get("PATH"))
    if path is None:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)
    parent_ends: list[int] = []
    child_ends: list[int] = []
    try:
        if stdin_pipe:
            stdin, to_stdin = os.pipe()
            child_ends.append(stdin)
            parent_ends.append(to_stdin)
        else:
            stdin = _devnull()
        from_stdout, stdout = os.pipe()
        parent_ends.append(from_stdout)
        child_ends.append(stdout)
        from_stderr, stderr = os.pipe()
        parent_ends.append(from_stderr)
        child_ends.append(stderr)
        if min(stdin, stdout, stderr) <= 2:  # 0-2 were closed here: let Popen juggle
            raise NotImplementedError
        actions: list[tuple[Any, ...]] = [
            (os.POSIX_SPAWN_DUP2, stdin, 0),
            (os.POSIX_SPAWN_DUP2, stdout, 1),
            (os.POSIX_SPAWN_DUP2, stderr, 2),
            *_inherited_closes(),
        ]
        pid = os.posix_spawn(
            path,
            argv,
            _encoded(env),
            file_actions=actions,
            setsid=True,
            setsigdef=_DEFAULT_SIGNALS,
        )
    except BaseException:
        for fd in parent_ends:
            os.close(fd)
        raise
    finally:
        for fd in child_ends:
            os.close(fd)
    writer = _End(parent_ends[0]) if stdin_pipe else None
    return Spawned(pid, writer, _End(parent_ends[-2]), _End(parent_ends[-1]))


_usable: dict[int, bool] = {}
"""Per process id (a fork checks again): may blocks be started with ``posix_spawn``."""
_devnull_fd: dict[int, int] = {}
_closes: dict[int, list[tuple[Any, ...]]] = {}


def _spawn_usable() -> bool:
    pid = os.getpid()
    if pid not in _usable:
        _usable[pid] = hasattr(os, "posix_spawn") and os.path.isdir("/proc/self/fd")
    return _usable[pid]


def _devnull() -> int:
    """One ``/dev/null`` for every block's stdin (close-on-exec here; dup2 clears it)."""
    pid = os.getpid()
    if pid not in _devnull_fd:
        _devnull_fd[pid] = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    return _devnull_fd[pid]


def _inherited_closes() -> list[tuple[Any, ...]]:
    """Close, in the child, every inheritable descriptor above 2 this process was started
    with (Popen's ``close_fds``). Looked for once: Python makes its own close-on-exec."""
    pid = os.getpid()
    if pid not in _closes:
        found = []
        for entry in os.listdir("/proc/self/fd"):
            fd = int(entry)
            try:
                if fd > 2 and os.get_inheritable(fd):
                    found.append((os.POSIX_SPAWN_CLOSE, fd))
            except OSError:  # the listing's own descriptor, closed by now
                continue
        _closes[pid] = found
    return _closes[pid]


_last: tuple[list[str], list[str], dict[bytes, bytes]] = ([], [], {})
"""The last environment encoded: its names, its values and the encoding (one tuple, so a
thread reads one consistent set)."""


def _encoded(env: Mapping[str, str]) -> dict[bytes, bytes]:
    """``env`` encoded as Popen and posix_spawn pass it on.

    A run's blocks get the same names in the same order, and the same value objects but
    for a few (the block's id, its run token, its output file): so the values are compared
    by identity with the last environment's, in C, and only those that differ are encoded.
    Anything else (other names, another order) is encoded whole.
    """
    global _last
    names, values = list(env), list(env.values())
    last_names, last_values, last = _last
    if names == last_names:
        out = dict(last)
        for at in compress(count(), map(is_not, values, last_values)):
            out[os.fsencode(names[at])] = os.fsencode(values[at])
    else:
        out = {os.fsencode(key): os.fsencode(value) for key, value in env.items()}
    _last = (names, values, out)
    return out


_found: dict[tuple[str, str | None], str | None] = {}


def _which(program: str, path: str | None) -> str | None:
    """The program's full path under ``path`` (cached); None: let Popen search (and fail)."""
    if os.sep in program:
        return None
    key = (program, path)
    if key not in _found:
        _found[key] = _search(program, path)
    return _found[key]


def _search(program: str, path: str | None) -> str | None:
    """``shutil.which`` for a bare name (without importing shutil and its compressors)."""
    for folder in (path if path is not None else os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or os.curdir, program)
        if os.access(candidate, os.F_OK | os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None
