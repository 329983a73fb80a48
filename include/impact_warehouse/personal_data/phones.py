"""Phone numbers: Japanese landlines, mobiles, toll-free and +81 forms, and other +country forms.

Found on the canonical view (full-width digits are ASCII there), with kanji digits
(``〇九〇‐一二三四‐…``) read as digits. A run of digits and separators (``-ー‐－.()・_/〜~``
and spaces; ``－``, ``（）``, ``＿``, ``／`` and ``～`` are ASCII after NFKC) is read once by a
single character-class pattern, then split into digit groups that are judged by their
lengths: a domestic number starts with 0 and has 10 digits (11 for 050/070/080/090/0800),
an international one starts with +. A mobile number spelled out one digit at a time
(``0 9 0 1 2 3 4 5 6 7 8``) is read too. The work per group is bounded, so the scan is linear.
A number glued to letters (``email_3fa40901428506…``, a hex pseudonym) is not a phone, unless
the letters are a phone label (``tel09012345678``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

_DASHES = "-ー‐‑‒–—―−"
# Besides dashes, dots and brackets, people split numbers with 中黒, underscores, slashes and
# wave dashes to get past filters ("090・3456・7891", "090〜2345〜6789").
_SEPARATORS = f"{_DASHES}.() +・_/〜~"
_SEPARATOR = f"[{re.escape(_SEPARATORS)}]"
_MAX_SEPARATOR = 3  # ") ", " - ", "(": longer gaps separate numbers
_MAX_GROUPS = 5
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
# Kanji digits as written in vertical or "formal" text; one character for one, so canonical
# offsets stay valid. 十/百 are positional (二十一), never how a phone number is written.
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")
# Labels a number may be glued to ("tel09011112222"): letters before a number otherwise mean
# an identifier or a pseudonym, never a phone.
_GLUED_LABELS = ("tel", "phone", "mobile", "fax", "keitai", "denwa")
# A mobile number typed one digit at a time: 11 digits, each followed by one separator.
_SPELLED_DIGITS = 11
# Where a number can start: after "+", at a group of two or more digits starting with 0, or
# at a lone 0 followed by exactly ten more lone digits (not in the middle of a longer list).
# Only these positions are read further, so a megabyte of "0 0 0 …" or "1・2・3・…" costs one
# pass of the regex engine, not a Python step per digit.
_START = re.compile(
    rf"(?<![0-9])(?:(?<=\+)[0-9]|0[0-9]"
    rf"|(?<![0-9]{_SEPARATOR})0(?=(?:{_SEPARATOR}[0-9]){{{_SPELLED_DIGITS - 1}}}"
    rf"(?!{_SEPARATOR}?[0-9])))"
)
# Up to five digit groups from a start, at most _MAX_SEPARATOR separators apart: one match
# in the regex engine per start. Digits and separators are disjoint classes, so the pattern
# cannot backtrack; a start reads at most five groups, so each group is read at most five
# times.
_GAP = f"{_SEPARATOR}{{1,{_MAX_SEPARATOR}}}"
_CHAIN = re.compile(
    rf"([0-9]+)(?:{_GAP}([0-9]+)(?:{_GAP}([0-9]+)(?:{_GAP}([0-9]+)(?:{_GAP}([0-9]+))?)?)?)?"
)
# A spelled-out number: 11 digits with one separator after each but the last.
_SPELLED_LENGTH = 2 * _SPELLED_DIGITS - 1


@dataclass(frozen=True)
class PhoneMatch:
    start: int  # canonical offsets
    end: int
    number: str  # digits as dialled within Japan (0…), or +digits for other countries


class _Group(NamedTuple):  # built for every group read: a tuple is cheaper than a dataclass
    digits: str
    start: int
    end: int


def find_phones(text: str) -> Iterator[PhoneMatch]:
    """Phone numbers in a canonical text, in order, not overlapping."""
    text = text.translate(_KANJI_DIGITS)
    floor = 0  # the end of the last number found: nothing inside it starts another
    for start in _START.finditer(text):
        if start.start() < floor:
            continue
        match = _phone_at(text, _chain_at(text, start.start()))
        if match is not None:
            floor = match.end
            yield match


def _chain_at(text: str, position: int) -> list[_Group]:
    """The digit groups from ``position`` on, up to a gap too wide to be inside a number."""
    match = _CHAIN.match(text, position)
    if match is None:
        return []
    return [
        _Group(digits, match.start(index), match.end(index))
        for index, digits in enumerate(match.groups(), start=1)
        if digits is not None
    ]


def _phone_at(text: str, chain: list[_Group]) -> PhoneMatch | None:
    """The longest phone number made of the first groups of ``chain``, if any."""
    first = chain[0]
    start = first.start
    international = start > 0 and text[start - 1] == "+"
    if international or (start > 0 and text[start - 1] == "("):
        start -= 1
    if start > 0 and text[start - 1] in _WORD_CHARS and not _after_glued_label(text, start):
        return None
    if not international and (not first.digits.startswith("0") or first.digits[:2] == "00"):
        return None
    if not international and len(first.digits) == 1:
        return _spelled_phone(text, first.start)
    best: PhoneMatch | None = None
    digits = ""
    lengths: list[int] = []
    for group in chain[:_MAX_GROUPS]:
        digits += group.digits
        lengths.append(len(group.digits))
        if len(digits) > (15 if international else 11):
            break
        if len(digits) < (8 if international else 10):
            continue  # too short to be a number yet: read the next group
        if group.end < len(text) and text[group.end] in _WORD_CHARS:
            continue
        number = _international(digits) if international else _domestic(digits, lengths)
        if number is not None:
            best = PhoneMatch(start, group.end, number)
    return best


def _after_glued_label(text: str, start: int) -> bool:
    """Whether the letters right before ``start`` are a phone label that starts a word."""
    for label in _GLUED_LABELS:
        label_start = start - len(label)
        if text.startswith(label, label_start) and (
            label_start == 0 or text[label_start - 1] not in _WORD_CHARS
        ):
            return True
    return False


def _spelled_phone(text: str, start: int) -> PhoneMatch | None:
    """A mobile number written digit by digit with one separator between each (``0 9 0 1 …``).

    Only the 11-digit mobile and IP-phone numbers count, and only when the run of single
    digits is exactly that long (``_START`` checks the shape and both ends): a scale written
    out (``0 1 2 3 4 5 6 7 8 9 10``) is not one.
    """
    end = start + _SPELLED_LENGTH
    if end < len(text) and text[end] in _WORD_CHARS:
        return None
    digits = text[start:end:2]
    number = _domestic(digits, [len(digits)])
    if number is None or len(number) != _SPELLED_DIGITS:
        return None
    return PhoneMatch(start, end, number)


def _domestic(digits: str, lengths: list[int]) -> str | None:
    if len(lengths) > 1 and not (2 <= lengths[0] <= 5 and all(n <= 8 for n in lengths)):
        return None
    # Subscriber numbers end in a group of 3 or 4 digits; a short last group is a date run
    # together with another ("2024/04/01〜2024/06/30" holds 04 01 2024 06).
    if len(lengths) > 1 and lengths[-1] < 3:
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
