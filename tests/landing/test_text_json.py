"""msgspec writes json's very bytes for text-only records, and hands back what it cannot write.

The landing trusts this for fingerprints (a record landed before must hash the same when it
is pulled again) and for the bytes of landed parts, so every kind of text that changes JSON
output (escapes, controls, separators inside strings, characters beyond the BMP, key order
across scripts) is compared with the stdlib encoder itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from impact_warehouse.landing.text_json import canonical_json, json_string, landed_json

TEXTS = [
    "",
    "plain ascii",
    "そう思う",
    'quotes " and \\ backslashes \\" and /slashes/',
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\x7f controls",
    "\u2028 line and paragraph \u2029 separators",
    "\ufeff BOM \u200b zero width \u200e RLM",
    "😀 𠮷 beyond the BMP",
    "e\u0301 combining, é composed",
    "\x80\x9f\xa0 C1 and NBSP",
    "x" * 5000,
    ", : { } [ ] inside text",
]

# Keys whose order differs between naive orders: uppercase, accents, BMP end, astral plane.
KEYS = ["a", "Z", "é", "\uffff", "\U00010000", "😀", "a b", "", "10", "9", "answers", "ｱ"]


def _records() -> list[Any]:
    records: list[Any] = [
        {"answers": {"q1": {"questionId": "q1", "textAnswers": {"answers": [{"value": t}]}}}}
        for t in TEXTS
    ]
    records.append({key: key for key in KEYS})
    records.append({key: {inner: [inner, None, True, False] for inner in KEYS} for key in KEYS})
    records.append({"empty": {}, "list": [], "nested": [[], [{}], [[[]]]], "none": None})
    records.append({text: text for text in TEXTS})
    return records


@pytest.mark.parametrize("record", _records())
def test_canonical_json_is_the_stdlib_canonical_form(record: Any) -> None:
    expected = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(record) == expected.encode("utf-8")


@pytest.mark.parametrize("record", _records())
def test_landed_json_is_the_stdlib_line_of_a_part(record: Any) -> None:
    expected = json.dumps(record, sort_keys=True, ensure_ascii=False)
    assert landed_json(record) == expected.encode("utf-8")


@pytest.mark.parametrize("text", TEXTS + KEYS)
def test_json_string_is_the_stdlib_string(text: str) -> None:
    assert json_string(text) == json.dumps(text, ensure_ascii=False).encode("utf-8")


def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "record",
    [
        {"value": "lone \ud800 surrogate"},
        {"lone \udc00 key": "x"},
        {1: "a key that is not text"},
        {"deep": _deep(5000)},
    ],
    ids=["surrogate value", "surrogate key", "int key", "too deep"],
)
def test_what_msgspec_cannot_write_is_left_to_json(record: Any) -> None:
    # None tells the caller to ask json, which words the problem (or refuses) as before.
    assert canonical_json(record) is None
    assert landed_json(record) is None


def test_a_lone_surrogate_string_is_left_to_json() -> None:
    assert json_string("\ud83d") is None
