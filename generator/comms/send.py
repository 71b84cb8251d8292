"""Posting a rendered message to a Slack-style incoming webhook (opt-in, never by default)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from generator.errors import UsageError

TIMEOUT_S = 10.0


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
    """POST ``{"text": text}`` as JSON; any 2xx is success. Network errors are reported."""
    data = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    target = describe_target(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(200).decode("utf-8", "replace")
            status = int(response.status)
            return Sent(200 <= status < 300, status, body.strip(), target)
    except urllib.error.HTTPError as exc:
        body = exc.read(200).decode("utf-8", "replace") if exc.fp else ""
        return Sent(False, exc.code, body.strip() or str(exc.reason), target)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Sent(False, None, str(reason), target)
