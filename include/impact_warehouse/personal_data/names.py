"""Roster names in free text: full names with or without a space, and family name + honorific.

Names come from the vault (``ContactVault.roster_names()``): written as on the roster, a
space separating family and given name (``原田 真由美``). Text is matched on its compact view
(canonical, whitespace removed), so ``原田真由美``, ``原田 真由美`` and ``原田　真由美`` all match;
``原田さん``/``原田様``/``原田氏`` (and ``真由美さん`` for given names of two or more characters)
match when the roster gave the split. A roster name written without a space is matched only as
a whole. Latin-letter names match in either order, case-insensitively, on word boundaries.

Matching tries, at each position whose character can start a name, one dictionary look-up per
distinct pattern length: linear in the text length for any roster size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from impact_warehouse.personal_data.view import CanonicalView, CompactView

HONORIFICS: tuple[str, ...] = ("さん", "様", "さま", "氏", "先生", "ちゃん", "くん", "君")
LATIN_HONORIFICS: tuple[str, ...] = ("-san", "san", "-sama", "sama")
_LATIN = re.compile(r"[a-z]")


@dataclass(frozen=True)
class NameMatch:
    start: int  # compact offsets
    end: int  # end of the name itself: an honorific after it is kept


class RosterNames:
    """Compiled roster names; build once per job and pass as ``names=`` to the detector.

    Iterating yields the names as given, so it can stand wherever a list of names is expected.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        if isinstance(names, str):
            # Iterated, one string is its characters, each too short to be a name: the roster
            # would be silently empty and no name found.
            raise TypeError("names must be a collection of names, not one string")
        self._names: dict[str, None] = {}  # as given, in order, once
        # pattern (compact, canonical) -> length of the name part (the rest is an honorific)
        self._patterns: dict[str, int] = {}
        # Kept up to date as names are added (a job adds names answered in forms one by one):
        # the start-character pattern is recompiled only when a new first character appears.
        self._first_chars: set[str] = set()
        self._lengths: list[int] = []
        self._starts: re.Pattern[str] | None = None
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        if not name or name in self._names:  # a blank or missing roster entry is no name
            return
        parts = CanonicalView.of(name).text.split()
        if not parts or len("".join(parts)) < 2:
            return
        self._names[name] = None
        full = "".join(parts)
        self._pattern(full, len(full))
        if len(parts) < 2:
            return
        family, given = parts[0], parts[-1]
        latin = full.isascii()
        if latin:
            reversed_full = given + family
            self._pattern(reversed_full, len(reversed_full))
        for honorific in LATIN_HONORIFICS if latin else HONORIFICS:
            self._pattern(family + honorific, len(family))
            if len(given) >= 2:
                self._pattern(given + honorific, len(given))

    def _pattern(self, pattern: str, name_length: int) -> None:
        if pattern in self._patterns:
            return
        self._patterns[pattern] = name_length
        if pattern[0] not in self._first_chars:
            self._first_chars.add(pattern[0])
            self._starts = None
        if len(pattern) not in self._lengths:
            self._lengths = sorted([*self._lengths, len(pattern)], reverse=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def _start_pattern(self) -> re.Pattern[str]:
        if self._starts is None:
            chars = "".join(re.escape(char) for char in sorted(self._first_chars))
            self._starts = re.compile(f"[{chars}]")
        return self._starts

    def find(self, compact: CompactView, canonical: str) -> Iterator[NameMatch]:
        if not self._patterns:
            return
        starts, lengths = self._start_pattern(), self._lengths
        text = compact.text
        floor = 0
        for candidate in starts.finditer(text):
            position = candidate.start()
            if position < floor:
                continue
            for length in lengths:
                pattern = text[position : position + length]
                name_length = self._patterns.get(pattern)
                if name_length is None or len(pattern) < length:
                    continue
                if _LATIN.match(pattern) and not _latin_word(
                    canonical, *compact.canonical_span(position, position + length)
                ):
                    continue
                floor = position + length
                yield NameMatch(position, position + name_length)
                break


def _latin_word(text: str, start: int, end: int) -> bool:
    return (start == 0 or not _LATIN.match(text, start - 1)) and (
        end >= len(text) or not _LATIN.match(text, end)
    )
