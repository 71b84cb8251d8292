"""The end-of-run table drawn without rich is the table rich draws (when it draws one)."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st

from checks._plain_table import plain_table

HEADER = ("status", "time", "block", "location", "note")
cell = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
rows = st.lists(st.tuples(cell, cell, cell, cell, cell), max_size=8)


def rich_table(table_rows: list[tuple[str, ...]], width: int) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    out = io.StringIO()
    console = Console(file=out, force_terminal=False, no_color=True, width=width)
    table = Table(title=None, show_edge=False, pad_edge=False)
    for column in HEADER:
        table.add_column(column, overflow="fold")
    for row in table_rows:
        table.add_row(*(Text(c) for c in row))
    console.print(table)
    return out.getvalue()


@given(rows, st.sampled_from([40, 80, 120]))
def test_plain_table_is_what_rich_prints_whenever_it_answers(
    table_rows: list[tuple[str, ...]], width: int
) -> None:
    plain = plain_table(HEADER, table_rows, width)
    if plain is not None:
        assert plain == rich_table(table_rows, width)


def test_plain_table_leaves_wide_characters_and_tables_too_wide_to_rich() -> None:
    assert plain_table(HEADER, [("passed", "0.01s", "a--b", "a.md:1:1", "")], 120) is not None
    assert plain_table(HEADER, [("passed", "0.01s", "a--b", "a.md:1:1", "日本")], 120) is None
    assert plain_table(HEADER, [("failed", "0.01s", "a--b", "a.md:1:1", "x" * 200)], 120) is None
