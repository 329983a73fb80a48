"""The calendar comes from the organisation profile: another organisation's fiscal year, time
zone and release day reach the fiscal years, the release run and the DAG schedules."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from airflow.dag_processing.dagbag import DagBag

from impact_warehouse.catalog import load_catalog
from impact_warehouse.ops.calendar import Calendar, configured_calendar
from impact_warehouse.settings import CATALOG_DIR_ENV, PROJECT_ROOT, catalog_dir

BERLIN = ZoneInfo("Europe/Berlin")


def _profile(tmp_path: Path, **columns: str) -> Path:
    """A copy of the configured catalog with ``organisation.csv`` columns replaced."""
    seeds = tmp_path / "catalog"
    shutil.copytree(catalog_dir(), seeds)
    path = seeds / "organisation.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return seeds


@pytest.fixture
def berlin(tmp_path: Path) -> Path:
    return _profile(
        tmp_path, fiscal_year_start_month="1", time_zone="Europe/Berlin", release_month_day="03-15"
    )


def _dags(seeds: Path, monkeypatch: pytest.MonkeyPatch) -> DagBag:
    monkeypatch.setenv(CATALOG_DIR_ENV, str(seeds))
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    return bag


def test_mamabono_keeps_april_tokyo_and_the_1_may_release() -> None:
    calendar = configured_calendar()
    assert calendar.fiscal_year_of(date(2026, 3, 31)) == 2025
    assert calendar.fiscal_year_end(2025) == date(2026, 3, 31)
    assert calendar.release_run_at(2025) == datetime(2026, 5, 1, 6, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert (calendar.ingest_cron, calendar.release_cron) == ("0 3 1 * *", "0 6 1 5 *")


def test_a_calendar_year_profile_in_berlin(berlin: Path) -> None:
    calendar = Calendar(load_catalog(berlin).organisation)
    assert calendar.fiscal_year_of(date(2025, 12, 31)) == 2025
    assert calendar.fiscal_year_of(date(2026, 1, 1)) == 2026
    assert (calendar.fiscal_year_start(2025), calendar.fiscal_year_end(2025)) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    release = calendar.release_run_at(2025)
    assert release == datetime(2026, 3, 15, 6, tzinfo=BERLIN)
    assert release.astimezone(UTC) == datetime(2026, 3, 15, 5, tzinfo=UTC)  # CET, not JST
    assert calendar.released_fiscal_year(release) == 2025
    assert calendar.release_cron == "0 6 15 3 *"
    # The 1 January ingest run lands December in Berlin's days.
    start, end = next(calendar.monthly_intervals(date(2026, 1, 1), date(2026, 1, 1)))
    assert end == datetime(2026, 1, 1, 3, tzinfo=BERLIN)
    assert calendar.interval_dates(start, end) == (date(2025, 12, 1), date(2026, 1, 1))


def test_the_dag_schedules_follow_the_profile(
    berlin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dags = _dags(berlin, monkeypatch)
    ingest = dags.dags["impact_ingest"]
    # Event times from the survey windows (orchestration/schedules.py): every one at 03:00 in
    # Berlin, and the monthly runs outside the windows on the 1st.
    runs = [event.astimezone(BERLIN) for event in ingest.timetable.event_dates]
    assert runs and {(run.hour, run.minute) for run in runs} == {(3, 0)}
    assert {run.day for run in runs if run.month == 6} == {1}  # no Berlin window in June
    first_year = min(wave.fiscal_year for wave in load_catalog(berlin).waves.values())
    # The first run lands the first month of the first fiscal year: January, in Berlin.
    assert ingest.start_date == datetime(first_year, 2, 1, 3, tzinfo=BERLIN)
    release = dags.dags["impact_warehouse"].timetable.timetable
    assert release._expression == "0 6 15 3 *"
    assert str(release._timezone.name) == "Europe/Berlin"


def test_without_a_release_day_the_warehouse_runs_on_new_data_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _profile(tmp_path, release_month_day="")
    assert Calendar(load_catalog(seeds).organisation).release_run_at(2025) is None
    warehouse = _dags(seeds, monkeypatch).dags["impact_warehouse"]
    # Airflow's class lives in the SDK or the core depending on the DAG's path: name it.
    assert type(warehouse.timetable).__name__ == "AssetTriggeredTimetable"


def test_the_dags_load_when_the_profile_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _profile(tmp_path, time_zone="Mars/Olympus")
    dags = _dags(seeds, monkeypatch)
    assert str(dags.dags["impact_ingest"].timetable._timezone.name) == "UTC"
