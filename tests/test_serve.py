"""`runbook serve` for real: a live server on loopback that rebuilds when a runbook changes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO, Cli

FIXTURE = FIXTURES / "site_tree" / "runbooks"
WAIT_S = 60.0


@dataclass
class Server:
    url: str
    root: Path
    log: Path
    process: subprocess.Popen[str]
    temp: Path

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return str(response.read().decode("utf-8"))

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(what: str, condition: Callable[[], bool], server: Server) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"runbook serve exited ({server.process.returncode}):\n{server.stderr()}")
        try:
            if condition():
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet, or rebuilding
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {WAIT_S:.0f} s; stderr:\n{server.stderr()}")


@pytest.fixture
def server(tmp_path: Path, cli: Cli) -> Iterator[Server]:
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    shutil.copytree(FIXTURE, tmp_path / "runbooks")
    port = _free_port()
    log = tmp_path / "serve.log"
    temp = tmp_path / "tmp"  # MkDocs' serve folder goes here, and the indexer's links
    temp.mkdir()
    process = cli.start(
        "serve", "--dev-addr", f"127.0.0.1:{port}",
        cwd=tmp_path, env={"RUNBOOK_TODAY": "2026-11-20", "TMPDIR": str(temp)},
        unset=["RUNBOOK_ROOT"], log=log, new_session=True,
    )  # fmt: skip
    srv = Server(f"http://127.0.0.1:{port}/", tmp_path / "runbooks", log, process, temp)
    try:
        yield srv
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode is not None


def test_serve_shows_a_yaml_edit_without_a_restart(server: Server) -> None:
    page = "runbooks/db-pool/"
    _wait_for(
        "the first build", lambda: "cannot get a database connection" in server.get(page), server
    )
    yaml_file = server.root / "acme" / "db-pool.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(
        text.replace("cannot get a database connection", "ran out of pooled connections"),
        encoding="utf-8",
    )
    _wait_for("the edit", lambda: "ran out of pooled connections" in server.get(page), server)
    served = server.get(page)
    assert "cannot get a database connection" not in served
    assert 'http-equiv="Content-Security-Policy"' in served  # served pages have it too


def test_failed_rebuild_says_what_failed_and_a_fix_rebuilds(server: Server) -> None:
    page = "runbooks/db-pool/"
    _wait_for("the first build", lambda: "Database connection pool" in server.get(page), server)
    yaml_file = server.root / "acme" / "db-pool.yaml"
    good = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(good.replace("severity: SEV2", "severity: SEV2\nsevrity: SEV1"), "utf-8")
    line = yaml_file.read_text(encoding="utf-8").splitlines().index("sevrity: SEV1") + 1
    where = f"runbooks/acme/db-pool.yaml:{line}:1"
    _wait_for("the rebuild failure", lambda: "rebuild failed" in server.stderr(), server)
    err = server.stderr()
    assert f"{where}: error: " in err
    assert (
        f"error: rebuild failed (1 error above, the first at {where}); "
        "serving the last good site until a change fixes it"
    ) in err.splitlines()
    assert "Aborted with a BuildError!" not in err
    # The last good site is served at once, every page with a banner naming the error.
    for path in (page, "", "alerts/"):
        started = time.monotonic()
        served = server.get(path)
        assert time.monotonic() - started < 5, f"{path} was held"
        assert '<div class="runbook-serve-error" role="alert"' in served
        assert f"<code>{where}: error: unknown key &#x27;sevrity&#x27;" in served
    assert "Database connection pool" in server.get(page)  # the last good page
    # Fixing the YAML rebuilds, and the banner goes.
    yaml_file.write_text(good.replace("pool exhausted", "pool is exhausted"), "utf-8")
    _wait_for("the fixed rebuild", lambda: "pool is exhausted" in server.get(page), server)
    assert "runbook-serve-error" not in server.get(page)


def test_ctrl_c_while_the_search_index_catches_up_stops_quietly(server: Server) -> None:
    """Ctrl-C reaches the whole foreground group, the indexer too: that is the user
    stopping, not an indexer failing."""
    _catch_the_indexer_running(server)
    os.killpg(server.process.pid, signal.SIGINT)  # what Ctrl-C sends
    assert server.process.wait(timeout=15) == 0
    assert "error" not in server.stderr().lower(), server.stderr()
    assert list(server.temp.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_term_or_hup_stops_serve_as_ctrl_c_does(server: Server, sig: signal.Signals) -> None:
    """TERM (systemd, ``docker stop``, CI) and HUP (the terminal closed) reach serve alone,
    not its group: serve still removes its temporary site, ends the indexer it started
    and leaves nothing behind."""
    _catch_the_indexer_running(server)
    server.process.send_signal(sig)
    assert server.process.wait(timeout=15) == 0, server.stderr()
    assert "error" not in server.stderr().lower(), server.stderr()
    assert list(server.temp.iterdir()) == []  # no mkdocs_* site, no folder of links
    with pytest.raises(ProcessLookupError):  # no indexer left running in its group
        os.killpg(server.process.pid, 0)


def _catch_the_indexer_running(server: Server) -> None:
    page = "runbooks/db-pool/"
    _wait_for("the first build", lambda: "Database connection pool" in server.get(page), server)
    yaml_file = server.root / "acme" / "db-pool.yaml"
    text = yaml_file.read_text(encoding="utf-8")

    def indexing() -> bool:
        try:
            return bool(json.loads(server.get("search-status.json"))["indexing"])
        except (urllib.error.URLError, ValueError, KeyError):
            return False

    for attempt in range(20):  # an edit starts the indexer; catch it while it runs
        _wait_for("the indexer to finish", lambda: not indexing(), server)
        yaml_file.write_text(text.replace("pool exhausted", f"pool exhausted {attempt}"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not indexing():
            time.sleep(0.01)
        if indexing():
            return
    pytest.fail("never saw the search index running after an edit")


def test_an_address_serve_cannot_listen_on_is_exit_2_before_any_build(
    tmp_path: Path, cli: Cli
) -> None:
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(FIXTURE, tmp_path / "runbooks")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = cli("serve", "--dev-addr", f"127.0.0.1:{port}", cwd=tmp_path)
    assert (code, out) == (2, "")
    assert err == (
        f"error: --dev-addr 127.0.0.1:{port}: cannot listen there: address already in use "
        "(another server has that port: choose another, such as --dev-addr 127.0.0.1:8001)\n"
    )
    # An address of no interface here (TEST-NET-3 is never assigned), then malformed ones.
    code, _, err = cli("serve", "--dev-addr", "203.0.113.7:8000", cwd=tmp_path)
    assert code == 2 and "not an address of this machine" in err, err
    for address in ("8000", "127.0.0.1:99999", "runbooks.example:8000", "127.0.0.1:http"):
        code, out, err = cli("serve", "--dev-addr", address, cwd=tmp_path)
        assert (code, out, err) == (2, "", (
            f"error: --dev-addr {address}: expected IP:PORT (such as 127.0.0.1:8000; the host "
            "an IP address or localhost, the port 0-65535)\n"
        )), address  # fmt: skip
    assert not (tmp_path / "site").exists()
