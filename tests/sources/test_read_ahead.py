"""read_ahead: pages in order, at most one fetched ahead, an error only after earlier pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from impact_warehouse.sources.read_ahead import read_ahead


def _pages(count: int, started: list[int], fail_at: int | None = None) -> Iterator[int]:
    for index in range(count):
        started.append(index)
        if index == fail_at:
            raise ConnectionError(f"page {index} could not be fetched")
        yield index


def test_pages_arrive_in_order_and_at_most_one_is_fetched_ahead() -> None:
    started: list[int] = []
    seen = []
    for page in read_ahead(_pages(6, started)):
        # While page k is being landed, page k+1 may be on its way, page k+2 never.
        assert max(started) <= page + 1
        seen.append(page)
    assert seen == [0, 1, 2, 3, 4, 5]


def test_a_page_that_cannot_be_fetched_fails_after_every_earlier_page() -> None:
    started: list[int] = []
    landed = []
    with pytest.raises(ConnectionError, match="page 3"):
        for page in read_ahead(_pages(6, started, fail_at=3)):
            landed.append(page)
    assert landed == [0, 1, 2]


def test_the_fetch_runs_beside_the_landing() -> None:
    """The next page is asked for while the caller still holds the current one."""
    fetched = threading.Event()

    def pages() -> Iterator[int]:
        yield 0
        fetched.set()
        yield 1

    iterator = read_ahead(pages())
    assert next(iterator) == 0
    assert fetched.wait(timeout=30), "the second page was not fetched while the first landed"
    assert list(iterator) == [1]


def test_an_empty_source_yields_nothing() -> None:
    assert list(read_ahead(iter([]))) == []
