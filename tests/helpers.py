"""What several test modules share and is not a fixture: the repository's folders, the
golden-file switch, fresh interpreters, and small writers of test inputs.

Test modules import from here (``from tests.helpers import REPO``), never from each other.
Fixtures (the ``cli`` runner, ``work``) live in ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import difflib
import http.server
import io
import itertools
import os
import pickle
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parent.parent
"""The checkout's top folder (tests never read ../shared)."""
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
SEEDS = REPO / "runbooks"
"""The seed runbooks that ship with the project."""

RUNBOOK = Path(sys.executable).with_name("runbook")
"""The venv's ``runbook`` console script: what a user runs."""

UPDATE_GOLDENS = os.environ.get("RUNBOOK_UPDATE_GOLDENS") == "1"
"""``RUNBOOK_UPDATE_GOLDENS=1``: golden files are rewritten instead of compared."""


def assert_golden(path: Path, actual: str) -> None:
    """``actual`` is exactly the golden file ``path``; with ``RUNBOOK_UPDATE_GOLDENS=1``
    the file is (re)written instead, to be reviewed in ``git diff`` like code."""
    if UPDATE_GOLDENS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"no golden {path}: run with RUNBOOK_UPDATE_GOLDENS=1 and review it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=str(path),
            tofile="now",
        )
        pytest.fail(f"{path} differs from what the code makes now:\n" + "".join(diff), False)


def run_fresh(script: str) -> str:
    """``script`` in a new interpreter (the repository importable), its stdout; fails on a
    non-zero exit. For what needs a process without threads: a test session runs servers
    in threads, and ``_workers.Workers`` does not fork a process that runs threads."""
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def mkdocs_yml(folder: Path, change: tuple[str, str] = ("", ""), extra: str = "") -> Path:
    """Our mkdocs.yml written into ``folder`` (docs_dir still the repository's), with
    ``change`` (old, new) applied and ``extra`` appended."""
    config = (REPO / "mkdocs.yml").read_text().replace("docs_dir: docs", f"docs_dir: {REPO}/docs")
    old, new = change
    if old:
        assert old in config, old
        config = config.replace(old, new)
    path = folder / "mkdocs.yml"
    path.write_text(config + extra)
    return path


def build_in_process(
    root: Path, site: Path, *, serve: bool = True, config_file: Path | None = None
) -> None:
    """The site of ``root`` built in this process: as ``mkdocs serve`` rebuilds it on a
    change (``serve``: configuration loaded again, a dirty build, the plugin instance of
    the last call, which MkDocs keeps), or as ``mkdocs build`` builds it."""
    from mkdocs.commands.build import build

    from generator.site.build import BuildOptions, load_site_config

    options = BuildOptions(
        config_file=str(config_file or REPO / "mkdocs.yml"), root=str(root), site_dir=str(site)
    )
    config = load_site_config(options)
    config.plugins.on_startup(command="serve" if serve else "build", dirty=serve)
    build(config, dirty=serve)


def write(path: Path, text: str) -> Path:
    """``text`` (dedented, leading newline dropped) into ``path``, folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def page(folder: Path, body: str, name: str = "page.md") -> Path:
    """A Markdown page with executable blocks, written as is."""
    path = folder / name
    path.write_text(body)
    return path


FAILING = """# F

```bash {#f--one .check}
echo one
```

```bash {#f--two .check}
echo two; exit 7
```

```bash {#f--three .check}
echo three
```
"""
"""A page of three checks, the second of which fails with exit status 7."""


class _Trap:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[[str], None], tuple[str]]:
        return os.mkdir, (str(self.marker),)


def trapped_pickle(marker: Path) -> bytes:
    """A pickle that makes the folder ``marker`` when it is read: what a stranger could
    leave in a cache folder in a shared place."""
    return pickle.dumps(_Trap(marker))


def bash_logger(folder: Path) -> tuple[str, Path]:
    """A ``bash`` that logs each call, so tests can count them."""
    log = folder / "bash-calls.log"
    script = folder / "logging-bash"
    script.write_text(f'#!/bin/sh\necho call >> "{log}"\nexec bash "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log


def gone(pid: int) -> bool:
    """Dead: no /proc entry, or a zombie waiting for a PID 1 that may never reap it."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return text[text.rfind(")") + 2] == "Z"


class Ran(NamedTuple):
    """One finished ``runbook`` command (named as ``subprocess.CompletedProcess``)."""

    returncode: int
    """The exit status."""
    stdout: str
    """Everything it wrote to stdout."""
    stderr: str
    """Everything it wrote to stderr."""


Arg = str | os.PathLike[str]


class Cli:
    """Runs ``runbook ARGS``: in this process (call it), or as the console script
    (``process``, ``start``). Environment changes last for that one command."""

    def __init__(self, request: pytest.FixtureRequest | None = None) -> None:
        """``request``: the test's, whose ``capsys`` captures the output; without one (a
        module-scoped fixture), the output is captured here."""
        self._request = request
        self._started: list[subprocess.Popen[str]] = []

    def __call__(
        self,
        *args: Arg,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        unset: Iterable[str] = (),
    ) -> Ran:
        """``generator.cli.main(args)`` here: its exit code and the output of that call only."""
        from generator.cli import main

        argv = [os.fspath(a) for a in args]
        with pytest.MonkeyPatch.context() as patch:
            if cwd is not None:
                patch.chdir(cwd)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            for name in unset:
                patch.delenv(name, raising=False)
            if self._request is None:
                return _captured(main, argv)
            # Asked for only here, so a test may use capfd with the process flavours.
            capsys: pytest.CaptureFixture[str] = self._request.getfixturevalue("capsys")
            capsys.readouterr()
            code = main(argv)
            out, err = capsys.readouterr()
        return Ran(code, out, err)

    def process(
        self,
        *args: Arg,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        unset: Iterable[str] = (),
        inherit: bool = True,
        timeout: float = 120,
    ) -> Ran:
        """The console script as a real process, stdin closed, no TTY; ``inherit=False``:
        only ``env`` for an environment."""
        proc = subprocess.run(
            self.argv(*args),
            cwd=cwd,
            env=self.environ(env, unset, inherit),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
        return Ran(proc.returncode, proc.stdout, proc.stderr)

    def start(
        self,
        *args: Arg,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        unset: Iterable[str] = (),
        log: Path | None = None,
        new_session: bool = False,
    ) -> subprocess.Popen[str]:
        """The console script running in the background, to signal or watch: stdout and
        stderr piped (or both written to ``log``), stdin closed; ``new_session``: its own
        process group, to signal as a terminal would. Killed at the end of the test if
        still running."""
        with contextlib.ExitStack() as stack:
            output = stack.enter_context(log.open("w")) if log else subprocess.PIPE
            proc = subprocess.Popen(
                self.argv(*args),
                cwd=cwd,
                env=self.environ(env, unset),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if log else subprocess.PIPE,
                text=True,
                start_new_session=new_session,
            )
        self._started.append(proc)
        return proc

    def stop_all(self) -> None:
        """Kill what ``start`` started and is still running."""
        for proc in self._started:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    @staticmethod
    def argv(*args: Arg) -> list[str]:
        """The command line of ``runbook ARGS`` as a user types it."""
        return [str(RUNBOOK), *(os.fspath(a) for a in args)]

    @staticmethod
    def environ(
        env: Mapping[str, str] | None = None, unset: Iterable[str] = (), inherit: bool = True
    ) -> dict[str, str]:
        """This process's environment (``inherit``, else nothing) with ``env`` set and
        ``unset`` removed; never a CI step summary (the developer's or CI's own)."""
        gone = {"GITHUB_STEP_SUMMARY", *unset}
        base = {k: v for k, v in os.environ.items() if k not in gone} if inherit else {}
        return {**base, **(env or {})}


def _captured(main: Callable[[list[str]], int], argv: list[str]) -> Ran:
    """``main(argv)`` with stdout and stderr captured as ``capsys`` does (text streams over
    bytes, so a command may write to ``sys.stdout.buffer`` too)."""
    out, err = (
        io.TextIOWrapper(io.BytesIO(), "utf-8", newline="", write_through=True) for _ in "oe"
    )
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    streams = [stream.buffer.getvalue().decode() for stream in (out, err)]  # type: ignore[attr-defined]
    return Ran(code, *streams)


_sleep_numbers = itertools.count(9810)


def processes() -> Iterator[tuple[int, list[bytes], list[str]]]:
    """Every process as ``/proc`` shows it: its pid, its command line (``\0``-split) and
    the fields of its ``stat`` after the name (state, parent, process group, ...)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        yield int(entry), cmdline, stat[stat.rfind(")") + 2 :].split()


def sleeping(seconds: str) -> list[int]:
    """``sleep SECONDS`` processes still running, or dead and never reaped by this one."""
    return [
        pid
        for pid, cmdline, fields in processes()
        if cmdline[-2:] == [seconds.encode(), b""]
        and b"sleep" in cmdline[0]
        and (fields[0] != "Z" or int(fields[1]) == os.getpid())
    ]


def running_in_group(pgid: int) -> list[int]:
    """Processes of the group still running (not zombies waiting for their reaper)."""
    return [pid for pid, _, fields in processes() if int(fields[2]) == pgid and fields[0] != "Z"]


def sleep_number() -> Iterator[str]:
    """A sleep length for one test alone; whatever still sleeps it is killed afterwards."""
    n = f"{next(_sleep_numbers)}{os.getpid()}"
    yield n
    for pid in sleeping(n):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def runbook(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``runbook ARGS`` as a real process in ``cwd`` (no TTY)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
    )


@contextlib.contextmanager
def loopback_server(
    handler: Callable[..., http.server.BaseHTTPRequestHandler], *, threaded: bool = False
) -> Iterator[str]:
    """An HTTP server with ``handler`` on a free 127.0.0.1 port, in a thread; yields its
    base URL (``http://127.0.0.1:PORT``, no slash). Stopped and its thread joined after: a
    live thread would stop lint forking its workers in a later test."""
    server_class = http.server.ThreadingHTTPServer if threaded else http.server.HTTPServer
    server = server_class(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
