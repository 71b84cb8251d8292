"""Work for worker processes comes in chunks that keep every process busy to the end."""

from __future__ import annotations

from generator.workers import chunks_of


def test_chunks_keep_order_and_shrink_so_processes_finish_together() -> None:
    items = list(range(1000))
    chunks = chunks_of(items, 2)
    assert [x for chunk in chunks for x in chunk] == items
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[:4] == [250, 188, 141, 106]  # a quarter of what is left, then less
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
    assert min(sizes) >= 1000 // 64  # no chunk of a few files: each costs a bash -n call


def test_chunks_follow_the_weights() -> None:
    assert chunks_of(list("abcdef"), 2, [100, 1, 1, 1, 1, 100]) == [
        ["a"],
        ["b", "c", "d", "e", "f"],
    ]
    assert chunks_of([], 2) == []
    assert chunks_of(["only"], 4) == [["only"]]
