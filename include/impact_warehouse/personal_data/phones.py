"""Phone numbers: Japanese landlines, mobiles, toll-free and +81 forms, and other +country forms.

Found on the canonical view (full-width digits are ASCII there). A run of digits and
separators (``-ー‐－.()`` and spaces; ``－`` and ``（）`` are ASCII after NFKC) is read once by
a single character-class pattern, then split into digit groups that are judged by their
lengths: a domestic number starts with 0 and has 10 digits (11 for 050/070/080/090/0800),
an international one starts with +. The work per group is bounded, so the scan is linear.
A number glued to letters (``email_3fa40901428506…``, a hex pseudonym) is not a phone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_DASHES = "-ー‐‑‒–—―−"
_RUN = re.compile(rf"[0-9][0-9{_DASHES}.() +]*")
_GROUP = re.compile(r"[0-9]+")
_MAX_SEPARATOR = 3  # ") ", " - ", "(": longer gaps separate numbers
_MAX_GROUPS = 5
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class PhoneMatch:
    start: int  # canonical offsets
    end: int
    number: str  # digits as dialled within Japan (0…), or +digits for other countries


@dataclass(frozen=True)
class _Group:
    digits: str
    start: int
    end: int


def find_phones(text: str) -> Iterator[PhoneMatch]:
    """Phone numbers in a canonical text, in order, not overlapping."""
    for run in _RUN.finditer(text):
        chain: list[_Group] = []
        for group in _GROUP.finditer(text, run.start(), run.end()):
            if chain and group.start() - chain[-1].end > _MAX_SEPARATOR:
                yield from _phones_in_chain(text, chain)
                chain = []
            chain.append(_Group(group.group(), group.start(), group.end()))
        yield from _phones_in_chain(text, chain)


def _phones_in_chain(text: str, chain: list[_Group]) -> Iterator[PhoneMatch]:
    index = 0
    while index < len(chain):
        found = _phone_at(text, chain, index)
        if found is None:
            index += 1
            continue
        match, next_index = found
        yield match
        index = next_index


def _phone_at(text: str, chain: list[_Group], index: int) -> tuple[PhoneMatch, int] | None:
    first = chain[index]
    start = first.start
    international = start > 0 and text[start - 1] == "+"
    if international or (start > 0 and text[start - 1] == "("):
        start -= 1
    if start > 0 and text[start - 1] in _WORD_CHARS:
        return None
    if not international and (not first.digits.startswith("0") or first.digits[:2] == "00"):
        return None
    best: tuple[PhoneMatch, int] | None = None
    digits = ""
    lengths: list[int] = []
    for last in range(index, min(len(chain), index + _MAX_GROUPS)):
        digits += chain[last].digits
        lengths.append(len(chain[last].digits))
        if len(digits) > (15 if international else 11):
            break
        end = chain[last].end
        if end < len(text) and text[end] in _WORD_CHARS:
            continue
        number = _international(digits) if international else _domestic(digits, lengths)
        if number is not None:
            best = (PhoneMatch(start, end, number), last + 1)
    return best


def _domestic(digits: str, lengths: list[int]) -> str | None:
    if len(lengths) > 1 and not (2 <= lengths[0] <= 5 and all(n <= 8 for n in lengths)):
        return None
    if len(digits) == 10 and digits[1] != "0":
        return digits
    if len(digits) == 11 and digits[1] in "5789" and digits[2] == "0":
        return digits
    return None


def _international(digits: str) -> str | None:
    if digits.startswith("81"):
        national = digits[2:]
        if national.startswith("0"):  # +81 (0)90-…: the trunk 0 written in brackets
            national = national[1:]
        candidate = "0" + national
        if _domestic(candidate, [len(candidate)]) is not None:
            return candidate
        return None
    if 8 <= len(digits) <= 15 and digits[0] != "0":
        return "+" + digits
    return None
