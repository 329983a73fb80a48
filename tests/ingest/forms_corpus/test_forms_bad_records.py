"""Bad-input corpus for the Google Forms source: one hostile record among good ones.

Each kind asserts its reason code and message, that every other record of the page landed,
the watermark, and the wave's balance ``received == landed + already_landed + rejected``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

MISSING = object()
BAD_TIME = "2025-06-01T00:00:01.500Z"  # between the good responses: mid-page


def _bad(form: Any, **changes: Any) -> dict[str, Any]:
    record = form.response("bad", BAD_TIME)
    for name, value in changes.items():
        if value is MISSING:
            record.pop(name, None)
        else:
            record[name] = value
    return record


def _with_value(form: Any, value: Any) -> dict[str, Any]:
    record = _bad(form)
    record["answers"]["q1"]["textAnswers"]["answers"] = [{"value": value}]
    return record


@dataclass(frozen=True)
class Kind:
    name: str
    lines: Callable[[Any], list[bytes]]
    reason: str | None
    message: str
    rejected: int = 1
    landed: int = 0  # hostile records that still land (answer-level problems)
    watermark: str | None = None  # default: the newest good response
    check: Callable[[Any], None] | None = None


def _line(build: Callable[[Any], Any]) -> Callable[[Any], list[bytes]]:
    return lambda form: [form.line(build(form))]


def _ascii_line(build: Callable[[Any], Any]) -> Callable[[Any], list[bytes]]:
    return lambda form: [json.dumps(build(form), ensure_ascii=True).encode("ascii")]


def _raw(text: Callable[[Any], bytes]) -> Callable[[Any], list[bytes]]:
    return lambda form: [text(form)]


def _landed_bad(pull: Any) -> dict[str, Any]:
    (record,) = [r for r in pull.responses if r["response_id"] == "bad"]
    return record


def _check_unknown_question(pull: Any) -> None:
    answers = _landed_bad(pull)["payload"]["answers"]
    assert "zz9" not in answers and set(answers) == {"q1", "q2", "q3"}
    (record,) = pull.reasons("unknown_question")
    assert json.loads(pull.vault_text(record))["textAnswers"]["answers"] == [{"value": "lost?"}]


def _check_megabyte(pull: Any) -> None:
    value = _landed_bad(pull)["payload"]["answers"]["q3"]["textAnswers"]["answers"][0]["value"]
    assert len(value) == 20_000
    (record,) = pull.reasons("text_truncated")
    assert len(pull.vault_text(record)) == 1_000_000


def _check_controls_removed(expected: str, count: int) -> Callable[[Any], None]:
    def check(pull: Any) -> None:
        value = _landed_bad(pull)["payload"]["answers"]["q1"]["textAnswers"]["answers"][0]
        assert value["value"] == expected
        assert pull.summary["normalised"]["control_characters_removed"] == count

    return check


def _check_offset_zone(pull: Any) -> None:
    assert _landed_bad(pull)["last_submitted_time"] == "2025-06-01T09:00:05+09:00"


def _deep_line(form: Any) -> bytes:
    head = json.dumps(form.response("bad", BAD_TIME))[:-1]
    return (head + ', "extra": ' + "[" * 3000 + "]" * 3000 + "}").encode()


def _nested(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


def _many_answers(form: Any) -> dict[str, Any]:
    answers = {
        f"x{index}": {"textAnswers": {"answers": [{"value": "y"}]}} for index in range(20_000)
    }
    return _bad(form, answers=answers)


def _conflicting_pair(form: Any) -> list[bytes]:
    first = _bad(form)
    second = _with_value(form, "other content")
    return [form.line(first), form.line(second)]


KINDS = [
    Kind(
        "answers_as_list",
        _line(lambda f: _bad(f, answers=[{"questionId": "q1"}])),
        "malformed_record",
        "answers is a list, not an object",
    ),
    Kind(
        "answers_as_string",
        _line(lambda f: _bad(f, answers="q1=yes")),
        "malformed_record",
        "answers is a string, not an object",
    ),
    Kind(
        "answer_bare_string",
        _line(lambda f: _bad(f, answers={"q1": "yes"})),
        "malformed_record",
        "answers.q1 is a string, not an object",
    ),
    Kind(
        "numeric_last_submitted_time",
        _line(lambda f: _bad(f, lastSubmittedTime=1748736001)),
        "malformed_record",
        "lastSubmittedTime is a number (1748736001), not a string",
    ),
    Kind(
        "future_2099_timestamp",
        _line(lambda f: _bad(f, lastSubmittedTime="2099-01-01T00:00:00Z")),
        "future_timestamp",
        "lastSubmittedTime '2099-01-01T00:00:00Z' is more than 1 day, 0:00:00 in the future",
    ),
    Kind(
        "zoneless_timestamp",
        _line(lambda f: _bad(f, lastSubmittedTime="2025-06-01T00:00:01.500")),
        "invalid_timestamp",
        "lastSubmittedTime: '2025-06-01T00:00:01.500' is not an RFC 3339 timestamp with a time "
        "zone",
    ),
    Kind(
        "impossible_date",
        _line(lambda f: _bad(f, lastSubmittedTime="2025-02-30T00:00:00Z")),
        "invalid_timestamp",
        "'2025-02-30T00:00:00Z' is not a real date and time",
    ),
    Kind(
        "offset_beyond_a_day",
        _line(lambda f: _bad(f, lastSubmittedTime="2025-06-01T00:00:01+25:00")),
        "invalid_timestamp",
        "'2025-06-01T00:00:01+25:00' is not a real date and time",
    ),
    Kind(
        "year_zero",
        _line(lambda f: _bad(f, lastSubmittedTime="0000-01-01T00:00:00Z")),
        "invalid_timestamp",
        "'0000-01-01T00:00:00Z' is not a real date and time",
    ),
    Kind(
        "create_time_without_zone",
        _line(lambda f: _bad(f, createTime="2025-06-01 00:00:01")),
        "invalid_timestamp",
        "createTime: '2025-06-01 00:00:01' is not an RFC 3339 timestamp",
    ),
    Kind(
        "create_time_as_list",
        _line(lambda f: _bad(f, createTime=["2025"])),
        "malformed_record",
        "createTime is a list, not a string",
    ),
    Kind(
        "last_submitted_time_missing",
        _line(lambda f: _bad(f, lastSubmittedTime=MISSING)),
        "missing_id",
        "lastSubmittedTime is missing or empty",
    ),
    Kind(
        "null_value",
        _line(lambda f: _with_value(f, None)),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].value is null, not a string",
    ),
    Kind(
        "value_as_object",
        _line(lambda f: _with_value(f, {"text": "yes"})),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].value is an object, not a string",
    ),
    Kind(
        "value_as_number",
        _line(lambda f: _with_value(f, 7)),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].value is a number (7), not a string",
    ),
    Kind(
        "value_element_bare_string",
        _line(
            lambda f: _bad(f, answers={"q1": {"textAnswers": {"answers": ["yes"]}}}),
        ),
        "malformed_record",
        "answers.q1.textAnswers.answers[0] is a string, not an object",
    ),
    Kind(
        "text_answers_missing",
        _line(lambda f: _bad(f, answers={"q1": {"questionId": "q1"}})),
        "malformed_record",
        "answers.q1 has no textAnswers",
    ),
    Kind(
        "text_answers_as_string",
        _line(lambda f: _bad(f, answers={"q1": {"textAnswers": "yes"}})),
        "malformed_record",
        "answers.q1.textAnswers is a string, not an object",
    ),
    Kind(
        "text_answers_answers_as_object",
        _line(lambda f: _bad(f, answers={"q1": {"textAnswers": {"answers": {"value": "y"}}}})),
        "malformed_record",
        "answers.q1.textAnswers.answers is an object, not a list",
    ),
    Kind(
        "unknown_question_id",
        _line(
            lambda f: _bad(
                f,
                answers={
                    **f.response("bad", BAD_TIME)["answers"],
                    "zz9": {"textAnswers": {"answers": [{"value": "lost?"}]}},
                },
            )
        ),
        "unknown_question",
        "questionId 'zz9' is not a question of form",
        rejected=0,
        landed=1,
        check=_check_unknown_question,
    ),
    Kind(
        "megabyte_free_text",
        _line(
            lambda f: _bad(
                f,
                answers={
                    **f.response("bad", BAD_TIME)["answers"],
                    "q3": {"textAnswers": {"answers": [{"value": "あ" * 1_000_000}]}},
                },
            )
        ),
        "text_truncated",
        "answer of 1000000 characters cut to 20000",
        rejected=0,
        landed=1,
        check=_check_megabyte,
    ),
    Kind(
        "twenty_thousand_answers",
        _line(_many_answers),
        "too_many_answers",
        "answers holds 20000 answers; the form has 3 questions (limit 13)",
    ),
    Kind(
        "five_hundred_values_in_one_answer",
        _line(
            lambda f: _bad(f, answers={"q1": {"textAnswers": {"answers": [{"value": "v"}] * 500}}})
        ),
        "too_many_answers",
        "answers.q1 holds 500 values (limit 200)",
    ),
    Kind(
        "json_nested_3000_deep",
        _raw(_deep_line),
        "too_deep",
        "record is nested too deep for the JSON parser",
    ),
    Kind(
        "json_nested_40_deep",
        _line(lambda f: _bad(f, extra=_nested(40))),
        "too_deep",
        "is nested 17 levels deep (limit 16)",
    ),
    Kind(
        "response_id_as_number",
        _line(lambda f: _bad(f, responseId=12345)),
        "malformed_record",
        "responseId is a number (12345), not a string",
    ),
    Kind(
        "response_id_empty",
        _line(lambda f: _bad(f, responseId="")),
        "missing_id",
        "responseId is missing or empty",
    ),
    Kind(
        "response_id_missing",
        _line(lambda f: _bad(f, responseId=MISSING)),
        "missing_id",
        "responseId is missing or empty",
    ),
    Kind(
        "response_id_huge",
        _line(lambda f: _bad(f, responseId="r" * 100_000)),
        "malformed_record",
        "responseId is 100000 characters long (limit 256)",
    ),
    Kind(
        "response_id_with_control_character",
        _line(lambda f: _bad(f, responseId="bad\u0007id")),
        "malformed_record",
        "responseId holds characters other than printable ASCII",
    ),
    Kind(
        "wrong_form_id",
        _line(lambda f: _bad(f, formId="someone-elses-form")),
        "unknown_form",
        "formId 'someone-elses-form' served under form",
    ),
    Kind(
        "form_id_as_number",
        _line(lambda f: _bad(f, formId=42)),
        "malformed_record",
        "formId is a number (42), not a string",
    ),
    Kind(
        "respondent_email_as_number",
        _line(lambda f: _bad(f, respondentEmail=5551234)),
        "malformed_record",
        "respondentEmail is a number (5551234), not a string",
    ),
    Kind(
        "nan_in_a_field",
        _raw(lambda f: f.line(_bad(f))[:-1] + b', "totalScore": NaN}'),
        "malformed_record",
        "totalScore is nan, not a number",
    ),
    Kind(
        "lone_surrogate",
        _ascii_line(lambda f: _with_value(f, "broken \ud800 text")),
        "malformed_record",
        "answers.q1.textAnswers.answers[0].value holds a lone UTF-16 surrogate",
    ),
    Kind(
        "duplicate_in_page",
        lambda f: [f.line(_bad(f))] * 2,
        "duplicate_record",
        "same responseId and lastSubmittedTime twice",
        landed=1,
    ),
    Kind(
        "conflicting_duplicate_in_page",
        _conflicting_pair,
        "conflicting_resend",
        "sent earlier in the same page under the same responseId and lastSubmittedTime",
        landed=1,
    ),
    Kind(
        "truncated_line",
        _raw(lambda f: f.line(_bad(f))[:70]),
        "unparseable_json",
        "not a JSON object",
    ),
    Kind(
        "invalid_utf8_bytes",
        _raw(lambda f: f.line(_with_value(f, "VALUE")).replace(b"VALUE", b"\xff\xfe\xc3")),
        "unparseable_json",
        "not a JSON object",
    ),
    Kind(
        "list_instead_of_record",
        _raw(lambda f: b'["bad", "2025-06-01T00:00:01.500Z"]'),
        "unparseable_json",
        "not a JSON object",
    ),
    Kind(
        "nul_bytes_in_value",
        _line(lambda f: _with_value(f, "a\u0000b\u0000")),
        None,
        "",
        rejected=0,
        landed=1,
        check=_check_controls_removed("ab", 2),
    ),
    Kind(
        "terminal_escape_in_value",
        _line(lambda f: _with_value(f, "\u001b[31mred\u0007 text\ttab")),
        None,
        "",
        rejected=0,
        landed=1,
        check=_check_controls_removed("[31mred text\ttab", 2),
    ),
    Kind(
        "offset_zone_is_normalised_for_the_watermark",
        _line(lambda f: _bad(f, lastSubmittedTime="2025-06-01T09:00:05+09:00")),
        None,
        "",
        rejected=0,
        landed=1,
        watermark="2025-06-01T00:00:05Z",
        check=_check_offset_zone,
    ),
    Kind(
        "within_the_skew_lands_but_never_moves_the_watermark",
        _line(
            lambda f: _bad(
                f,
                lastSubmittedTime=(datetime.now(UTC) + timedelta(hours=2)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
            )
        ),
        None,
        "",
        rejected=0,
        landed=1,
    ),
]


def test_the_corpus_has_at_least_thirty_kinds() -> None:
    assert len({kind.name for kind in KINDS}) == len(KINDS) >= 30


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_bad_record_is_reported_and_the_rest_of_the_page_lands(hostile_form, kind: Kind) -> None:
    form = hostile_form
    good = [form.line(record) for record in form.good()]
    hostile = kind.lines(form)
    form.serve([*good[:2], *hostile, *good[2:]])

    pull = form.pull()

    assert pull.error is None, pull.error
    summary = pull.summary
    assert summary["received"] == len(good) + len(hostile)
    assert (
        summary["received"] == summary["landed"] + summary["already_landed"] + summary["rejected"]
    )
    assert summary["balanced"] is True
    assert summary["rejected"] == kind.rejected
    assert summary["landed"] == len(good) + kind.landed
    assert {f"good{index}" for index in range(4)} <= set(pull.landed_ids)
    assert pull.watermark == (kind.watermark or form.good_times[-1])
    if kind.reason is not None:
        records = pull.reasons(kind.reason)
        assert records, f"no {kind.reason} in {pull.quarantine}"
        assert any(kind.message in record["detail"] for record in records), records
        assert summary["quarantined"][kind.reason] >= 1
        if kind.rejected:
            # A record turned away whole is never lost: its raw text is in the vault.
            kept = [pull.vault_text(record) for record in records if record["raw_vault_path"]]
            assert kept or kind.reason == "duplicate_record"
    else:
        assert not pull.quarantine
    if kind.check is not None:
        kind.check(pull)
