"""What a block's output leaves in the incident record: the postmortem's evidence, bounded.

The record is rewritten on every append and read by people, so a block's output is kept
as its first and last lines (a header row and the verdict are both worth keeping), each
line cut at a readable width, and every cut says how much it left out: a reader must
never mistake a cut output for the whole of it. The text comes from the executor, whose
output is already redacted (secret values are ``***``).
"""

from __future__ import annotations

HEAD_LINES = 20
TAIL_LINES = 20
LINE_CHARS = 300


def _cut_line(line: str) -> str:
    line = line.rstrip()
    if len(line) <= LINE_CHARS:
        return line
    return f"{line[:LINE_CHARS]} [... {len(line) - LINE_CHARS} characters cut ...]"


def bounded_output(stdout: str, stderr: str) -> str:
    """stdout then stderr, as at most ``HEAD_LINES + TAIL_LINES`` lines of at most
    ``LINE_CHARS`` characters, with a note where lines or characters were cut."""
    text = stdout.rstrip("\n")
    if stderr.strip():
        text = (text + "\n" if text else "") + stderr.rstrip("\n")
    lines = text.splitlines()
    if len(lines) > HEAD_LINES + TAIL_LINES:
        cut = len(lines) - HEAD_LINES - TAIL_LINES
        lines = [*lines[:HEAD_LINES], f"[... {cut} lines cut ...]", *lines[-TAIL_LINES:]]
    return "\n".join(_cut_line(line) for line in lines)
