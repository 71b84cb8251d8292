"""``comms --send`` against real HTTP servers on 127.0.0.1: redirects and slow answers."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from generator.comms.send import post_slack_webhook
from tests.helpers import FIXTURES, Cli, loopback_server

pytestmark = pytest.mark.work(
    runbooks=FIXTURES / "comms" / "runbooks", env={"RUNBOOK_NOW": "2024-01-15T14:15:00Z"}
)


def start(cli: Cli, title: str) -> str:
    code, out, _ = cli("incident", "start", "--runbook", "payments-down", "--title", title)
    assert code == 0
    return out.strip()


class _Redirecting(http.server.BaseHTTPRequestHandler):
    code: ClassVar[int] = 302
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Redirecting.seen.append(f"POST {self.path}")
        self.send_response(_Redirecting.code)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        _Redirecting.seen.append(f"GET {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    _Redirecting.seen = []
    with loopback_server(_Redirecting) as url:
        yield url + "/services/T0/B0/SECRETPATH"


@pytest.fixture
def trickling() -> Iterator[str]:
    """A server that answers one byte every 0.2 s, for ever: each read is quick, the
    answer never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            answer = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 10_000
            for byte in answer:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        listener.close()
        thread.join(10)


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_a_redirect_answer_to_the_post_is_reported_not_sent_and_not_followed(
    work: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    redirecting: str,
    code: int,
) -> None:
    _Redirecting.code = code
    path = start(cli, "down")
    monkeypatch.setenv("HOOK_URL", redirecting)
    status, out, err = cli(
        "comms", "payments-down", "slack-update", "--incident", path,
        "--send", "slack-webhook", "env:HOOK_URL",
    )  # fmt: skip
    host = redirecting.split("/services")[0]
    assert status == 1
    assert err == (
        f"error: sending to {host} failed: HTTP {code}: a redirect, not followed "
        "(a POST is never sent on): the message was not sent\n"
    )
    assert _Redirecting.seen == ["POST /services/T0/B0/SECRETPATH"]
    assert "SECRETPATH" not in out + err
    assert "Sent 'slack-update'" not in Path(path).read_text()


def test_one_deadline_bounds_the_whole_exchange_with_a_trickling_server(trickling: str) -> None:
    started = time.monotonic()
    sent = post_slack_webhook(trickling, "hello", timeout=1.5)
    took = time.monotonic() - started
    assert (sent.ok, sent.status) == (False, None)
    assert sent.detail == "no complete answer within 1.5s"
    assert took < 3.0
