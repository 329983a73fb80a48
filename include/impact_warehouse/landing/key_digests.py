"""The landed keys of a part-file folder, held in memory as compactly as a lookup allows.

A landing store answers "is this key landed?" for every record it is offered, so it keeps a
digest of every landed key in memory (16 bytes of blake2b, see ``store._key_digest``). In a
Python ``set`` each digest costs about 94 bytes (the bytes object and the set's slot): a
form with a million landed responses held 94 MB for its keys and 190 MB more for its
fingerprint index, and the ingest's memory grew with the landing zone instead of staying flat.

Here the digests live in one sorted NumPy array of 16-byte strings (16 bytes each), and
only the newest ones, at most a sixteenth of the array (or 65,536), in a ``set`` until they
are merged in. A lookup checks the set, then does a binary search; a batch of lookups
(:meth:`KeyDigests.landed_mask`) searches the array once for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

DIGEST_BYTES = 16
_DTYPE = np.dtype(f"S{DIGEST_BYTES}")
# The newest digests wait in a set until there are this many, or a sixteenth of the array:
# merging copies the whole array, so merging rarely keeps it cheap, and the set small.
MIN_PENDING = 65_536
PENDING_FRACTION = 16


class KeyDigests:
    """A set of 16-byte key digests: ``in``, :meth:`add_many`, :meth:`landed_mask`.

    NumPy drops an ``S16`` value's trailing NUL bytes when it reads it back, and compares two
    values without them; two values of exactly 16 bytes are still equal only when all 16
    bytes are (both end in as many NULs).
    """

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=_DTYPE)
        self._pending: set[bytes] = set()

    def __contains__(self, digest: bytes) -> bool:
        if digest in self._pending:
            return True
        merged = self._sorted
        at = int(np.searchsorted(merged, digest))
        # An element read back as bytes has lost its trailing NULs: compare without them.
        return at < len(merged) and merged[at] == digest.rstrip(b"\x00")

    def landed_mask(self, digests: Sequence[bytes]) -> list[bool]:
        """For each digest, whether it is in the set: one search of the array for them all."""
        if not digests:
            return []
        found = [digest in self._pending for digest in digests]
        merged = self._sorted
        if len(merged):
            wanted = np.frombuffer(b"".join(digests), dtype=_DTYPE)
            at = np.minimum(np.searchsorted(merged, wanted), len(merged) - 1)
            in_array = merged[at] == wanted
            found = [pending or bool(hit) for pending, hit in zip(found, in_array, strict=True)]
        return found

    def add_many(self, digests: Iterable[bytes]) -> None:
        """Add the digests; merged into the array as the set fills, even within one call (a
        whole landing zone's sidecars are read in one)."""
        pending = self._pending
        limit = self._pending_limit()
        for digest in digests:
            pending.add(digest)
            if len(pending) >= limit:
                self._merge()
                pending = self._pending
                limit = self._pending_limit()

    def _pending_limit(self) -> int:
        return max(MIN_PENDING, len(self._sorted) // PENDING_FRACTION)

    def _merge(self) -> None:
        """The pending digests into the sorted array (those already there are not repeated)."""
        joined = b"".join(self._pending)
        if len(joined) != len(self._pending) * DIGEST_BYTES:
            raise ValueError(f"key digests are {DIGEST_BYTES} bytes each")
        pending = np.frombuffer(joined, dtype=_DTYPE)
        self._pending = set()
        merged = self._sorted
        if len(merged):
            at = np.minimum(np.searchsorted(merged, pending), len(merged) - 1)
            pending = pending[merged[at] != pending]
        pending = np.sort(pending)
        self._sorted = np.insert(merged, np.searchsorted(merged, pending), pending)
