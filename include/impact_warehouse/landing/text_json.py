"""The stdlib JSON encoder's exact bytes for text-only records, from msgspec's faster encoder.

Landing encodes every response up to four times (its fingerprint, its landed line, its two
fingerprint index entries); with ``json`` that was a third of the ingest's time. For values
that are ``str``, ``None``, ``bool``, ``dict`` with ``str`` keys and ``list``, msgspec writes
exactly what ``json`` writes: the same escapes (``ensure_ascii=False``), the same key order
(UTF-8 bytes sort as code points do). Numbers are where they part: ``1e16`` is ``1e16`` rather
than ``1e+16``, NaN becomes ``null`` instead of an error, and ints beyond 4,300 digits encode
where ``json`` refuses. No cheap look at the bytes tells a float from text, so only a caller
that knows its records hold no numbers uses these (``tests/landing/test_text_json.py`` holds
both encoders to the same bytes); every other record keeps the stdlib encoder.
"""

from __future__ import annotations

from typing import Any

import msgspec

_SORTED = msgspec.json.Encoder(order="sorted")


def canonical_json(record: Any) -> bytes | None:
    """``json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`` as
    UTF-8, for a text-only record; None when msgspec cannot encode it (a lone surrogate, a
    key that is not text, nesting past the recursion limit): the caller then asks ``json``,
    which words the problem as it always did."""
    try:
        return _SORTED.encode(record)
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return None


def landed_json(record: Any) -> bytes | None:
    """``json.dumps(record, sort_keys=True, ensure_ascii=False)`` as UTF-8 (``", "`` and
    ``": "`` between items, as landing parts have always been written), or None as above."""
    data = canonical_json(record)
    # indent=0 puts back exactly the stdlib's default separators, and nothing else.
    return None if data is None else msgspec.json.format(data, indent=0)


def json_string(text: str) -> bytes | None:
    """``json.dumps(text, ensure_ascii=False)`` as UTF-8, or None for a lone surrogate."""
    try:
        return _SORTED.encode(text)
    except ValueError:
        return None
