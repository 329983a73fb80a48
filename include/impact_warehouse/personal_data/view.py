"""A canonical copy of a text that detectors scan, with the way back to the original offsets.

Personal data is written in many widths and cases (``０９０``, ``ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ``).
Each character is NFKC-normalised and lower-cased on its own, so every canonical character
still points at exactly one character of the original: findings are reported as spans of the
text the caller gave, never of a normalised copy. Invisible format characters (zero-width
spaces, soft hyphens) are dropped, so they cannot be used to split an address past the
detector, variation selectors (a glyph's shape, 葛 + U+E0100) are dropped, and variant kanji
of names (髙 → 高, 邊 → 辺) are folded to one form. Building the
view is one pass over the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# What may stand between a family and a given name: whitespace, a middle dot (太田・美紀) or
# brackets (太田(美紀), a maiden or given name added in brackets); all ASCII or U+30FB in the
# canonical view.
_NAME_SEPARATOR = re.compile(r"[\s・·()]")
_NAME_PIECE = re.compile(r"[^\s・·()]+")

# Variant forms of kanji common in names (異体字), folded to the form most often typed: a
# roster's 髙橋 or 渡邊 must find 高橋 or 渡辺 in an answer, and the other way round. One
# character for one, so offsets still map back. NFKC folds the compatibility ideographs that
# have a canonical form (塚 U+FA10) but not these: they are separate characters in Unicode
# (髙 U+9AD9, 﨑 U+FA11, 𠮷 U+20BB7), several of them outside JIS X 0208.
_VARIANT_KANJI = str.maketrans(
    {
        "髙": "高", "邉": "辺", "邊": "辺", "齋": "斎", "齊": "斉", "濱": "浜", "濵": "浜",
        "嶋": "島", "嶌": "島", "澤": "沢", "廣": "広", "國": "国", "櫻": "桜", "眞": "真",
        "惠": "恵", "榮": "栄", "實": "実", "冨": "富", "德": "徳", "𠮷": "吉", "﨑": "崎",
        "嵜": "崎", "曾": "曽", "瀨": "瀬", "槇": "槙", "龍": "竜", "邨": "村",
        "藏": "蔵", "壽": "寿", "豐": "豊", "禮": "礼", "靜": "静", "淺": "浅", "彌": "弥",
    }
)  # fmt: skip


def _is_variation_selector(char: str) -> bool:
    """U+FE00–FE0F and the ideographic variation selectors U+E0100–E01EF: they only choose a
    glyph's shape (葛 + VS17), yet would split a name in two."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _canonical_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":  # zero-width space/joiner, soft hyphen, BOM
        return ""
    if _is_variation_selector(char):
        return ""
    return unicodedata.normalize("NFKC", char).lower().translate(_VARIANT_KANJI)


class _CanonicalTable(dict[int, str]):
    """``str.translate`` table filled on first sight of each character: texts share it, so a
    short answer costs one C-level translate instead of a Python call per character."""

    LIMIT = 200_000  # distinct characters kept; beyond that computed per call, memory stays flat

    def __init__(self) -> None:
        super().__init__()
        self.uneven: set[str] = set()  # characters whose canonical form is not one character

    def __missing__(self, code: int) -> str:
        char = chr(code)
        mapped = _canonical_char(char)
        if len(mapped) != 1:
            self.uneven.add(char)
        if len(self) < self.LIMIT:
            self[code] = mapped
        return mapped


_TABLE = _CanonicalTable()


@dataclass(frozen=True)
class CanonicalView:
    source: str
    text: str  # canonical: NFKC per character, lower case, no format characters
    origin: list[int] | None  # canonical index -> source index; None when identical

    @classmethod
    def of(cls, source: str) -> CanonicalView:
        if source.isascii():
            return cls(source, source.lower(), None)
        canonical = source.translate(_TABLE)
        if _TABLE.uneven.isdisjoint(source):
            return cls(source, canonical, None)
        pieces: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(source):
            mapped = _TABLE[ord(char)]
            pieces.append(mapped)
            origin.extend([index] * len(mapped))
        return cls(source, "".join(pieces), origin)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that canonical ``[start, end)`` came from."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class CompactView:
    """The canonical text without whitespace, middle dots and brackets: names are matched
    whether or not a space (or a full-width space, a line break, 「・」 or brackets) separates
    family and given name."""

    text: str
    origin: list[int] | None  # compact index -> canonical index; None when identical

    @classmethod
    def of(cls, canonical: str) -> CompactView:
        if _NAME_SEPARATOR.search(canonical) is None:
            return cls(canonical, None)
        pieces: list[str] = []
        origin: list[int] = []
        for match in _NAME_PIECE.finditer(canonical):
            pieces.append(match.group())
            origin.extend(range(match.start(), match.end()))
        return cls("".join(pieces), origin)

    def canonical_span(self, start: int, end: int) -> tuple[int, int]:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1
