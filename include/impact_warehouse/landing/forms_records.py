"""The shape check every Forms response passes before any use, one record at a time.

The Forms API documents a ``FormResponse``; anything else (a list where an object belongs, a
number for a timestamp, a record nested thousands deep) is turned away here with a precise
reason code and a message naming the field, so one bad record never stops its page. The
limits below are what a real response never reaches; they keep one hostile record from
costing the run its memory or hours of CPU.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from impact_warehouse.landing.forms_timestamps import Timestamp, now_ns, parse_timestamp
from impact_warehouse.landing.text_json import canonical_json

FUTURE_SKEW_ENV = "IMPACT_FUTURE_SKEW_HOURS"
DEFAULT_FUTURE_SKEW_HOURS = 24.0

# Google's ids are printable ASCII without spaces; anything else cannot be a record key.
_PRINTABLE_ID = re.compile(r"[\x21-\x7e]+")
# The fingerprint's depth check works on the encoded bytes: escapes dropped, then every byte
# but quotes and brackets, then the (now empty) strings; what is left is the nesting alone.
# UTF-8 continuation bytes are never ASCII, so no character of an answer can pass as one.
_STRUCTURE_BYTES = b'"[]{}'
_OTHER_BYTES = bytes(byte for byte in range(256) if byte not in _STRUCTURE_BYTES)
_STRING = re.compile(rb'"[^"]*"')
_EMPTY_PAIR = re.compile(rb"\[\]|\{\}")
# One encoder each, built once: json.dumps with options builds a new one on every call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
)
_RAW = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":"))
# How deep a response of the documented shape is: record, answers, answer, textAnswers,
# their list, one value.
PLAIN_DEPTH = 6
# C0 controls other than tab and line breaks, and DEL: never typed on purpose, and NUL breaks
# downstream JSON readers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FormsLimits:
    """Bounds on one response. Real responses stay far below each of them."""

    # Free-text answers longer than this are cut (the full text goes to the vault).
    max_text_chars: int = 20_000
    # A response may answer this many questions more than its form has (revisions add some).
    answer_margin: int = 10
    # Checkbox answers hold one value per ticked option.
    max_values_per_answer: int = 200
    # Containers from the response down: a real answer value sits at depth 6.
    max_depth: int = 16
    max_id_chars: int = 256
    future_skew: timedelta = timedelta(hours=DEFAULT_FUTURE_SKEW_HOURS)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FormsLimits:
        env = os.environ if environ is None else environ
        text = env.get(FUTURE_SKEW_ENV, "").strip()
        if not text:
            return cls()
        try:
            hours = float(text)
        except ValueError:
            hours = math.nan
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(
                f"{FUTURE_SKEW_ENV}={text!r} is not a number of hours >= 0 "
                "(the allowed clock skew for response timestamps in the future)"
            )
        return cls(future_skew=timedelta(hours=hours))


class RecordRejected(Exception):
    """One record turned away whole: a quarantine reason code and a message naming the field."""

    def __init__(self, reason_code: str, detail: str) -> None:
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


@dataclass(frozen=True)
class CheckedResponse:
    """A response whose shape is as documented; its key and content fingerprint."""

    response: dict[str, Any]
    response_id: str
    last_submitted: Timestamp
    content_sha256: str
    # Of the documented shape and holding nothing but text (see :func:`is_plain_response`):
    # what is landed from it encodes as text only (:mod:`impact_warehouse.landing.text_json`).
    plain: bool = False

    @property
    def key(self) -> str:
        # The raw text as sent, exactly as keys were built before these checks existed.
        return f"{self.response_id}|{self.last_submitted.text}"


def raw_json(record: Any) -> str:
    """Canonical JSON of a record as received (ASCII-escaped, so it is always encodable)."""
    return _RAW.encode(record)


_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}


def _kind(value: Any) -> str:
    """The JSON type of a value, as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"a number ({str(value)[:20]})"
    return _KINDS.get(type(value), f"a {type(value).__name__}")


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(record)"


def is_plain_response(response: dict[str, Any], limits: FormsLimits) -> bool:
    """True when the response is of the documented shape and holds nothing but text: every
    field a string but ``answers``, every answer ``textAnswers`` (and a ``questionId``
    string) with at most ``max_values_per_answer`` values ``{"value": <string>}``.

    Nearly every response is; for one that is, the checks below know its depth (6), know it
    holds no number (no NaN), and the answers need no second look: its canonical JSON can
    come from msgspec (:mod:`impact_warehouse.landing.text_json`). Anything else (a file
    upload, a quiz score, a null, a wrong type) is judged field by field as before.
    """
    if limits.max_depth < PLAIN_DEPTH:
        return False
    max_values = limits.max_values_per_answer
    for field, value in response.items():
        if type(value) is str:
            continue
        if field != "answers" or type(value) is not dict:
            return False
        for answer in value.values():
            if type(answer) is not dict:
                return False
            size = len(answer)
            if size != 1 and (size != 2 or type(answer.get("questionId")) is not str):
                return False
            text_answers = answer.get("textAnswers")
            if type(text_answers) is not dict or len(text_answers) != 1:
                return False
            values = text_answers.get("answers")
            if type(values) is not list or len(values) > max_values:
                return False
            for item in values:
                if type(item) is not dict or len(item) != 1 or type(item.get("value")) is not str:
                    return False
    return True


def _fingerprint(record: dict[str, Any], limits: FormsLimits, *, plain: bool) -> str:
    """sha256 of the record's canonical JSON, after the checks of :func:`_check_tree`.

    A plain record (:func:`is_plain_response`) cannot fail them but by a lone surrogate,
    which msgspec refuses: its bytes are msgspec's, the same as ``json``'s. Otherwise the C
    JSON encoder finds what the walk looks for (a NaN, a lone surrogate, nesting beyond its
    recursion limit) and depth is measured on the encoded bytes; only a record with a
    problem is walked in Python, to name the field.
    """
    if plain:
        data = canonical_json(record)
        if data is not None:
            return hashlib.sha256(data).hexdigest()
    try:
        data = _CANONICAL.encode(record).encode("utf-8")
    except (RecursionError, ValueError):  # UnicodeEncodeError is a ValueError
        data = b""
    if data:
        # Escaped backslashes go first, so the quote that ends ``"a\\\\"`` still ends it.
        brackets = data.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _OTHER_BYTES)
        brackets = _STRING.sub(b"", brackets)
        # Each pass removes the innermost level of pairs: a record at most max_depth deep is
        # empty after max_depth passes (a real one after 6).
        for _ in range(limits.max_depth):
            if not brackets:
                break
            brackets = _EMPTY_PAIR.sub(b"", brackets)
        if not brackets:
            return hashlib.sha256(data).hexdigest()
    _check_tree(record, limits)
    raise RecordRejected("malformed_record", "record cannot be written as JSON")


def _check_tree(record: dict[str, Any], limits: FormsLimits) -> None:
    """Depth, lone surrogates and non-finite numbers anywhere in the record, without recursion
    (a record nested thousands deep must not exhaust the interpreter's stack). Paths are only
    built for containers, and checks of ASCII text are skipped: this runs on every record."""
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(record, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        if depth > limits.max_depth:
            raise RecordRejected(
                "too_deep",
                f"{_path_text(path)} is nested {depth} levels deep (limit {limits.max_depth})",
            )
        items = node.items() if type(node) is dict else enumerate(node)
        for key, value in items:
            if type(key) is str and not key.isascii():
                _check_text(key, (*path, key))
            kind = type(value)
            if kind is dict or kind is list:
                stack.append((value, depth + 1, (*path, key)))
            elif kind is str:
                if not value.isascii():
                    _check_text(value, (*path, key))
            elif kind is float and not math.isfinite(value):
                raise RecordRejected(
                    "malformed_record", f"{_path_text((*path, key))} is {value}, not a number"
                )


def _check_text(text: str, path: tuple[str | int, ...]) -> None:
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise RecordRejected(
            "malformed_record",
            f"{_path_text(path)} holds a lone UTF-16 surrogate at character {error.start} "
            "(not valid Unicode)",
        ) from None


def _required_text(response: dict[str, Any], field: str) -> str:
    value = response.get(field)
    if value is None or value == "":
        raise RecordRejected("missing_id", f"{field} is missing or empty")
    if not isinstance(value, str):
        raise RecordRejected("malformed_record", f"{field} is {_kind(value)}, not a string")
    return value


def _timestamp(field: str, value: str, limits: FormsLimits, now: int) -> Timestamp:
    try:
        stamp = parse_timestamp(value)
    except ValueError as error:
        raise RecordRejected("invalid_timestamp", f"{field}: {error}") from None
    if stamp.epoch_ns > now + int(limits.future_skew.total_seconds() * 10**9):
        raise RecordRejected(
            "future_timestamp",
            f"{field} {value!r} is more than {limits.future_skew} in the future",
        )
    return stamp


def check_response(
    response: Any,
    *,
    form_id: str,
    question_count: int,
    limits: FormsLimits,
    now: int | None = None,
) -> CheckedResponse:
    """The response if its shape is as the Forms API documents; else ``RecordRejected``."""
    if not isinstance(response, dict):
        raise RecordRejected("malformed_record", f"response is {_kind(response)}, not an object")
    plain = is_plain_response(response, limits)
    content_sha256 = _fingerprint(response, limits, plain=plain)
    now = now_ns() if now is None else now

    response_id = _required_text(response, "responseId")
    if len(response_id) > limits.max_id_chars:
        raise RecordRejected(
            "malformed_record",
            f"responseId is {len(response_id)} characters long (limit {limits.max_id_chars})",
        )
    if not _PRINTABLE_ID.fullmatch(response_id):
        raise RecordRejected(
            "malformed_record",
            "responseId holds characters other than printable ASCII (spaces, controls or "
            "non-ASCII letters)",
        )
    last_submitted = _timestamp(
        "lastSubmittedTime", _required_text(response, "lastSubmittedTime"), limits, now
    )
    create_time = response.get("createTime")
    if create_time is not None:
        if not isinstance(create_time, str):
            raise RecordRejected(
                "malformed_record", f"createTime is {_kind(create_time)}, not a string"
            )
        _timestamp("createTime", create_time, limits, now)

    sent_form_id = response.get("formId")
    if sent_form_id is not None and not isinstance(sent_form_id, str):
        raise RecordRejected("malformed_record", f"formId is {_kind(sent_form_id)}, not a string")
    if sent_form_id != form_id:
        raise RecordRejected(
            "unknown_form", f"formId {sent_form_id!r} served under form {form_id!r}"
        )
    email = response.get("respondentEmail")
    if email is not None and not isinstance(email, str):
        raise RecordRejected("malformed_record", f"respondentEmail is {_kind(email)}, not a string")

    _check_answers(response.get("answers"), question_count, limits, shape_checked=plain)
    return CheckedResponse(
        response=response,
        response_id=response_id,
        last_submitted=last_submitted,
        content_sha256=content_sha256,
        plain=plain,
    )


def _check_answers(
    answers: Any, question_count: int, limits: FormsLimits, *, shape_checked: bool
) -> None:
    if answers is None:
        return  # Google leaves out ``answers`` when nothing was answered.
    if not isinstance(answers, dict):
        raise RecordRejected("malformed_record", f"answers is {_kind(answers)}, not an object")
    allowed = question_count + limits.answer_margin
    if len(answers) > allowed:
        raise RecordRejected(
            "too_many_answers",
            f"answers holds {len(answers)} answers; the form has {question_count} questions "
            f"(limit {allowed})",
        )
    if shape_checked:
        return  # is_plain_response found every answer as documented
    for question_id, answer in answers.items():
        # The common case costs a few type checks; the field's path is named only on failure.
        if type(answer) is dict and _plain_text_values(answer, limits):
            continue
        _reject_answer(f"answers.{question_id}", answer, limits)


def _plain_text_values(answer: dict[str, Any], limits: FormsLimits) -> bool:
    """True when a text answer is as documented (or it is a file upload)."""
    text_answers = answer.get("textAnswers")
    if text_answers is None:
        return "textAnswers" not in answer and "fileUploadAnswers" in answer
    if type(text_answers) is not dict:
        return False
    values = text_answers.get("answers")
    if type(values) is not list or len(values) > limits.max_values_per_answer:
        return False
    for value in values:
        if type(value) is not dict or type(value.get("value")) is not str:
            return False
    return True


def _reject_answer(where: str, answer: Any, limits: FormsLimits) -> None:
    """Raise ``RecordRejected`` naming what is wrong with one answer."""
    if not isinstance(answer, dict):
        raise RecordRejected("malformed_record", f"{where} is {_kind(answer)}, not an object")
    if "textAnswers" not in answer:
        if "fileUploadAnswers" in answer:
            return  # file uploads carry no text values
        raise RecordRejected("malformed_record", f"{where} has no textAnswers")
    text_answers = answer["textAnswers"]
    if not isinstance(text_answers, dict):
        raise RecordRejected(
            "malformed_record", f"{where}.textAnswers is {_kind(text_answers)}, not an object"
        )
    values = text_answers.get("answers")
    if not isinstance(values, list):
        raise RecordRejected(
            "malformed_record", f"{where}.textAnswers.answers is {_kind(values)}, not a list"
        )
    if len(values) > limits.max_values_per_answer:
        raise RecordRejected(
            "too_many_answers",
            f"{where} holds {len(values)} values (limit {limits.max_values_per_answer})",
        )
    for index, value in enumerate(values):
        place = f"{where}.textAnswers.answers[{index}]"
        if not isinstance(value, dict):
            raise RecordRejected("malformed_record", f"{place} is {_kind(value)}, not an object")
        text = value.get("value")
        if not isinstance(text, str):
            raise RecordRejected(
                "malformed_record", f"{place}.value is {_kind(text)}, not a string"
            )
