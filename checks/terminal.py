"""Text from runbooks and block output made safe to print on a terminal.

A runbook author or a command's output can carry escape sequences: ``ESC [2K`` plus ``\\r``
erases a command at the consent prompt, OSC 52 writes the clipboard, OSC 8 hides a link.
Everything printed that did not come from the program itself goes through
:func:`visible` at the output edge; only output streamed live while a block runs stays
raw (the person watching it asked for the command's own terminal handling).
"""

from __future__ import annotations

import re

__all__ = ["has_control", "visible", "visible_lines"]

# C0 and C1 controls and DEL, but tab and newline (they lay text out, they cannot hide
# it), plus the bidirectional overrides and isolates that reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_NAMED = {"\x1b": "\\e", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x08": "\\b", "\x00": "\\0"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character but tab and newline written as an escape
    (``\\e``, ``\\r``, ``\\x07``, ``\\u202e``): it shows what is there and does nothing."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape, text)


def has_control(text: str) -> str | None:
    """The first control character in ``text`` other than tab and newline, made visible;
    None when there is none."""
    match = _CONTROL.search(text)
    return _escape(match) if match else None


def visible_lines(command: str) -> list[str]:
    """A command as a person reads it (a prompt, a dry run): its lines, made visible."""
    return visible(command.rstrip("\n")).split("\n")
