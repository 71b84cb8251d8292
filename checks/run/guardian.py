"""A watcher that ends the running blocks when the runner itself is killed (``kill -9``).

The runner cannot clean up after SIGKILL, and ``PR_SET_PDEATHSIG`` would need a
``preexec_fn`` in every block's child (which stops ``subprocess`` from using ``vfork``
and ``posix_spawn``), and reaches only the block's first process anyway. Instead, one
small bash process per runner, in a session of its own, waits on a pipe from the runner.
When the pipe ends without a goodbye, the runner is gone: the watcher reads which blocks
were running (their token and process group) and KILLs those groups and every process
whose environment carries one of their tokens (what left the group: ``timeout``,
``set -m``, ``setsid``).

Which blocks run is kept in a memory file the watcher inherits (``memfd``), rewritten in
place when a block starts or ends: one ``pwrite`` each, and the watcher does not wake up
for it (a message per block would cost both processes a wake-up twice per block).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import threading

_SCRIPT = r"""
trap '' INT TERM HUP
while read -r op; do
  [ "$op" = bye ] && exit 0
done
declare -A groups
while read -r token pgid; do
  [ -n "$token" ] && groups[$token]=$pgid
done < "/dev/fd/$1"
[ "${#groups[@]}" -eq 0 ] && exit 0
for token in "${!groups[@]}"; do kill -KILL -- "-${groups[$token]}" 2>/dev/null; done
tokens=" ${!groups[*]} "
for pass in 1 2; do
  for environ in /proc/[0-9]*/environ; do
    while IFS= read -r -d '' var; do
      case $var in
        RUNBOOK_BLOCK_RUN=*)
          [[ $tokens == *" ${var#*=} "* ]] && kill -KILL "${environ//[^0-9]/}" 2>/dev/null
          break ;;
      esac
    done 2>/dev/null < "$environ"
  done
done
"""

_lock = threading.Lock()
_pipe: int | None = None
_board: int | None = None
"""The memory file naming the running blocks, one ``token pgid`` line each."""
_written = 0
_running: dict[str, bytes] = {}
"""Token -> its ``token pgid`` line."""
_owner = 0
"""The pid that started the watcher (a forked child starts its own)."""
_watcher_pid = 0


def watcher_pid() -> int:
    """The watcher's process id in this process (0: none): a child that is no block's."""
    return _watcher_pid if _owner == os.getpid() else 0


def watch(token: str, pgid: int) -> None:
    """Tell the watcher a block runs: ``token`` (``RUNBOOK_BLOCK_RUN``) and its group."""
    if _watcher():
        with _lock:
            _running[token] = f"{token} {pgid}\n".encode()
            _publish()


def release(token: str) -> None:
    """The block and whatever it started have ended."""
    if _watcher():
        with _lock:
            _running.pop(token, None)
            _publish()


def _publish() -> None:
    """The running blocks into the memory file, over what was there (padded with spaces,
    which the watcher skips): one write, never a moment without the current blocks."""
    global _written
    assert _board is not None
    text = b"".join(_running.values())
    try:
        os.pwrite(_board, text.ljust(_written), 0)
    except OSError:  # cannot happen to a memory file; the watcher then finds fewer blocks
        return
    _written = max(_written, len(text))


def _watcher() -> bool:
    """The watcher runs (started on first use in this process); False where it cannot."""
    global _pipe, _board, _owner, _written, _watcher_pid
    if _owner == os.getpid():
        return _pipe is not None
    with _lock:
        if _owner != os.getpid():
            _owner = os.getpid()
            _pipe = _board = None
            _running.clear()
            _written = 0
            try:
                board = _memory_file()
                proc = subprocess.Popen(
                    ["bash", "--noprofile", "--norc", "-c", _SCRIPT, "guardian", str(board)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env={"PATH": os.environ.get("PATH", os.defpath)},
                    start_new_session=True,
                    pass_fds=(board,),
                )
            except OSError:
                return False
            assert proc.stdin is not None
            _pipe = os.dup(proc.stdin.fileno())  # non-inheritable: no block holds it open
            proc.stdin.close()
            _board = board
            _watcher_pid = proc.pid
            atexit.register(_goodbye, _pipe, proc)
    return _pipe is not None


def _memory_file() -> int:
    """A file in memory only (close-on-exec here; passed to the watcher on purpose)."""
    try:
        return os.memfd_create("runbook-running", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        return os.dup(tempfile.TemporaryFile().fileno())


def _goodbye(fd: int, proc: subprocess.Popen[bytes]) -> None:
    """A normal exit: the watcher leaves without looking for anything (not waited for)."""
    with contextlib.suppress(OSError):
        os.write(fd, b"bye\n")
        os.close(fd)
