"""Random streams and identifiers that depend only on the seed and what they are for.

Each purpose ("people", "wave:mamabono_2025_post", …) gets its own stream, so adding a wave
or filtering by ``as_of`` never shifts the random numbers of another part of the demo.
"""

from __future__ import annotations

import hashlib
import random

_RESPONSE_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
# Google's responseIds are 44+ characters and in practice start with this prefix.
_RESPONSE_ID_PREFIX = "ACYDBN"
_RESPONSE_ID_LENGTH = 44


def rng_for(seed: int, *purpose: str) -> random.Random:
    """A stream of its own for one purpose; str seeds are hashed (SHA-512) so runs agree."""
    return random.Random(f"{seed}|{'|'.join(purpose)}")


def stable_hex(*parts: str, length: int = 8) -> str:
    """Hex digits from a hash of ``parts``: the same form and item always get the same id."""
    digest = hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def response_id(rng: random.Random) -> str:
    tail = "".join(rng.choices(_RESPONSE_ID_ALPHABET, k=_RESPONSE_ID_LENGTH - 6))
    return _RESPONSE_ID_PREFIX + tail
