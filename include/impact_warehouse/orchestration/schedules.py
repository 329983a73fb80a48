"""The DAGs' schedules, derived at parse time from the catalog and its calendar.

The ingest follows the survey windows (issue 18): while any Google Forms wave is open it runs
every day at 03:00 (every ``IMPACT_PULL_HOURS_WHILE_OPEN`` hours from 03:00, default 24), so
staff see responses arrive; otherwise once a month at 03:00 on the 1st. The run times are
listed from the catalog into Airflow's built-in ``EventsTimetable`` (no plugin needed); a new
wave in ``waves.csv`` changes the schedule at the next parse.

Built while Airflow parses the DAG files, so they never fail: without a readable catalog the
ingest runs monthly in UTC and the warehouse only on new landing data (no yearly release),
the DAGs still load, and their first task fails with the catalog's message and alerts staff.
"""

from __future__ import annotations

import bisect
import logging
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule

# Airflow's core timetable, not airflow.sdk's: in Airflow 3.3.2 the SDK EventsTimetable cannot
# be serialised (its encoder omits "_summary", which the core class requires: KeyError).
from airflow.timetables.events import EventsTimetable
from airflow.timetables.trigger import CronTriggerTimetable
from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import Catalog, load_organisation
from impact_warehouse.ops.calendar import INGEST_HOUR, Calendar
from impact_warehouse.pipeline.ingest import manual_interval

log = logging.getLogger(__name__)

# Only a start date in the past matters (catchup is off); used when the catalog is unreadable.
FALLBACK_START = datetime(2000, 1, 1, tzinfo=UTC)


def dag_calendar(catalog: Catalog | None) -> Calendar | None:
    """The calendar of the catalog, else of ``organisation.csv`` alone, else None (logged)."""
    if catalog is not None:
        return Calendar(catalog.organisation)
    try:
        return Calendar(load_organisation())
    except Exception as error:  # any failure here would make the DAG file an import error
        log.warning("organisation profile invalid; schedules fall back to UTC: %s", error)
        return None


PULL_HOURS_VARIABLE = "IMPACT_PULL_HOURS_WHILE_OPEN"
DEFAULT_PULL_HOURS = 24
# Runs stay at the same clock times every day: the interval divides the day.
ALLOWED_PULL_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)
# The event list must be finite: it reaches this many fiscal years past the later of the
# catalog's last fiscal year and today's (re-listed at every parse, so it never runs out).
HORIZON_FISCAL_YEARS = 2


def pull_hours_while_open(environ: Mapping[str, str] | None = None) -> int:
    """Hours between pulls while a survey is open (``IMPACT_PULL_HOURS_WHILE_OPEN``)."""
    environ = os.environ if environ is None else environ
    text = environ.get(PULL_HOURS_VARIABLE, "").strip()
    if not text:
        return DEFAULT_PULL_HOURS
    if not text.isdigit() or int(text) not in ALLOWED_PULL_HOURS:
        allowed = ", ".join(str(hours) for hours in ALLOWED_PULL_HOURS)
        raise ValueError(
            f"{PULL_HOURS_VARIABLE}={text!r} must be one of {allowed} (hours between pulls "
            f"while a survey is open, from {INGEST_HOUR:02d}:00; default {DEFAULT_PULL_HOURS})"
        )
    return int(text)


def _pull_hours_for_parse() -> int:
    try:
        return pull_hours_while_open()
    except ValueError as error:  # the DAG file must still parse; check_configuration fails
        log.warning("%s; pulling every %d hours", error, DEFAULT_PULL_HOURS)
        return DEFAULT_PULL_HOURS


def ingest_run_times(
    catalog: Catalog, calendar: Calendar, *, pull_hours: int, today: date | None = None
) -> list[datetime]:
    """Every scheduled ingest run, in UTC: monthly at 03:00 on the 1st, and while a Google
    Forms wave is open every ``pull_hours`` hours from 03:00 of its first day to 03:00 the
    day after it closed (that run lands the last day's answers)."""
    first_fiscal_year = min(wave.fiscal_year for wave in catalog.waves.values())
    last_fiscal_year = max(
        max(wave.fiscal_year for wave in catalog.waves.values()),
        calendar.fiscal_year_of(today or date.today()),
    )
    month = calendar.first_ingest_run(first_fiscal_year)
    until = calendar.ingest_run_at(
        calendar.fiscal_year_end(last_fiscal_year + HORIZON_FISCAL_YEARS)
    )
    runs = set()
    while month <= until:
        runs.add(month)
        month = month + relativedelta(months=1)
    step = timedelta(hours=pull_hours)
    for wave in catalog.waves.values():
        if wave.source_system != "google_forms":
            continue  # panel files arrive in the inbox whatever the date
        run = datetime.combine(wave.open_date, datetime.min.time(), tzinfo=calendar.zone)
        last = datetime.combine(
            wave.close_date + timedelta(days=1), datetime.min.time(), tzinfo=calendar.zone
        ) + timedelta(hours=INGEST_HOUR)
        run += timedelta(hours=INGEST_HOUR)
        while run <= last:
            runs.add(run)
            run += step
    return sorted(run.astimezone(UTC) for run in runs)


def ingest_timetable(
    catalog: Catalog | None, calendar: Calendar | None
) -> EventsTimetable | CronTriggerTimetable:
    """Daily while a survey is open, monthly otherwise (see the module docstring).

    Without a readable catalog: monthly at 03:00 UTC on the 1st, over the month before.
    """
    if catalog is None or calendar is None or not catalog.waves:
        return CronTriggerTimetable(
            calendar.ingest_cron if calendar else f"0 {INGEST_HOUR} 1 * *",
            timezone=calendar.time_zone if calendar else "UTC",
            interval=relativedelta(months=1),
        )
    hours = _pull_hours_for_parse()
    every = "毎日" if hours == 24 else f"{hours}時間ごと"
    return EventsTimetable(
        [pendulum.instance(run) for run in ingest_run_times(catalog, calendar, pull_hours=hours)],
        presorted=True,
        description=f"回答受付中は{every}、ほかは毎月1日 {INGEST_HOUR}:00 ({calendar.time_zone})",
    )


def pull_interval(
    run_times: list[datetime],
    start: datetime,
    end: datetime,
    *,
    scheduled: bool,
    last_success_end: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The span whose open survey windows one run pulls.

    Scheduled runs of the event schedule have an empty data interval (start == end): they
    cover the time since the previous scheduled run, or since the last successful run when
    that is earlier (a run missed or failed meanwhile). Manual runs (``impact pull``,
    ``dags test``) cover the month before, as the monthly schedule always did. Intervals that
    are not empty are kept.
    """
    if start < end:
        return start, end
    if not scheduled:
        return manual_interval(end)
    position = bisect.bisect_left(run_times, end.astimezone(UTC))
    previous = run_times[position - 1] if position > 0 else end - relativedelta(months=1)
    if last_success_end is not None and last_success_end < previous:
        previous = last_success_end
    return previous, end


def ingest_start_date(catalog: Catalog | None, calendar: Calendar | None) -> datetime:
    """The run that lands the first month of the catalog's first fiscal year."""
    if catalog is None or calendar is None or not catalog.waves:
        return FALLBACK_START
    first_fiscal_year = min(wave.fiscal_year for wave in catalog.waves.values())
    return calendar.first_ingest_run(first_fiscal_year)


def warehouse_start_date(catalog: Catalog | None, calendar: Calendar | None) -> datetime:
    """The start of the catalog's first fiscal year (in UTC, as Airflow stores it)."""
    if catalog is None or calendar is None or not catalog.waves:
        return FALLBACK_START
    first = calendar.fiscal_year_start(min(wave.fiscal_year for wave in catalog.waves.values()))
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def warehouse_schedule(calendar: Calendar | None, landing: Asset) -> AssetOrTimeSchedule | list:
    """On new landing data, and yearly on the profile's release day (if it has one)."""
    cron = calendar.release_cron if calendar else None
    if calendar is None or cron is None:
        return [landing]
    return AssetOrTimeSchedule(
        assets=[landing], timetable=CronTriggerTimetable(cron, timezone=calendar.time_zone)
    )


def check_pull_hours() -> int:
    """``IMPACT_PULL_HOURS_WHILE_OPEN`` for check_configuration: a clear error when wrong."""
    from impact_warehouse.ops.preflight import ConfigurationError

    try:
        return pull_hours_while_open()
    except ValueError as error:
        allowed = "・".join(str(hours) for hours in ALLOWED_PULL_HOURS)
        raise ConfigurationError(
            f"環境変数 {PULL_HOURS_VARIABLE}(回答受付中に取り込む間隔・時間)は {allowed} の"
            "どれかにしてください(空欄 = 24、毎日)。",
            str(error),
            topic="pull_hours",
        ) from error


def ingest_span(
    catalog: Catalog,
    start: datetime,
    end: datetime,
    *,
    scheduled: bool,
    last_success_end: object = None,
) -> tuple[datetime, datetime]:
    """:func:`pull_interval` over the schedule the DAG was parsed with (same catalog).

    ``last_success_end`` may be Airflow's lazy context value: isinstance resolves it.
    """
    if not isinstance(last_success_end, datetime):
        last_success_end = None
    calendar = Calendar(catalog.organisation)
    run_times = ingest_run_times(catalog, calendar, pull_hours=pull_hours_while_open())
    return pull_interval(
        run_times, start, end, scheduled=scheduled, last_success_end=last_success_end
    )
