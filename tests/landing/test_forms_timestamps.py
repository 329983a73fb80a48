"""Google's timestamps (UTC, ``Z``) are read with integer arithmetic instead of datetime: the
instants and texts must be datetime's, and what datetime refuses is still worded by it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from impact_warehouse.landing.forms_timestamps import parse_timestamp


def _by_datetime(text: str) -> tuple[int, str]:
    """Epoch nanoseconds and UTC text of a valid UTC ``Z`` timestamp, through datetime."""
    seconds, _, fraction = text.removesuffix("Z").partition(".")
    moment = datetime.strptime(seconds, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    whole = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
    return whole * 10**9 + int(fraction.ljust(9, "0") or 0), text


@pytest.mark.parametrize(
    "text",
    [
        "2025-12-11T04:58:07.625Z",
        "2025-12-11T04:58:07Z",
        "2024-02-29T23:59:59.999999999Z",
        "1969-12-31T23:59:59.5Z",
        "1000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.123456789Z",
        "2025-06-01T00:00:00.1Z",
    ],
)
def test_google_timestamps_read_without_datetime_match_datetime(text: str) -> None:
    stamp = parse_timestamp(text)
    assert (stamp.epoch_ns, stamp.utc_text) == _by_datetime(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2025-06-30T23:59:60Z", "second must be in 0..59"),
        ("2025-06-01T24:00:00Z", "hour must be in 0..23"),
        ("2025-06-01T00:60:00Z", "minute must be in 0..59"),
        ("2025-02-29T00:00:00Z", "day is out of range for month"),
        ("2025-13-01T00:00:00Z", "month must be in 1..12"),
        ("2025-06-00T00:00:00Z", "day is out of range for month"),
    ],
)
def test_impossible_timestamps_are_worded_by_datetime(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_timestamp(text)
    assert str(raised.value) == f"{text!r} is not a real date and time ({problem})"
