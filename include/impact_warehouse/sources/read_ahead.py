"""Fetch the next page while the current one lands.

Pulling a page is mostly waiting: for the server to build it and for its bytes to arrive.
Asked for in a worker thread while the caller lands the page before it, that wait overlaps
the landing instead of adding to it. At most two pages are alive at once (the one landing,
the one arriving), however many the pull has; pages and errors reach the caller in order,
so a page that cannot be fetched fails the pull only after every page before it landed.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(pages: Iterator[T]) -> Iterator[T]:
    """Yield ``pages`` in order, fetching each next one while the caller works on the last."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-ahead")
    try:
        pending = executor.submit(next, pages, _END)
        while True:
            page = pending.result()
            if page is _END:
                return
            pending = executor.submit(next, pages, _END)
            yield page  # type: ignore[misc]  # not _END here
            del page  # the caller's copy is all that keeps a landed page alive
    finally:
        # A caller that stops early (an error while landing) does not wait for the page in
        # flight: its request ends with the client's session, and nothing uses its result.
        executor.shutdown(wait=False, cancel_futures=True)
