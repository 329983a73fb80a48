"""The DAGs' schedules, derived at parse time from the organisation profile's calendar.

Built while Airflow parses the DAG files, so they never fail: without a readable profile the
ingest runs monthly in UTC and the warehouse only on new landing data (no yearly release),
the DAGs still load, and their first task fails with the catalog's message and alerts staff.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from airflow.sdk import Asset, AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable
from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import Catalog, load_organisation
from impact_warehouse.ops.calendar import INGEST_HOUR, Calendar

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


def ingest_timetable(calendar: Calendar | None) -> CronTriggerTimetable:
    """Monthly at 03:00 on the 1st, over the month before.

    A one-month interval: a bare "@monthly" would give each run an empty data interval
    (Airflow 3 default) and miss every survey window that does not span the 1st.
    """
    return CronTriggerTimetable(
        calendar.ingest_cron if calendar else f"0 {INGEST_HOUR} 1 * *",
        timezone=calendar.time_zone if calendar else "UTC",
        interval=relativedelta(months=1),
    )


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
