"""Submission times inside a wave's window, as Google Forms and the panel vendor write them.

Times are epoch milliseconds internally. Respondents answer between 09:00 and 23:59 JST,
which is 00:00–14:59 UTC of the same date, so the UTC date of ``lastSubmittedTime`` is the
Japanese calendar day of the answer and the ``as_of`` cut-off needs no time-zone care.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")
_MS_PER_DAY = 86_400_000
_ANSWER_HOURS_PER_DAY = 15


def _utc_midnight_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000


def cutoff_ms(as_of: date) -> int:
    """First instant after ``as_of``: responses strictly before it exist at ``as_of``."""
    return _utc_midnight_ms(as_of + timedelta(days=1))


def window_start_ms(open_date: date) -> int:
    return _utc_midnight_ms(open_date)


def sample_submission_ms(rng: random.Random, open_date: date, close_date: date) -> int:
    """A plausible submission instant: most answers come in the first days and after reminders."""
    days = (close_date - open_date).days + 1
    # Invitation on day 0, a reminder three days before the close: two humps of activity.
    weights = [1.0 / (1.0 + 0.35 * day) + (0.6 if day >= days - 3 else 0.0) for day in range(days)]
    day = rng.choices(range(days), weights=weights)[0]
    offset_ms = rng.randrange(_ANSWER_HOURS_PER_DAY * 3_600_000)
    return window_start_ms(open_date) + day * _MS_PER_DAY + offset_ms


def rfc3339(epoch_ms: int) -> str:
    """RFC3339 UTC with milliseconds and "Z", as the Forms API writes timestamps."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def panel_timestamp(epoch_ms: int) -> str:
    """Japanese local time as the panel vendor's export writes it ("2026/01/16 21:03:12")."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=JST).strftime("%Y/%m/%d %H:%M:%S")
