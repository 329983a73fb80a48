"""Postal codes and street addresses in Japanese text.

Postal code: seven digits (``123-4567``, ``1234567``) after ``〒``/``郵便番号``/``zip`` or
right before a prefecture name; bare ``123-4567`` elsewhere is not flagged (it may be a
product or order number).

Address: a block number (``1-2-3``, ``4丁目2番8号``, ``123番地の4``, ``三丁目5``) right
after a place written in kanji/kana that names a municipality (``…市``, ``…区``, ``…町``,
``…村``, ``…郡``) or starts with a prefecture (``東京都``…``沖縄県``). The finding spans from the
prefecture (or the start of the place name) to the end of the block number. A place with no
block number (``横浜市に住んでいます``) is not flagged, nor are building names or room numbers
written after the block number in words.

Both are found by patterns with bounded repetition, then checked in a window of bounded
size around each candidate, so the work is linear in the text length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

PREFECTURES: tuple[str, ...] = tuple(
    [
        "北海道",
        "青森県",
        "岩手県",
        "宮城県",
        "秋田県",
        "山形県",
        "福島県",
        "茨城県",
        "栃木県",
        "群馬県",
        "埼玉県",
        "千葉県",
        "東京都",
        "神奈川県",
        "新潟県",
        "富山県",
        "石川県",
        "福井県",
        "山梨県",
        "長野県",
        "岐阜県",
        "静岡県",
        "愛知県",
        "三重県",
        "滋賀県",
        "京都府",
        "大阪府",
        "兵庫県",
        "奈良県",
        "和歌山県",
        "鳥取県",
        "島根県",
        "岡山県",
        "広島県",
        "山口県",
        "徳島県",
        "香川県",
        "愛媛県",
        "高知県",
        "福岡県",
        "佐賀県",
        "長崎県",
        "熊本県",
        "大分県",
        "宮崎県",
        "鹿児島県",
        "沖縄県",
    ]
)
_DASHES = "-ー‐‑‒–—―−"
_POSTAL = re.compile(rf"(?<![0-9])[0-9]{{3}}[{_DASHES}]?[0-9]{{4}}(?![0-9])")
_POSTAL_MARK = re.compile(r"(?:〒|〶|郵便番号|zip(?: ?code)?|postal code)[ :：]{0,3}$")
# Block numbers: digits or kanji numerals joined by 丁目/番地/番/号/の/dashes. A starred class
# at the end of the pattern never backtracks; the candidate is validated afterwards.
_BLOCK = re.compile(
    rf"(?<![0-9])(?:[0-9]{{1,5}}|[一二三四五六七八九十]{{1,3}}(?=丁目))"
    rf"(?:丁目|番地|番|号室|号|の(?=[0-9])|[{_DASHES}](?=[0-9])|[0-9])*"
)
# Digits too: Sapporo-style addresses number their blocks (北1条西2丁目).
_PLACE_CHARS = re.compile(r"[0-9\u3040-\u30ff\u4e00-\u9fff々〆ヶ]")
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
_MUNICIPALITY_SUFFIXES = "市区町村郡"
# A place name right before a block number ends in a noun; a particle there means the number
# is something else ("大阪市で2-3回").
_PARTICLES = frozenset("でにはをがともへやのか")
_PLACE_WINDOW = 30
# Words ending in a municipality suffix that are not municipalities ("第3地区1-2班").
_NOT_MUNICIPALITIES = frozenset({"地区", "学区", "特区", "選挙区", "校区"})


@dataclass(frozen=True)
class PlaceMatch:
    kind: str  # "postal_code" | "address"
    start: int  # canonical offsets
    end: int


def find_postal_codes(text: str) -> Iterator[PlaceMatch]:
    for match in _POSTAL.finditer(text):
        before = text[max(0, match.start() - 16) : match.start()]
        mark = _POSTAL_MARK.search(before)
        after = text[match.end() : match.end() + 6].lstrip(" ")
        if mark is not None:
            start = match.start() - len(mark.group()) if mark.group()[0] in "〒〶" else None
            yield PlaceMatch("postal_code", match.start() if start is None else start, match.end())
        elif after.startswith(PREFECTURES):
            yield PlaceMatch("postal_code", match.start(), match.end())


def find_addresses(text: str) -> Iterator[PlaceMatch]:
    floor = 0
    for block in _BLOCK.finditer(text):
        if block.start() < floor:
            continue
        end = _block_end(block.group()) + block.start()
        if end == block.start() or not _looks_like_block(text[block.start() : end]):
            continue
        start = _place_start(text, block.start(), floor)
        if start is not None:
            floor = end
            yield PlaceMatch("address", start, end)


def _block_end(block: str) -> int:
    stripped = block.rstrip(_DASHES + "の")
    return len(stripped)


def _looks_like_block(block: str) -> bool:
    if any(word in block for word in ("丁目", "番", "号")):
        return True
    # "1-2-3" or "12-3": digits joined by dashes, at least two numbers.
    return bool(re.fullmatch(rf"[0-9]{{1,5}}(?:[{_DASHES}][0-9]{{1,5}}){{1,3}}", block))


def _place_start(text: str, block_start: int, floor: int) -> int | None:
    """Where the place name before a block number starts, or None when there is none."""
    position = block_start
    limit = max(floor, block_start - _PLACE_WINDOW)
    while position > limit and (
        _PLACE_CHARS.match(text, position - 1) or text[position - 1] == " "
    ):
        position -= 1
    while position < block_start and text[position].isdigit():
        position += 1  # a place name does not start with a number
    window = text[position:block_start]
    stripped = window.rstrip(" ")
    if not stripped or stripped[-1] in _PARTICLES:
        return None
    offset = len(window) - len(window.lstrip(" "))
    prefecture_at = min(
        (index for index in (window.find(name) for name in PREFECTURES) if index >= 0),
        default=-1,
    )
    if prefecture_at >= 0:
        return position + prefecture_at
    for index, char in enumerate(window):
        if char in _MUNICIPALITY_SUFFIXES and index > offset:
            before = window[index - 1]
            if before == " " or window[max(0, index - 2) : index + 1] in _NOT_MUNICIPALITIES:
                continue
            if window[index - 1 : index + 1] in _NOT_MUNICIPALITIES:
                continue
            run_start = index - 1
            same_script = _HIRAGANA.match(before) is not None
            while (
                run_start > offset
                and (_HIRAGANA.match(window[run_start - 1]) is not None) == same_script
                and window[run_start - 1] != " "
            ):
                run_start -= 1
            return position + run_start
    return None
