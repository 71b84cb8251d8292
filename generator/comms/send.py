"""Posting a rendered message to a Slack-style incoming webhook (opt-in, never by default)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.errors import UsageError

TIMEOUT_S = 10.0
REDIRECT = "a redirect, not followed (a POST is never sent on): the message was not sent"


@dataclass(frozen=True, slots=True)
class Sent:
    """What the webhook answered."""

    ok: bool
    status: int | None
    """HTTP status, None when no answer came."""
    detail: str
    """The answer's first bytes, or why nothing came back."""
    target: str
    """Scheme and host only: a webhook URL is a credential and is never printed."""


def resolve_url(spec: str, environ: dict[str, str] | os._Environ[str]) -> str:
    """The webhook URL from ``URL`` or ``env:VAR`` (so it stays out of shell history)."""
    if spec.startswith("env:"):
        name = spec[4:]
        value = environ.get(name, "")
        if not value:
            raise UsageError(f"--send slack-webhook {spec}: environment variable {name} is not set")
        spec = value
    parts = urlsplit(spec)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise UsageError("--send slack-webhook: expected an http(s) URL or env:VAR")
    return spec


def describe_target(url: str) -> str:
    """``https://hooks.slack.com`` for a webhook URL (the path holds the secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def post_slack_webhook(url: str, text: str, *, timeout: float = TIMEOUT_S) -> Sent:
    """POST ``{"text": text}`` as JSON; any 2xx is success. Network errors are reported.

    ``timeout`` bounds the whole exchange (name lookup, connect, send, the answer), not
    each read: a server that trickles its answer cannot hold the command. A redirect is
    not followed (a client would resend the POST as a GET, or resend it somewhere
    else): it is reported as not sent.
    """
    data = json.dumps({"text": text}).encode("utf-8")
    target = describe_target(url)
    exchange = _Exchange(url, data, timeout)
    worker = threading.Thread(target=exchange.run, name="runbook-send", daemon=True)
    worker.start()
    worker.join(timeout)
    if exchange.sent is None:
        exchange.abandon()
        worker.join(1.0)  # a daemon: should it still be stuck, it ends with the process
        return Sent(False, None, f"no complete answer within {timeout:g}s", target)
    return exchange.sent


class _Exchange:
    """One POST in a worker thread; ``abandon`` closes its connection from outside."""

    def __init__(self, url: str, data: bytes, timeout: float) -> None:
        self.url = url
        self.data = data
        self.timeout = timeout
        self.sent: Sent | None = None
        self.conn: http.client.HTTPConnection | None = None

    def run(self) -> None:
        target = describe_target(self.url)
        parts = urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            kind = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            self.conn = kind(parts.hostname or "", parts.port, timeout=self.timeout)
            self.conn.request(
                "POST",
                path,
                body=self.data,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            response = self.conn.getresponse()
            body = response.read(200).decode("utf-8", "replace").strip()
            status = int(response.status)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            self.sent = Sent(False, None, str(exc) or type(exc).__name__, target)
            return
        finally:
            if self.conn is not None:
                self.conn.close()
        if 300 <= status < 400:
            self.sent = Sent(False, status, REDIRECT, target)
        else:
            self.sent = Sent(200 <= status < 300, status, body or response.reason, target)

    def abandon(self) -> None:
        conn = self.conn
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
