"""Postal codes and street addresses in Japanese text.

Postal code: seven digits (``123-4567``, ``1234567``) after ``〒``/``郵便番号``/``zip`` or
right before a prefecture name; bare ``123-4567`` elsewhere is not flagged (it may be a
product or order number).

Address: a block number (``1-2-3``, ``4丁目2番8号``, ``123番地の4``, ``三丁目5``) right
after a place written in kanji/kana that names a municipality (``…市``, ``…区``, ``…町``,
``…村``, ``…郡``) or starts with a prefecture (``東京都``…``沖縄県``). The finding spans from the
prefecture (or the start of the place name) to the end of the block number. A full block
number of three numbers (``4-2-8``, ``4丁目2番8号``; none starting with 0, so no phone number)
is an address after any place name in kanji or katakana (``芝公園4-2-8``): the finding then
spans that name. A place with no block number (``横浜市に住んでいます``) is not flagged, nor are
building names or room numbers written after the block number in words. A number range
followed by a counter (``世田谷区3-4人``, ``港区2-3か所``, ``町田市1-2年目``) is a count, not a
block number. Addresses in Latin letters are found when a block number comes before a
municipality (``4-2-8 Shibakoen, Minato-ku, Tokyo 105-0011``), with the prefecture and postal
code after it.

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
_POSTAL_MARK = re.compile(
    r"(?:〒|〶|郵便番号|zip(?: ?code)?|postal code)[ :：]{0,3}(?:は|が)?[ :：]{0,3}$"
)
# Block numbers: digits or kanji numerals joined by 丁目/番地/番/号/の/dashes. A starred class
# at the end of the pattern never backtracks; the candidate is validated afterwards. Only a
# number followed by 丁目/番/号 or by a dash and a digit can be one (the lookahead): a lone
# number ("0 0 0 …", "2025年") costs no Python step.
_BLOCK = re.compile(
    rf"(?<![0-9])(?=[0-9]+(?:丁目|番|号|[{_DASHES}][0-9])|[一二三四五六七八九十]{{1,3}}丁目)"
    rf"(?:[0-9]{{1,5}}|[一二三四五六七八九十]{{1,3}}(?=丁目))"
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
# Counters: a number range before one of these counts something ("3-4人", "1-2年目"). A
# counter is checked as the start of what follows, so 年 covers 年目/年生/年間, 時 covers 時間.
_COUNTERS = (
    "人", "名", "か所", "ヶ所", "ケ所", "カ所", "ヵ所", "箇所", "か国", "ヶ国", "カ国",
    "年", "回", "歳", "才", "件", "時", "分", "秒", "日", "週", "月", "か月", "ヶ月",
    "カ月", "ケ月", "ヵ月", "個", "社", "校", "園", "枚", "冊", "本", "台", "杯", "点", "位",
    "割", "倍", "円", "万", "組", "部", "期", "泊", "軒", "店", "匹", "頭", "つ", "クラス",
    "%", "℃",
)  # fmt: skip
# A kanji/katakana word right before three numbers that is no place: the numbers are a
# figure, a question, a date or an identifier ("図1-2-3", "問1-2-3", "令和7-4-1", "会員番号").
_NOT_PLACE_ENDINGS = (
    "番号", "番", "号", "第", "図", "表", "章", "節", "条", "項", "版", "問", "日", "付",
    "年", "月", "期", "回", "令和", "平成", "昭和", "コード", "ナンバー", "バージョン",
)  # fmt: skip
_PLACE_WORD_CHARS = re.compile(r"[゠-ヿ一-鿿々〆ヶ]")
_BLOCK_NUMBERS = re.compile(r"[0-9]+|[一二三四五六七八九十]+")
_RANGE = re.compile(rf"[0-9]{{1,5}}[{_DASHES}][0-9]{{1,5}}")


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
        number = text[block.start() : end]
        if end == block.start() or not _looks_like_block(number):
            continue
        if _is_count(text, block.start(), end):
            continue
        start = _place_start(text, block.start(), floor)
        if start is None and _is_full_block(number):
            start = _place_word_start(text, block.start(), floor)
        if start is not None:
            floor = end
            yield PlaceMatch("address", start, end)
    yield from find_latin_addresses(text)


def _block_end(block: str) -> int:
    stripped = block.rstrip(_DASHES + "の")
    return len(stripped)


def _looks_like_block(block: str) -> bool:
    if any(word in block for word in ("丁目", "番", "号")):
        return True
    # "1-2-3" or "12-3": digits joined by dashes, at least two numbers.
    return bool(re.fullmatch(rf"[0-9]{{1,5}}(?:[{_DASHES}][0-9]{{1,5}}){{1,3}}", block))


def _is_count(text: str, block_start: int, block_end: int) -> bool:
    """Whether the number is a range of two followed by a counter ("3-4人", "2-3 か所").

    A full block number (``4-2-8``) is never a count: a building named after it may well
    start with a counter character (``4-2-8 月島ビル``)."""
    if not _RANGE.fullmatch(text, block_start, block_end):
        return False
    following = text[block_end : block_end + 8].lstrip(" ")
    return following.startswith(_COUNTERS)


def _is_full_block(block: str) -> bool:
    """Three numbers (chome, block, house: ``4-2-8``, ``4丁目2番8号``), or two after 丁目
    (``4丁目2-8``), none starting with 0 (``03-1234-5678`` is a phone) and the first short."""
    numbers = _BLOCK_NUMBERS.findall(block)
    enough = len(numbers) >= 3 or (len(numbers) == 2 and "丁目" in block)
    return enough and len(numbers[0]) <= 2 and not any(n.startswith("0") for n in numbers)


def _place_word_start(text: str, block_start: int, floor: int) -> int | None:
    """Start of the kanji/katakana word right before a full block number (``芝公園``), or
    None when there is none or it names no place ("図1-2-3", "会員番号12-3-4")."""
    position = block_start
    if position > floor and text[position - 1] == " ":
        position -= 1  # "芝公園 4-2-8"
    word_end = position
    limit = max(floor, word_end - _PLACE_WINDOW)
    while position > limit and _PLACE_WORD_CHARS.match(text, position - 1):
        position -= 1
    word = text[position:word_end]
    if len(word) < 2 or word.endswith(_NOT_PLACE_ENDINGS):
        return None
    return position


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


# Prefectures in Latin letters, as written after the municipality ("Minato-ku, Tokyo").
_LATIN_PREFECTURES = (
    "hokkaido|aomori|iwate|miyagi|akita|yamagata|fukushima|ibaraki|tochigi|gunma|saitama|"
    "chiba|tokyo|kanagawa|niigata|toyama|ishikawa|fukui|yamanashi|nagano|gifu|shizuoka|aichi|"
    "mie|shiga|kyoto|osaka|hyogo|nara|wakayama|tottori|shimane|okayama|hiroshima|yamaguchi|"
    "tokushima|kagawa|ehime|kochi|fukuoka|saga|nagasaki|kumamoto|oita|miyazaki|kagoshima|okinawa"
)
# "4-2-8 Shibakoen, Minato-ku, Tokyo 105-0011", "Shibakoen 4-chome 2-8, Minato City". Every
# word has a bounded length and the words between the block number and the municipality are
# at most three, so a failed candidate costs a bounded number of steps: the scan stays linear.
_LATIN_ADDRESS = re.compile(
    r"(?<![0-9a-z-])(?:[a-z]{1,20},? )?"
    r"[1-9][0-9]{0,3}(?:[- ]chome)?(?:[- ][0-9]{1,4}){1,3}(?![0-9])"
    r"(?:,? [a-z]{1,20}(?:-[a-z]{1,10})?){0,3}?"
    r"(?:,? [a-z]{1,20}-(?:ku|shi|cho|machi|gun|mura|son)"
    # "Minato City" only after a comma and not after an English determiner: "4-2-8 steps to
    # the city" is a sentence.
    r"|, (?!(?:the|a|an|this|that|my|our|your|their|his|her|its|same|next|big|home) )"
    r"[a-z]{1,20} (?:city|ward|town|village|ku|shi))(?![a-z])"
    rf"(?:,? (?:{_LATIN_PREFECTURES})(?:[- ](?:to|fu|ken|prefecture))?(?![a-z]))?"
    r"(?:,? [0-9]{3}-?[0-9]{4}(?![0-9]))?"
)


def find_latin_addresses(text: str) -> Iterator[PlaceMatch]:
    """Addresses written in Latin letters: a block number, then a municipality."""
    for match in _LATIN_ADDRESS.finditer(text):
        yield PlaceMatch("address", match.start(), match.end())
