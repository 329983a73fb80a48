"""The calendar the pipeline runs on: fiscal years, monthly ingest intervals, the yearly release.

The fiscal year runs April–March (FY2025 = 2025-04-01 … 2026-03-31). Survey windows in the
catalog are Japanese calendar dates, so intervals are turned into dates in Asia/Tokyo before
they are compared with windows.

Schedules (both DAGs read them from here so tests and docs check one definition):

* ingest: 03:00 JST on the 1st of every month, data interval = the month before it
  (see :func:`monthly_intervals` for its exact start);
* release: 06:00 JST on 1 May, after the fiscal year (and every survey of it) has closed;
* release deadline: ``IMPACT_RELEASE_DEADLINE_DAYS`` (default 30) days after the release run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

TIMEZONE_NAME = "Asia/Tokyo"
TOKYO = ZoneInfo(TIMEZONE_NAME)
INGEST_CRON = "0 3 1 * *"  # 03:00 JST on the 1st: the previous month is complete
RELEASE_CRON = "0 6 1 5 *"  # 06:00 JST on 1 May: after the 1 May ingest run
RELEASE_MONTH = 5
RELEASE_HOUR = 6
DEFAULT_RELEASE_DEADLINE_DAYS = 30
FIRST_FISCAL_YEAR = 2022  # the earliest fiscal year in the catalog


def fiscal_year_of(day: date) -> int:
    """FY of a date: April–March, named by the calendar year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year + 1, 3, 31)


def local_date(moment: datetime) -> date:
    """The Japanese calendar date of an aware datetime (naive means UTC, as Airflow stores)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(TOKYO).date()


def interval_dates(start: datetime, end: datetime) -> tuple[date, date]:
    """A data interval as the inclusive range of Japanese dates it touches."""
    return local_date(start), local_date(end)


def monthly_intervals(first_run: date, last_run: date) -> Iterator[tuple[datetime, datetime]]:
    """The data intervals of the monthly ingest runs due from ``first_run`` to ``last_run``.

    Exactly the DAG's timetable (``CronTriggerTimetable`` with a one-month interval): the run
    at 03:00 JST on the 1st ends the interval, and Airflow subtracts the month in UTC, so an
    interval starts on the last day or days of the month before the previous one (1 May 03:00
    JST → 31 March 03:00 JST). Overlapping the previous interval is harmless: landing skips
    what it already has.
    """
    run = datetime(first_run.year, first_run.month, 1, 3, tzinfo=TOKYO)
    if run.date() < first_run:
        run = _add_month(run)
    while run.date() <= last_run:
        start = (run.astimezone(UTC) - relativedelta(months=1)).astimezone(TOKYO)
        yield start, run
        run = _add_month(run)


def _add_month(moment: datetime, months: int = 1) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def release_run_at(fiscal_year: int) -> datetime:
    """When the yearly schedule publishes a fiscal year's release: 1 May after the FY ends."""
    return datetime(fiscal_year + 1, RELEASE_MONTH, 1, RELEASE_HOUR, tzinfo=TOKYO)


def released_fiscal_year(run_at: datetime) -> int:
    """The fiscal year a yearly run releases: the one that ended before the run."""
    return fiscal_year_of(local_date(run_at)) - 1


DEADLINE_OFF = "off"


def release_deadline_days(environ: Mapping[str, str] | None = None) -> int | None:
    """Days after the 1 May run by which the release must be out; None when set to ``off``."""
    environ = os.environ if environ is None else environ
    text = environ.get("IMPACT_RELEASE_DEADLINE_DAYS", "").strip()
    if not text:
        return DEFAULT_RELEASE_DEADLINE_DAYS
    if text.lower() == DEADLINE_OFF:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"IMPACT_RELEASE_DEADLINE_DAYS={text!r} must be a whole number of days (default "
            f"{DEFAULT_RELEASE_DEADLINE_DAYS}): how long after the 1 May release run the "
            "fiscal-year release may take before staff are alerted; or 'off'"
        )
    return int(text)


def release_deadline_interval(environ: Mapping[str, str] | None = None) -> timedelta | None:
    days = release_deadline_days(environ)
    return None if days is None else timedelta(days=days)


def release_due_at(fiscal_year: int, environ: Mapping[str, str] | None = None) -> datetime:
    """The date by which a fiscal year's release must be published (default period if off)."""
    interval = release_deadline_interval(environ)
    return release_run_at(fiscal_year) + (interval or timedelta(days=DEFAULT_RELEASE_DEADLINE_DAYS))
