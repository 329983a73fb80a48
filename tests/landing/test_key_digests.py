"""The landed-key index (landing/key_digests.py): the same answers as a set, in a fraction of
its memory, across the merges of its pending digests into the sorted array."""

from __future__ import annotations

import hashlib
import random
import tracemalloc

import pytest

from impact_warehouse.landing import key_digests
from impact_warehouse.landing.key_digests import KeyDigests


def _digest(number: int) -> bytes:
    return hashlib.blake2b(str(number).encode(), digest_size=16).digest()


def test_it_answers_as_a_set_does_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_digests, "MIN_PENDING", 7)  # many merges on a few keys
    index, reference = KeyDigests(), set()
    rng = random.Random(20251)
    for _ in range(60):
        batch = [_digest(rng.randrange(2_000)) for _ in range(rng.randrange(1, 40))]
        index.add_many(batch)  # repeats within and across batches
        reference.update(batch)
        asked = [_digest(rng.randrange(2_000)) for _ in range(50)]
        assert [digest in index for digest in asked] == [d in reference for d in asked]
        assert index.landed_mask(asked) == [d in reference for d in asked]
    assert len(index._sorted) > 0 and len(set(index._sorted.tolist())) == len(index._sorted)


def test_digests_that_differ_only_in_trailing_zero_bytes_stay_apart() -> None:
    """NumPy compares S16 values without their trailing NULs; whole 16-byte values stay exact."""
    zero_tail, one_tail = bytes(15) + b"\x00", bytes(15) + b"\x01"
    nul_inside = b"\x00" * 14 + b"\x01\x00"
    index = KeyDigests()
    index.add_many([zero_tail])
    index._merge()
    assert zero_tail in index
    assert one_tail not in index and nul_inside not in index
    assert index.landed_mask([one_tail, zero_tail, nul_inside]) == [False, True, False]


def test_an_empty_index_and_an_empty_batch() -> None:
    index = KeyDigests()
    assert _digest(1) not in index
    assert index.landed_mask([]) == []
    assert index.landed_mask([_digest(1)]) == [False]


def test_a_digest_of_another_length_is_refused() -> None:
    index = KeyDigests()
    index.add_many([b"short"])
    with pytest.raises(ValueError, match="16 bytes each"):
        index._merge()


def _traced_bytes(build: object) -> int:
    """Bytes still allocated by ``build()`` while its result is alive."""
    tracemalloc.start()
    try:
        kept = build()  # type: ignore[operator]
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return held


def test_a_hundred_thousand_keys_take_a_fraction_of_a_sets_memory() -> None:
    """A set held ~94 bytes per digest (the bytes object and its slot); the index holds 16,
    plus the pending ones (at most a sixteenth, or 65,536) in a set."""

    def indexed() -> KeyDigests:
        index = KeyDigests()
        for start in range(0, 200_000, 5_000):  # page by page, as a pull lands them
            index.add_many(_digest(number) for number in range(start, start + 5_000))
        return index

    as_index = _traced_bytes(indexed)
    as_set = _traced_bytes(lambda: {_digest(number) for number in range(200_000)})
    assert as_index < as_set / 2, (as_index, as_set)
    index = indexed()
    assert all(_digest(number) in index for number in range(0, 200_000, 997))
    assert _digest(200_000) not in index
