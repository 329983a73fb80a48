"""Pausing Python's cyclic garbage collector around allocation-heavy work on one page."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a page is decoded (or landed).

    A 5,000-response page is some 400,000 new dicts and lists; each allocation burst triggers
    collections that walk every live object, which made decoding 5-10x slower than the parse
    itself (and landing a page twice as slow). Pages hold no reference cycles, so nothing
    collectable is missed: reference counting still frees everything as usual, and the
    collector runs again as soon as the page is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
