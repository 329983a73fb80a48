"""The calendar the pipeline runs on: fiscal years, monthly ingest intervals, the yearly release.

Everything that depends on the organisation comes from its profile (``organisation.csv``:
``fiscal_year_start_month``, ``time_zone``, ``release_month_day``), so another NPO changes
that file, not code. Survey windows in the catalog are local calendar dates, so intervals are
turned into dates in the organisation's time zone before they are compared with windows.

Schedules (both DAGs read them from here so tests and docs check one definition), in the
organisation's time zone:

* ingest: 03:00 on the 1st of every month, data interval = the month before it
  (see :meth:`Calendar.monthly_intervals` for its exact start);
* release: 06:00 on the profile's release day after the fiscal year has closed (Mamabono:
  1 May), so the 03:00 ingest run of a release on the 1st lands first;
* release deadline: ``IMPACT_RELEASE_DEADLINE_DAYS`` (default 30) days after the release run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import Organisation, load_organisation
from impact_warehouse.catalog.organisation import fiscal_year_start

INGEST_HOUR = 3  # the previous month is complete by 03:00 on the 1st
RELEASE_HOUR = 6  # after the 03:00 ingest run of the same day
DEFAULT_RELEASE_DEADLINE_DAYS = 30


@dataclass(frozen=True)
class Calendar:
    """The schedules of one organisation profile; its rules stay in :class:`Organisation`."""

    organisation: Organisation

    @property
    def zone(self) -> ZoneInfo:
        return self.organisation.zone

    @property
    def time_zone(self) -> str:
        return self.organisation.time_zone

    @property
    def ingest_cron(self) -> str:
        return f"0 {INGEST_HOUR} 1 * *"

    @property
    def release_cron(self) -> str | None:
        if self.organisation.release_month_day is None:
            return None
        month, day = self.organisation.release_month_day
        return f"0 {RELEASE_HOUR} {day} {month} *"

    def fiscal_year_of(self, day: date) -> int:
        return self.organisation.fiscal_year_of(day)

    def fiscal_year_start(self, fiscal_year: int) -> date:
        return fiscal_year_start(fiscal_year, self.organisation.fiscal_year_start_month)

    def fiscal_year_end(self, fiscal_year: int) -> date:
        return self.fiscal_year_start(fiscal_year + 1) - timedelta(days=1)

    def local_date(self, moment: datetime) -> date:
        """The local calendar date of an aware datetime (naive means UTC, as Airflow stores)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).date()

    def interval_dates(self, start: datetime, end: datetime) -> tuple[date, date]:
        """A data interval as the inclusive range of local dates it touches."""
        return self.local_date(start), self.local_date(end)

    def ingest_run_at(self, day: date) -> datetime:
        """The monthly ingest run on the 1st of ``day``'s month."""
        return datetime(day.year, day.month, 1, INGEST_HOUR, tzinfo=self.zone)

    def first_ingest_run(self, fiscal_year: int) -> datetime:
        """The run that lands the first month of ``fiscal_year`` (the DAG's start date)."""
        return _add_month(self.ingest_run_at(self.fiscal_year_start(fiscal_year)))

    def monthly_intervals(
        self, first_run: date, last_run: date
    ) -> Iterator[tuple[datetime, datetime]]:
        """The data intervals of the monthly ingest runs due from ``first_run`` to ``last_run``.

        Exactly the DAG's timetable (``CronTriggerTimetable`` with a one-month interval): the
        run at 03:00 on the 1st ends the interval, and Airflow subtracts the month in UTC, so
        east of UTC an interval starts on the last day of the month before the previous one
        (1 May 03:00 JST → 31 March 03:00 JST). Overlapping the previous interval is
        harmless: landing skips what it already has.
        """
        run = self.ingest_run_at(first_run)
        if run.date() < first_run:
            run = _add_month(run)
        while run.date() <= last_run:
            start = (run.astimezone(UTC) - relativedelta(months=1)).astimezone(self.zone)
            yield start, run
            run = _add_month(run)

    def release_run_at(self, fiscal_year: int) -> datetime | None:
        """When the yearly schedule publishes a fiscal year's release (None: no release day)."""
        day = self.organisation.release_date(fiscal_year)
        if day is None:
            return None
        return datetime(day.year, day.month, day.day, RELEASE_HOUR, tzinfo=self.zone)

    def released_fiscal_year(self, run_at: datetime) -> int:
        """The fiscal year a yearly run releases: the one that ended before the run."""
        return self.fiscal_year_of(self.local_date(run_at)) - 1

    def release_due_at(
        self, fiscal_year: int, environ: Mapping[str, str] | None = None
    ) -> datetime:
        """When a fiscal year's release must be out: the deadline after the release run.

        Without a release day the deadline counts from the day the fiscal year closes.
        """
        run_at = self.release_run_at(fiscal_year) or datetime.combine(
            self.fiscal_year_start(fiscal_year + 1), datetime.min.time(), tzinfo=self.zone
        )
        interval = release_deadline_interval(environ)
        return run_at + (interval or timedelta(days=DEFAULT_RELEASE_DEADLINE_DAYS))

    def wall_clock(self, moment: datetime) -> str:
        """An aware moment as the organisation's clock, e.g. ``2026-05-01 06:00 JST``."""
        return self.organisation.local_time(moment)


def configured_calendar(seed_dir: Path | None = None) -> Calendar:
    """The calendar of the configured catalog (``IMPACT_CATALOG_DIR`` or the shipped seeds).

    Reads ``organisation.csv`` alone, so status and deadline messages still work while
    another seed file is being fixed.
    """
    return Calendar(load_organisation(seed_dir))


def _add_month(moment: datetime, months: int = 1) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


DEADLINE_OFF = "off"


def release_deadline_days(environ: Mapping[str, str] | None = None) -> int | None:
    """Days after the release run by which the release must be out; None when ``off``."""
    environ = os.environ if environ is None else environ
    text = environ.get("IMPACT_RELEASE_DEADLINE_DAYS", "").strip()
    if not text:
        return DEFAULT_RELEASE_DEADLINE_DAYS
    if text.lower() == DEADLINE_OFF:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"IMPACT_RELEASE_DEADLINE_DAYS={text!r} must be a whole number of days (default "
            f"{DEFAULT_RELEASE_DEADLINE_DAYS}): how long after the yearly release run the "
            "fiscal-year release may take before staff are alerted; or 'off'"
        )
    return int(text)


def release_deadline_interval(environ: Mapping[str, str] | None = None) -> timedelta | None:
    days = release_deadline_days(environ)
    return None if days is None else timedelta(days=days)
