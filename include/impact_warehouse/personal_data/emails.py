"""Email addresses, including the ways people write them to get past filters.

Found on the canonical view (``＠`` is ``@`` there, full-width letters are ASCII). Each
at-marker is found once; the local part is read leftwards and the domain rightwards from it,
one character class at a time and never past the previous finding, so the work is linear in
the text length whatever the text holds (no regex backtracking over long runs of letters).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# "@", "(at)", "[at]", "(a)", "<at>", "{at}", "（アット）", "アット(マーク)", "あっと", the word
# " at ", "_at_" between words, a star typed for the at-sign ("hanako★example.com") and the
# URL-encoded "%40" ("mailto:hanako%40example.com"). Longer spellings come first so that
# "アットマーク" is not read as "アット" followed by a domain "マーク…".
_AT_MARKER = re.compile(
    r"@|[(\[<{] ?(?:at|a|アットマーク|アット|あっとまーく|あっと) ?[)\]>}]"
    r"|アットマーク|アット|あっとまーく|あっと|(?<= )at(?= )|(?<=[a-z0-9])_at_(?=[a-z0-9])"
    r"|[★☆]|%40"
)
# Between domain labels: dots (also doubled by mistake), spelled-out dots, a comma typed for a
# dot before a common top-level domain, and dots with spaces around them (checked below).
_DOT_MARKER = re.compile(
    r"\.+(?! )| ?[(\[<{] ?(?:dot|ドット|どっと) ?[)\]>}] ?| ?(?:ドット|どっと) ?| dot |"
    r",(?=(?:com|jp|net|org)\b)| ?\. ?"
)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-'")
_LOCAL_SIGNS = frozenset("._+-0123456789")
_MAX_SPACES = 3

# Top-level (and Japanese second-level) domains accepted where the address is obfuscated or
# spaced: there an unknown last label more likely ends a sentence than an address.
KNOWN_DOMAIN_LABELS = frozenset(
    [
        "jp",
        "com",
        "net",
        "org",
        "info",
        "biz",
        "io",
        "me",
        "us",
        "uk",
        "de",
        "fr",
        "cn",
        "kr",
        "tw",
        "hk",
        "sg",
        "au",
        "ca",
        "edu",
        "gov",
        "co",
        "ne",
        "or",
        "ac",
        "go",
        "ed",
        "lg",
        "gr",
        "ad",
        "mobi",
        "app",
        "dev",
        "xyz",
        "tokyo",
        "osaka",
        "nagoya",
        "yokohama",
        "kyoto",
    ]
)


@dataclass(frozen=True)
class EmailMatch:
    start: int  # canonical offsets
    end: int
    address: str  # local@domain as it would be typed correctly


def find_emails(text: str) -> Iterator[EmailMatch]:
    """Email addresses in a canonical text, in order, not overlapping."""
    floor = 0  # nothing before this belongs to a new address
    for marker in _AT_MARKER.finditer(text):
        if marker.start() < floor:
            continue
        match, scanned_to = _address_around(text, marker, floor)
        # A rejected domain is not read again from a marker inside it: each character is read
        # a bounded number of times, which keeps the scan linear on adversarial input.
        floor = max(marker.end(), scanned_to)
        if match is not None:
            yield match


def _address_around(text: str, marker: re.Match[str], floor: int) -> tuple[EmailMatch | None, int]:
    plain = marker.group() == "@"
    word = marker.group() == "at"
    local_end = _skip_spaces_back(text, marker.start(), floor)
    local_start = local_end
    while local_start > floor and text[local_start - 1] in _LOCAL_CHARS:
        local_start -= 1
    while local_start < local_end and text[local_start] in ".-'":
        local_start += 1  # leading punctuation ends a sentence, it starts no address
    if local_start == local_end:
        return None, marker.end()
    local = text[local_start:local_end]
    labels, dots, domain_end = _domain(text, _skip_spaces(text, marker.end()))
    if len(labels) < 2:
        return None, domain_end
    top = labels[-1]
    if not top.isalpha() or not 2 <= len(top) <= 24:
        return None, domain_end
    spaced = local_end != marker.start() or text[marker.end() : marker.end() + 1] == " "
    if (not plain or spaced) and top not in KNOWN_DOMAIN_LABELS:
        return None, domain_end
    spelled_dot = any(dot.strip(" .") for dot in dots)
    if word and not (spelled_dot or _LOCAL_SIGNS.intersection(local)):
        # "meet at example.com" is English; "taro.yamada at example.jp" and
        # "taro at example dot jp" are addresses.
        return None, domain_end
    return EmailMatch(local_start, domain_end, f"{local}@{'.'.join(labels)}"), domain_end


def _domain(text: str, position: int) -> tuple[list[str], list[str], int]:
    labels: list[str] = []
    dots: list[str] = []
    end = position
    while True:
        label = _LABEL.match(text, position)
        if label is None:
            break
        labels.append(label.group().rstrip("-"))
        end = label.end()
        dot = _DOT_MARKER.match(text, end)
        if dot is None:
            break
        following = _LABEL.match(text, dot.end())
        if following is None:
            break
        if " " in dot.group() and following.group() not in KNOWN_DOMAIN_LABELS:
            break  # "example.jp. Thanks": a spaced dot ends the sentence, not the domain
        dots.append(dot.group())
        position = dot.end()
    return labels, dots, end


def _skip_spaces(text: str, position: int) -> int:
    limit = min(len(text), position + _MAX_SPACES)
    while position < limit and text[position] == " ":
        position += 1
    return position


def _skip_spaces_back(text: str, position: int, floor: int) -> int:
    limit = max(floor, position - _MAX_SPACES)
    while position > limit and text[position - 1] == " ":
        position -= 1
    return position
