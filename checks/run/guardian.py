"""A watcher that ends the running blocks when the runner itself is killed (``kill -9``).

The runner cannot clean up after SIGKILL, and ``PR_SET_PDEATHSIG`` would need a
``preexec_fn`` in every block's child (which stops ``subprocess`` from using ``vfork``,
and reaches only the block's first process anyway). Instead, one small bash process per
runner, in a session of its own, reads on a pipe which blocks are running (their token
and process group). When the pipe ends without a goodbye, the runner is gone: the
watcher KILLs those groups and every process whose environment carries one of their
tokens (what left the group: ``timeout``, ``set -m``, ``setsid``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import threading

_SCRIPT = r"""
trap '' INT TERM HUP
declare -A groups
while read -r op token pgid; do
  case $op in
    +) groups[$token]=$pgid ;;
    -) unset "groups[$token]" ;;
    bye) exit 0 ;;
  esac
done
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
_owner = 0
"""The pid that started the watcher (a forked child starts its own)."""


def watch(token: str, pgid: int) -> None:
    """Tell the watcher a block runs: ``token`` (``RUNBOOK_BLOCK_RUN``) and its group."""
    _send(f"+ {token} {pgid}\n")


def release(token: str) -> None:
    """The block and whatever it started have ended."""
    _send(f"- {token}\n")


def _send(line: str) -> None:
    fd = _watcher()
    if fd is None:
        return
    with contextlib.suppress(OSError):  # the watcher is gone: nothing to tell
        os.write(fd, line.encode())


def _watcher() -> int | None:
    global _pipe, _owner
    if _pipe is not None and _owner == os.getpid():
        return _pipe
    with _lock:
        if _pipe is None or _owner != os.getpid():
            try:
                proc = subprocess.Popen(
                    ["bash", "--noprofile", "--norc", "-c", _SCRIPT],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env={"PATH": os.environ.get("PATH", os.defpath)},
                    start_new_session=True,
                )
            except OSError:
                return None
            assert proc.stdin is not None
            _pipe = os.dup(proc.stdin.fileno())  # non-inheritable: no block holds it open
            proc.stdin.close()
            _owner = os.getpid()
            atexit.register(_goodbye, _pipe, proc)
    return _pipe


def _goodbye(fd: int, proc: subprocess.Popen[bytes]) -> None:
    """A normal exit: the watcher leaves without looking for anything (not waited for)."""
    with contextlib.suppress(OSError):
        os.write(fd, b"bye\n")
        os.close(fd)
