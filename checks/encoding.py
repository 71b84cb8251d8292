"""Bytes from a file -> text, or where the first byte that is not UTF-8 is.

Runbooks, pages, env files and incident records are UTF-8; a file that is not gets one
located error at its first bad byte, never a traceback.
"""

from __future__ import annotations

from checks.model import SourceLocation

__all__ = ["NotUtf8", "decode_utf8"]


class NotUtf8(ValueError):
    """A file that is not UTF-8: where, and a message that shows no text of it."""

    def __init__(self, location: SourceLocation, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


def decode_utf8(data: bytes, path: str) -> str:
    """``data`` decoded (a leading byte order mark dropped, as MkDocs does); NotUtf8 at
    the first byte that cannot be decoded."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        where = SourceLocation(path, line, exc.start - line_start + 1)
        message = f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded ({exc.reason})"
        raise NotUtf8(where, message) from None
