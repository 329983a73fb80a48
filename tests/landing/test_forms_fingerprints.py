"""Fingerprints and rejections of Forms responses stay what they were before msgspec.

A response's fingerprint is the sha256 of ``json.dumps(sort_keys=True, ensure_ascii=False,
separators=(",", ":"), allow_nan=False)``; landed responses carry it, and a re-pull compares
against it. Plain responses (text only, the documented shape) now get their bytes from
msgspec; everything else still goes through json. Both must give the reference fingerprint,
and the records json cannot write (NaN, lone surrogates, nesting too deep) must still be
rejected with the same reason codes and messages.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from impact_warehouse.landing.forms_records import (
    FormsLimits,
    RecordRejected,
    _fingerprint,
    check_response,
    is_plain_response,
)

FORM = "form-1"
NOW_NS = 1_800_000_000 * 10**9  # 2027-01-15
LIMITS = FormsLimits()


def _response(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "formId": FORM,
        "responseId": "r1",
        "createTime": "2025-06-01T00:00:00.250Z",
        "lastSubmittedTime": "2025-06-01T00:00:00.250Z",
        "respondentEmail": "a@example.com",
        "answers": {
            "q1": {"questionId": "q1", "textAnswers": {"answers": [{"value": "そう思う"}]}},
            "q2": {
                "questionId": "q2",
                "textAnswers": {"answers": [{"value": "8"}, {"value": "9"}]},
            },
        },
    }
    record.update(changes)
    return record


def _value(value: Any, **extra: Any) -> dict[str, Any]:
    record = _response()
    record["answers"]["q1"]["textAnswers"]["answers"] = [{"value": value, **extra}]
    return record


def _nested(levels: int, leaf: Any) -> Any:
    value = leaf
    for _ in range(levels):
        value = {"d": value}
    return value


PLAIN = {
    "documented shape": _response(),
    "controls": _value("\x00\x01\x08\t\n\r\x1f\x7f end"),
    "separators": _value("\u2028\u2029 \ufeff \u200b"),
    "quotes": _value('say "hi" \\ back/slash \\"'),
    "beyond the BMP": _value("😀 𠮷 é e\u0301"),
    "empty text": _value(""),
    "odd top-level keys": _response(**{"é": "x", "Z": "y", "\uffff": "", "😀": "", "a b": "c"}),
    "odd question ids": _response(
        answers={
            "質問": {"questionId": "質問", "textAnswers": {"answers": [{"value": "x"}]}},
            "😀": {"textAnswers": {"answers": []}},
        }
    ),
    "no answers": {key: value for key, value in _response().items() if key != "answers"},
    "questionId last": _response(
        answers={"q1": {"textAnswers": {"answers": [{"value": "x"}]}, "questionId": "q1"}}
    ),
}

NOT_PLAIN = {
    "null email": _response(respondentEmail=None),
    "null createTime": _response(createTime=None),
    "score 1e16": _response(totalScore=1e16),
    "score 1e-7": _response(totalScore=1e-7),
    "score 5e-324": _response(totalScore=5e-324),
    "score max float": _response(totalScore=1.7976931348623157e308),
    "score -0.0": _response(totalScore=-0.0),
    "score 0.1": _response(totalScore=0.1),
    "score 3.0": _response(totalScore=3.0),
    "int 2**64": _response(totalScore=2**64),
    "int -2**63-1": _response(totalScore=-(2**63) - 1),
    "int 10**30": _response(totalScore=10**30),
    "boolean": _response(flag=True),
    "quiz grade": _response(
        answers={
            "q1": {
                "questionId": "q1",
                "grade": {"score": 1.5, "correct": True},
                "textAnswers": {"answers": [{"value": "x"}]},
            }
        }
    ),
    "file upload": _response(
        answers={"q1": {"questionId": "q1", "fileUploadAnswers": {"answers": [{"fileId": "f"}]}}}
    ),
    "float beside a value": _value("x", n=1e16),
    "15 levels deep": _response(extra=_nested(14, "leaf")),
}


def _reference_sha256(record: dict[str, Any]) -> str:
    """The fingerprint as it was defined before msgspec."""
    text = json.dumps(
        record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(record: dict[str, Any], limits: FormsLimits = LIMITS) -> Any:
    return check_response(record, form_id=FORM, question_count=3, limits=limits, now=NOW_NS)


@pytest.mark.parametrize("name", PLAIN)
def test_plain_responses_keep_their_fingerprints(name: str) -> None:
    record = PLAIN[name]
    assert is_plain_response(record, LIMITS)
    checked = _check(record)
    assert checked.plain
    assert checked.content_sha256 == _reference_sha256(record)
    assert checked.content_sha256 == _fingerprint(record, LIMITS, plain=False)


@pytest.mark.parametrize("name", NOT_PLAIN)
def test_other_responses_keep_their_fingerprints(name: str) -> None:
    record = NOT_PLAIN[name]
    assert not is_plain_response(record, LIMITS)
    checked = _check(record)
    assert not checked.plain
    assert checked.content_sha256 == _reference_sha256(record)


REJECTED = {
    "NaN score": (
        _response(totalScore=float("nan")),
        "malformed_record",
        "totalScore is nan, not a number",
    ),
    "infinity beside a value": (
        _value("x", n=float("inf")),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].n is inf, not a number",
    ),
    "-infinity in a list": (
        _response(extra={"a": [float("-inf")]}),
        "malformed_record",
        "extra.a[0] is -inf, not a number",
    ),
    "lone surrogate in a value": (
        _value("bad \ud800 here"),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].value holds a lone UTF-16 surrogate at character 4 "
        "(not valid Unicode)",
    ),
    "lone surrogate in a key": (
        _response(**{"k\udc00": "x"}),
        "malformed_record",
        "k\udc00 holds a lone UTF-16 surrogate at character 1 (not valid Unicode)",
    ),
    "lone surrogate in a question id": (
        _response(answers={"q\ud800": {"textAnswers": {"answers": [{"value": "x"}]}}}),
        "malformed_record",
        "answers.q\ud800 holds a lone UTF-16 surrogate at character 1 (not valid Unicode)",
    ),
    "21 levels deep": (
        _response(extra=_nested(20, "leaf")),
        "too_deep",
        "extra" + ".d" * 15 + " is nested 17 levels deep (limit 16)",
    ),
    "3000 levels deep": (
        _response(extra=_nested(3000, "leaf")),
        "too_deep",
        "extra" + ".d" * 15 + " is nested 17 levels deep (limit 16)",
    ),
}


@pytest.mark.parametrize("name", REJECTED)
def test_what_json_cannot_write_is_rejected_as_before(name: str) -> None:
    record, reason_code, detail = REJECTED[name]
    with pytest.raises(RecordRejected) as raised:
        _check(record)
    assert (raised.value.reason_code, raised.value.detail) == (reason_code, detail)
    with pytest.raises(RecordRejected) as by_json:
        _fingerprint(record, LIMITS, plain=False)
    assert (by_json.value.reason_code, by_json.value.detail) == (reason_code, detail)


def test_limits_below_the_documented_shape_still_reject_plain_responses() -> None:
    shallow = FormsLimits(max_depth=5)
    assert not is_plain_response(_response(), shallow)
    with pytest.raises(RecordRejected) as raised:
        _check(_response(), shallow)
    assert raised.value.reason_code == "too_deep"
    one_value = FormsLimits(max_values_per_answer=1)
    with pytest.raises(RecordRejected) as raised:
        _check(_response(), one_value)
    assert (raised.value.reason_code, raised.value.detail) == (
        "too_many_answers",
        "answers.q2 holds 2 values (limit 1)",
    )


@pytest.mark.parametrize(
    ("answers", "detail"),
    [
        ({"q1": {"questionId": "q1"}}, "answers.q1 has no textAnswers"),
        (
            {"q1": {"questionId": "q1", "textAnswers": None}},
            "answers.q1.textAnswers is null, not an object",
        ),
        (
            {"q1": {"textAnswers": {"answers": [{"value": 5}]}}},
            "answers.q1.textAnswers.answers[0].value is a number (5), not a string",
        ),
        ([], "answers is a list, not an object"),
    ],
)
def test_answers_of_the_wrong_shape_are_named_as_before(answers: Any, detail: str) -> None:
    with pytest.raises(RecordRejected) as raised:
        _check(_response(answers=answers))
    assert (raised.value.reason_code, raised.value.detail) == ("malformed_record", detail)
