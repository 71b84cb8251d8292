"""The end-of-run table as rich prints it without colour, without importing rich.

Importing rich and laying out a table of 300 rows cost more than running 300 blocks of
``true``. For the common case (printable ASCII, no colour, the table fits the width) the
layout is simple: each column as wide as its widest cell, `` ┃ `` / `` │ `` between columns,
no outer edge. Anything else (colour, wide characters, a table that must wrap) returns
None and rich draws it. ``tests/test_summary_table.py`` proves both agree.
"""

from __future__ import annotations

from collections.abc import Sequence

_HEAVY, _LIGHT, _RULE, _CROSS = "┃", "│", "━", "╇"


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> str | None:
    """The table's lines (each ending in a newline), or None when rich must lay it out."""
    cells = [list(header), *(list(r) for r in rows)]
    for row in cells:
        for cell in row:
            if not (cell.isascii() and (cell.isprintable() or not cell)):
                return None
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    if sum(widths) + 3 * (len(widths) - 1) > width:
        return None

    def line(row: Sequence[str], bar: str) -> str:
        return f" {bar} ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + "\n"

    last = len(widths) - 1
    rule = _CROSS.join(_RULE * (w + (i > 0) + (i < last)) for i, w in enumerate(widths))
    return line(header, _HEAVY) + rule + "\n" + "".join(line(r, _LIGHT) for r in rows)
