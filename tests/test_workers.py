"""Work for worker processes comes in chunks that keep every process busy to the end."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.workers import chunks_of, shares


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


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=300), st.integers(1, 6))
def test_shares_cover_every_item_once_and_balance_the_weight(
    weights: list[int], workers: int
) -> None:
    found = shares(weights, workers)
    assert sorted(i for share in found for i in share) == list(range(len(weights)))
    assert all(share == sorted(share) and share for share in found)
    assert len(found) <= workers
    loads = [sum(weights[i] for i in share) for share in found]
    if len(found) == workers:  # the heaviest item first: no share is ahead by more than one
        assert max(loads) - min(loads) <= max(weights)


def test_shares_interleave_equal_items() -> None:
    assert shares([1] * 6, 2) == [[0, 2, 4], [1, 3, 5]]
    assert shares([100, 1, 1, 1, 1, 100], 2) == [[0, 1, 3], [2, 4, 5]]
    assert shares([], 2) == []
