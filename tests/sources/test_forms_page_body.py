"""A page body reads the same through the quick decoder as through ``response.json()``."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
import requests

from impact_warehouse.sources.forms_page_json import UnreadableRecord, decoded_body
from impact_warehouse.sources.google_forms import FormsApiClient


def _response(body: bytes, content_type: str = "application/json; charset=UTF-8") -> Any:
    response = requests.Response()
    response.status_code = 200
    response._content = body
    response.headers["Content-Type"] = content_type
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response


def _as_before(response: requests.Response) -> Any:
    """What the client read before the quick decoder: the stdlib's parse."""
    return response.json()


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, dict) and isinstance(right, dict):
        return list(left) == list(right) and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    return type(left) is type(right) and left == right  # error types compare as types


PAGE = {
    "responses": [
        {
            "responseId": "r1",
            "answers": {"q": {"textAnswers": {"answers": [{"value": 'はい 😀 \\ " \t'}]}}},
        },
        "a broken record as a string",
        [1, 2],
    ],
    "nextPageToken": "t",
}

BODIES = {
    "plain page": json.dumps(PAGE, ensure_ascii=False).encode(),
    "escaped page": json.dumps(PAGE, ensure_ascii=True).encode(),
    "numbers": b'{"a": 1e2, "b": -0.0, "c": 0.1, "d": 12345678901234567890123456789, "e": 1E-7}',
    "duplicate keys, last wins": b'{"a": 1, "a": 2}',
    "NaN and Infinity": b'{"a": NaN, "b": -Infinity}',
    "lone surrogate escape": b'{"a": "\\ud800"}',
    "number beyond a double": b'{"a": 1e400}',
    "NUL escape in a key": b'{"\\u0000": 1}',
    "surrounding white space": b' \n{"a": [] }\n',
    "UTF-16 with its mark": '{"a": "é"}'.encode("utf-16"),
}


def _outcome(read: Any, body: bytes) -> Any:
    try:
        return read(_response(body))
    except ValueError as error:
        return type(error)


@pytest.mark.parametrize("name", list(BODIES))
def test_every_body_reads_as_response_json_reads_it(name: str) -> None:
    body = BODIES[name]
    assert _same(_outcome(decoded_body, body), _outcome(_as_before, body))


@pytest.mark.parametrize(
    "body", [b'{"a": 1', b'{"a": 1}{', b'{"a": "\x01"}', b"\xef\xbb\xbf\xff", b""]
)
def test_a_body_that_is_not_json_still_raises_value_error(body: bytes) -> None:
    with pytest.raises(ValueError):
        decoded_body(_response(body))


def test_a_body_declared_in_another_charset_is_read_in_that_charset() -> None:
    # UTF-8 bytes declared Latin-1 read as Latin-1, as requests always read them.
    body = '{"a": "é"}'.encode()
    read = decoded_body(_response(body, "application/json; charset=ISO-8859-1"))
    assert read == {"a": "Ã©"}


def test_a_record_nested_too_deep_costs_only_itself() -> None:
    deep = "[" * 5000 + "]" * 5000
    body = ('{"responses": [{"responseId": "ok"}, ' + deep + '], "nextPageToken": "t"}').encode()
    page = decoded_body(_response(body))
    first, second = page["responses"]
    assert first == {"responseId": "ok"}
    assert isinstance(second, UnreadableRecord)
    assert page["nextPageToken"] == "t"


def test_a_non_object_nested_to_the_parsers_limit_is_one_unreadable_record() -> None:
    # msgspec reads a few levels deeper than json writes back; where that band lies depends on
    # the stack depth of the caller, so every depth up to the interpreter's limit is tried.
    # Each must give one unreadable record, never stop the pull.
    for depth in range(1, sys.getrecursionlimit() + 5):
        body = b'{"responses": [{"responseId": "ok"}, ' + b"[" * depth + b"]" * depth + b"]}"
        page = FormsApiClient._to_page(decoded_body(_response(body)), "form", 1, "url")
        assert page.responses == [{"responseId": "ok"}], depth
        (unreadable,) = page.unreadable_records
        assert unreadable.reason_code in {"malformed_record", "too_deep"}, depth
