"""RFC 3339 timestamps of Forms responses: validated, as epoch nanoseconds, in the API's form.

Every response carries two of them, so the common form (UTC, ``Z``, as Google sends it) is
read with integer arithmetic from a per-day cache; any other form, and anything the quick
path is not sure of, goes through ``datetime``, which also words the errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

# RFC 3339 date-time: a zone is required (Z or ±hh:mm), fractions up to nanoseconds.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)
_NS = 10**9


@dataclass(frozen=True)
class Timestamp:
    """A validated RFC 3339 instant: as sent, as nanoseconds, and in the API's UTC form."""

    text: str
    epoch_ns: int
    utc_text: str


@lru_cache(maxsize=4096)
def _utc_day_start_ns(year: int, month: int, day: int) -> int | None:
    """Nanoseconds from the epoch to 00:00 UTC of a day; None when it is no real date.

    A pull holds responses from a few hundred days at most, so the cache keeps them all.
    """
    try:
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return (start - _EPOCH) // _ONE_SECOND * _NS


def parse_timestamp(text: str) -> Timestamp:
    """The instant of an RFC 3339 timestamp with a zone; ``ValueError`` for anything else."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"{text[:60]!r} is not an RFC 3339 timestamp with a time zone")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    # Google's own form (UTC, "Z", a year from 1000) is its own API form (see below).
    if zone == "Z" and text[10] == "T" and year[0] != "0":
        day_ns = _utc_day_start_ns(int(year), int(month), int(day))
        hours, minutes, seconds = int(hour), int(minute), int(second)
        # Out-of-range fields (a leap second, hour 24) are left to datetime to word.
        if day_ns is not None and hours < 24 and minutes < 60 and seconds < 60:
            epoch_ns = day_ns + (hours * 3600 + minutes * 60 + seconds) * _NS + nanos
            return Timestamp(text=text, epoch_ns=epoch_ns, utc_text=text)
    try:
        if zone in ("Z", "z"):
            zone_info = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            zone_info = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone_info
        ).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"{text!r} is not a real date and time ({error})") from error
    epoch_ns = (moment - _EPOCH) // _ONE_SECOND * _NS + nanos
    # The API's own form (UTC, "Z", the fraction as sent) keeps watermarks comparable as text
    # with those stored before, and is exactly what the responses filter accepts. Google
    # sends it so: then it is the text itself (strftime does not pad years before 1000).
    if zone == "Z" and text[10] == "T" and year[0] != "0":
        utc_text = text
    else:
        utc_text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"
    return Timestamp(text=text, epoch_ns=epoch_ns, utc_text=utc_text)


def now_ns(as_of: date | None = None, zone: tzinfo = UTC) -> int:
    """The run's "now" in epoch nanoseconds: the clock, or the end of a later ``as_of`` day.

    A run that replays a later day of the sources (the demo, the README walk-through) sees
    responses up to the end of that day in ``zone``, the organisation's time zone (survey
    days are its local days); those are not "in the future" for it. An
    earlier ``as_of`` never moves "now" back: responses sent since then are real.
    """
    clock_ns = int(datetime.now(UTC).timestamp() * 10**9)
    if as_of is None:
        return clock_ns
    end_of_day = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=zone)
    return max(clock_ns, int(end_of_day.timestamp()) * 10**9)
