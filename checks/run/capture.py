"""Byte-level output handling: secret redaction on a stream, the live tee, bounded capture.

All work on raw bytes so that a non-UTF-8 byte never costs the output after it;
decoding (with replacement) happens once, at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

MASK = b"***"
DEFAULT_LIMIT = 1024 * 1024
"""Bytes kept at the head and, separately, at the tail of each stream."""


def secret_forms(values: Iterable[str]) -> tuple[bytes, ...]:
    """Every spelling of each secret worth redacting: raw, shell-quoted (as ``shlex`` and
    as bash's ``set -x`` write it), JSON-escaped, base64, URL-encoded. Forms derived
    otherwise (a substring, hex, reversed) cannot be masked: README, "Secrets".

    Longest first, so a longer form is masked whole before a shorter one inside it.
    """
    values = [value for value in values if value]
    if not values:
        return ()
    import base64  # here: a run without secrets never needs these
    import shlex
    import urllib.parse

    forms: set[bytes] = set()
    for value in values:
        raw = _utf8(value)
        forms.add(raw)
        forms.add(_utf8(shlex.quote(value)))
        forms.update(form for form in _escaped_forms(value) if raw not in form)
        encoded = base64.b64encode(raw)
        forms.update((encoded, encoded.rstrip(b"=")))
        forms.add(urllib.parse.quote(raw, safe="").encode())
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


_ANSI_C = {"\a": "\\a", "\b": "\\b", "\x1b": "\\E", "\f": "\\f", "\n": "\\n",
           "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\", "'": "\\'"}  # fmt: skip


def _escaped_forms(value: str) -> set[bytes]:
    """How programs print a value with a newline, tab, quote, backslash or non-ASCII in it:
    JSON (``"a\\nb"``, ``"caf\\u00e9"``) and bash's ``set -x`` (``'pa'\\''ss'``,
    ``$'a\\001b'``)."""
    import json

    ansi_c = "".join(
        _ANSI_C.get(c, f"\\{ord(c):03o}" if ord(c) < 32 or ord(c) == 127 else c) for c in value
    )
    texts = (
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        "'" + value.replace("'", "'\\''") + "'",
        f"$'{ansi_c}'",
    )
    return {_utf8(text) for text in texts}


def _utf8(text: str) -> bytes:
    """``text`` as the bytes a process would print: an undecodable byte of the environment
    (a surrogate escape) as that byte."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte decodes to
        return text.encode("utf-8", "surrogatepass")


class Redactor:
    """Masks secrets in a byte stream fed in arbitrary chunks.

    A secret split across two chunks is still masked: the tail of a chunk that could be
    the start of a secret is held back until the next chunk (or ``flush``).
    """

    def __init__(self, secrets: Iterable[bytes]) -> None:
        self.secrets = tuple(s for s in secrets if s)
        self._pending = b""
        self._longest = max((len(s) for s in self.secrets), default=0)

    def feed(self, chunk: bytes) -> bytes:
        """Masked bytes that are safe to emit now."""
        if not self.secrets:
            return chunk
        data = self._pending + chunk
        keep = self._held_back(data)
        self._pending = data[len(data) - keep :] if keep else b""
        return self.mask(data[: len(data) - keep])

    def flush(self) -> bytes:
        """The held-back tail, masked."""
        data, self._pending = self._pending, b""
        return self.mask(data)

    def mask(self, data: bytes) -> bytes:
        """Mask every complete occurrence of a secret in ``data``."""
        for secret in self.secrets:
            if secret in data:
                data = data.replace(secret, MASK)
        return data

    def _held_back(self, data: bytes) -> int:
        """Length of the longest suffix of ``data`` that is a proper prefix of a secret."""
        for size in range(min(len(data), self._longest - 1), 0, -1):
            tail = data[-size:]
            if any(s.startswith(tail) for s in self.secrets if len(s) > size):
                return size
        return 0


def redact_text(text: str, secrets: Iterable[bytes]) -> str:
    """Mask secrets in already decoded text (reasons, messages, dry-run lines)."""
    for secret in secrets:
        plain = secret.decode(errors="replace")
        if plain and plain in text:
            text = text.replace(plain, MASK.decode())
    return text


class BoundedCapture:
    """Keeps the first and the last ``limit`` bytes of a stream and counts the middle."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def write(self, chunk: bytes) -> None:
        """Append a chunk; memory stays under ``3 * limit`` whatever the stream size."""
        self.total += len(chunk)
        room = self.limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            # Trim lazily (at twice the limit) so a stream of small chunks stays linear.
            if len(self.tail) > 2 * self.limit:
                del self.tail[: len(self.tail) - self.limit]

    @property
    def elided(self) -> int:
        """Bytes dropped from the middle."""
        return max(0, self.total - len(self.head) - min(len(self.tail), self.limit))

    def text(self) -> str:
        """The capture decoded with replacement, with a marker where the middle was dropped."""
        if not self.total:
            return ""
        tail = bytes(self.tail[-self.limit :]) if self.tail else b""
        if not self.elided:
            return (bytes(self.head) + tail).decode("utf-8", errors="replace")
        head = bytes(self.head).decode("utf-8", errors="replace")
        marker = f"\n[... {self.elided} bytes not kept ...]\n"
        return head + marker + tail.decode("utf-8", errors="replace")


_STREAM_LOCK = threading.Lock()


class Sink(Protocol):
    """Where a block's output is teed: a binary stream such as ``sys.stdout.buffer``, or
    anything else that writes and flushes bytes (the CLI's line tracking)."""

    def write(self, data: bytes, /) -> object: ...

    def flush(self) -> object: ...


class Tee:
    """Writes a block's output to a live stream, optionally prefixed per line.

    With a prefix, only complete lines are written (under a lock shared by all blocks of
    the run), so parallel blocks never interleave inside a line.
    """

    def __init__(
        self, stream: Sink | None, prefix: bytes = b"", lock: threading.Lock | None = None
    ) -> None:
        self.stream = stream
        self.prefix = prefix
        self.lock = lock or _STREAM_LOCK
        self._partial = b""

    def write(self, data: bytes) -> None:
        if self.stream is None or not data:
            return
        if not self.prefix:
            with self.lock:
                self.stream.write(data)
                self.stream.flush()
            return
        data = self._partial + data
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        if cut:
            lines = data[:cut].splitlines(keepends=True)
            with self.lock:
                self.stream.write(b"".join(self.prefix + line for line in lines))
                self.stream.flush()

    def close(self) -> None:
        if self._partial and self.stream is not None:
            with self.lock:
                self.stream.write(self.prefix + self._partial + b"\n")
                self.stream.flush()
        self._partial = b""
