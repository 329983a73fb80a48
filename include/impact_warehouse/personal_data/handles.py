"""Messenger and social-media handles, and web links, in free text.

Handle: an ID written after the name of a messenger or social network (``LINE ID: hanako_0123``,
``ラインID：tanaka-hanako99``, ``インスタ @hanako_tanaka_mama``). The service name alone is not
enough (``LINEで連絡した``, ``the bottom line is``): a handle needs the word ``ID`` (or
``アカウント``), a ``:``/``=`` after the service name, or an ``@`` before it, and at least three
characters. ``note`` is not treated as a service (too many sentences start with ``note:``).
An ``@`` with no service named (``@handle さんの投稿``, ``@渋谷で集合``) is left alone: on its
own it more often marks a place or a mention than a contact.

Link: any ``http(s)://`` or ``www.`` address, and a profile path on a social network written
without either (``facebook.com/hanako.tanaka.77``). In a survey answer a link is a way to
reach someone (a profile, a blog, a shared calendar), so it is masked whatever it points at.

Found on the canonical view (lower case, full-width letters and ``＠：`` are ASCII there).
Every pattern is a fixed label or prefix followed by one character class read greedily, with
no alternative way to split the run, so the scan is linear in the text length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Service names as people write them; longer spellings first so that "インスタグラム" is not
# read as "インスタ" followed by more katakana.
_LATIN_SERVICES = (
    "instagram",
    "insta",
    "twitter",
    "tiktok",
    "facebook",
    "threads",
    "line",
    "skype",
    "discord",
    "wechat",
    "kakaotalk",
    "kakao",
    "telegram",
    "youtube",
)
_KANA_SERVICES = (
    "インスタグラム",
    "インスタ",
    "ツイッター",
    "ティックトック",
    "フェイスブック",
    "スレッズ",
    "ライン",
    "スカイプ",
)
# A Latin service name is a whole word ("online", "lines" are not), or glued to "id"
# ("lineid"); katakana before a katakana one means a longer word (オンライン, ガイドライン).
_SERVICE = (
    rf"(?<![a-z])(?:{'|'.join(_LATIN_SERVICES)})(?:(?![a-z])|(?=id(?![a-z])))"
    rf"|(?<![ァ-ヺー])(?:{'|'.join(_KANA_SERVICES)})"
)
# "LINE ID: hanako", "ラインのID hanako", "インスタで@hanako", "twitter(x): @hanako". Spaces
# are bounded so that no run of them is read twice.
_HANDLE = re.compile(
    rf"(?:{_SERVICE})"
    r"(?: ?\((?:x|旧twitter|旧ツイッター)\))?"
    r" {0,2}(?:[のでは] ?)?(?P<word>id(?![a-z])|アカウント|ユーザー名|ユーザーid)? {0,2}"
    r"(?P<separator>[:=])?(?: {0,2}は)? {0,2}"
    r"(?P<handle>@?[a-z0-9_][a-z0-9._-]{2,39})(?![a-z0-9._-])"
)
_HANDLE_TRAILING = "._-"
_MIN_HANDLE = 3

_URL_CHARS = r"[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_LINK = re.compile(
    rf"(?<![a-z0-9])(?:https?://|www\.)(?:{_URL_CHARS})+"
    rf"|(?<![a-z0-9.])(?:facebook|fb|instagram|twitter|x|tiktok|threads|youtube|line)"
    rf"\.(?:com|me|net)/(?:{_URL_CHARS})+"
)
# A sentence ends a link more often than a link ends in these ("…77です。", "(https://x.jp)").
_LINK_TRAILING = ".,:;!?'()[]"


@dataclass(frozen=True)
class HandleMatch:
    kind: str  # "handle" | "link"
    start: int  # canonical offsets
    end: int


def find_handles(text: str) -> Iterator[HandleMatch]:
    """Handles written after a service name, in a canonical text, in order."""
    for match in _HANDLE.finditer(text):
        handle = match.group("handle").rstrip(_HANDLE_TRAILING)
        # "LINEは持っていない" and "the bottom line is…" name a service, not an account.
        introduced = handle.startswith("@") or match.group("word") or match.group("separator")
        if not introduced or len(handle.lstrip("@")) < _MIN_HANDLE:
            continue
        start = match.start("handle")
        yield HandleMatch("handle", start, start + len(handle))


def find_links(text: str) -> Iterator[HandleMatch]:
    """Web links in a canonical text, in order, not overlapping."""
    for match in _LINK.finditer(text):
        link = _strip_link_tail(match.group())
        if "." in link:  # "www." alone, "https://" alone: nothing to reach
            yield HandleMatch("link", match.start(), match.start() + len(link))


def _strip_link_tail(link: str) -> str:
    """The link without trailing punctuation, keeping brackets that open inside it."""
    while link and link[-1] in _LINK_TRAILING:
        if link[-1] == ")" and link.count("(") >= link.count(")"):
            break  # a balanced bracket belongs to the link (wikipedia.org/wiki/x_(y))
        link = link[:-1]
    return link
