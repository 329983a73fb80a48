"""The schedules: ingest daily while a survey is open and monthly otherwise (from the catalog),
the yearly release after every survey has closed, and trigger-form parameters drawn from the
catalog."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk.definitions.param import ParamsDict
from airflow.serialization.serialized_objects import DagSerialization
from airflow.timetables.base import DataInterval, TimeRestriction
from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import load_catalog
from impact_warehouse.ops.calendar import configured_calendar
from impact_warehouse.ops.preflight import ConfigurationError
from impact_warehouse.orchestration.params import fiscal_year_param, ingest_params
from impact_warehouse.orchestration.schedules import (
    check_pull_hours,
    ingest_run_times,
    ingest_timetable,
    pull_hours_while_open,
    pull_interval,
)
from impact_warehouse.pipeline.ingest import IngestParams, plan_interval
from impact_warehouse.settings import PROJECT_ROOT

CATALOG = load_catalog()
CALENDAR = configured_calendar()
FORM_WAVES = [w for w in CATALOG.waves.values() if w.source_system == "google_forms"]


@pytest.fixture(scope="module")
def dags() -> DagBag:
    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    return bag


def _scheduled_intervals(dag, count: int) -> list[DataInterval]:
    timetable = dag.timetable
    restriction = TimeRestriction(earliest=dag.start_date, latest=None, catchup=True)
    intervals, last = [], None
    for _ in range(count):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=restriction
        )
        intervals.append(info.data_interval)
        last = info.data_interval
    return intervals


def _open_days() -> set[date]:
    """Days with a daily run, built from the windows: open day through the day after close."""
    days = set()
    for wave in FORM_WAVES:
        day = wave.open_date
        while day <= wave.close_date + timedelta(days=1):
            days.add(day)
            day += timedelta(days=1)
    return days


def test_ingest_runs_daily_while_a_survey_is_open_and_monthly_otherwise(dags: DagBag) -> None:
    dag = dags.dags["impact_ingest"]
    runs = [interval.end for interval in _scheduled_intervals(dag, 400)]
    local = [run.astimezone(CALENDAR.zone) for run in runs]
    assert all((moment.hour, moment.minute) == (3, 0) for moment in local)
    days = [moment.date() for moment in local]
    first, last = days[0], days[-1]
    assert first == date(2022, 5, 1)  # the run that lands April 2022, the first FY's month
    expected, day = [], first
    open_days = _open_days()
    while day <= last:
        if day.day == 1 or day in open_days:
            expected.append(day)
        day += timedelta(days=1)
    assert days == expected
    # Both kinds are there: whole months with one run, and windows with a run every day.
    assert any(day not in open_days and day.day == 1 for day in days)
    assert sum(day in open_days for day in days) > 60


def test_a_new_wave_in_the_catalog_changes_the_schedule() -> None:
    before = ingest_run_times(CATALOG, CALENDAR, pull_hours=24, today=date(2026, 12, 1))
    wave = CATALOG.waves["mamabono_2025_post"]
    extra = replace(
        wave,
        wave_code="mamabono_2027_extra",
        fiscal_year=2027,
        open_date=date(2027, 7, 10),
        close_date=date(2027, 7, 20),
    )
    catalog = replace(CATALOG, waves={**CATALOG.waves, extra.wave_code: extra})
    after = ingest_run_times(catalog, CALENDAR, pull_hours=24, today=date(2026, 12, 1))
    added = sorted({run.astimezone(CALENDAR.zone).date() for run in set(after) - set(before)})
    daily = [day for day in added if day.day != 1]
    # Every day of the window and the morning after it closed; later fiscal years monthly.
    assert daily == [date(2027, 7, day) for day in range(10, 22)]
    assert max(added) > date(2029, 3, 1)  # the monthly runs reach past the new fiscal year


def test_the_pull_interval_while_open_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    wave = FORM_WAVES[0]
    runs = ingest_run_times(CATALOG, CALENDAR, pull_hours=6, today=date(2026, 12, 1))
    inside = wave.open_date + timedelta(days=1)
    hours = sorted(
        run.astimezone(CALENDAR.zone).hour
        for run in runs
        if run.astimezone(CALENDAR.zone).date() == inside
    )
    assert hours == [3, 9, 15, 21]
    monkeypatch.setenv("IMPACT_PULL_HOURS_WHILE_OPEN", "6")
    assert pull_hours_while_open() == 6
    monkeypatch.setenv("IMPACT_PULL_HOURS_WHILE_OPEN", "5")
    with pytest.raises(ValueError, match="must be one of 1, 2, 3, 4, 6, 8, 12, 24"):
        pull_hours_while_open()
    with pytest.raises(ConfigurationError, match="pull_hours") as raised:
        check_pull_hours()
    assert "IMPACT_PULL_HOURS_WHILE_OPEN" in raised.value.message_ja
    # The DAG file still parses (daily), and check_configuration fails with that message.
    assert "毎日" in ingest_timetable(CATALOG, CALENDAR).description


@pytest.mark.parametrize("wave", FORM_WAVES, ids=lambda w: w.wave_code)
def test_scheduled_runs_pull_an_open_wave_every_day_and_after_it_closes(wave) -> None:
    runs = ingest_run_times(CATALOG, CALENDAR, pull_hours=24, today=date(2026, 12, 1))
    window_start = datetime.combine(wave.open_date, datetime.min.time(), tzinfo=CALENDAR.zone)
    after_close = window_start.replace(
        year=wave.close_date.year, month=wave.close_date.month, day=wave.close_date.day
    ) + timedelta(days=1)
    pulled_by = []
    for run in runs:
        if not window_start <= run <= after_close + timedelta(days=3):
            continue
        start, end = pull_interval(runs, run, run, scheduled=True)
        if wave.wave_code in plan_interval(CATALOG, start, end, as_of=CALENDAR.local_date(end)):
            pulled_by.append(run.astimezone(CALENDAR.zone).date())
    day, window = wave.open_date, []
    while day <= wave.close_date + timedelta(days=1):
        window.append(day)
        day += timedelta(days=1)
    assert pulled_by[: len(window)] == window  # each day, and the morning after the close


def test_a_scheduled_run_covers_the_time_since_the_last_run_a_manual_run_the_month() -> None:
    runs = ingest_run_times(CATALOG, CALENDAR, pull_hours=24, today=date(2026, 12, 1))
    run = runs[100]
    assert pull_interval(runs, run, run, scheduled=True) == (runs[99], run)
    # A failed or missed run meanwhile: from the last success.
    earlier = runs[95]
    assert pull_interval(runs, run, run, scheduled=True, last_success_end=earlier) == (
        earlier,
        run,
    )
    start, end = pull_interval(runs, run, run, scheduled=False)
    assert (end, start) == (run, run.astimezone(UTC) - relativedelta(months=1))
    # An interval that is not empty (the monthly fallback timetable) is kept.
    assert pull_interval(runs, runs[99], run, scheduled=True) == (runs[99], run)


@pytest.mark.parametrize("wave", FORM_WAVES, ids=lambda w: w.wave_code)
def test_every_survey_window_is_pulled_until_after_it_closes(wave) -> None:
    runs = list(CALENDAR.monthly_intervals(date(2022, 5, 1), date(2028, 5, 1)))
    pulled_by = [
        end
        for start, end in runs
        if wave.wave_code in plan_interval(CATALOG, start, end, as_of=end.date())
    ]
    assert pulled_by, f"{wave.wave_code} is never pulled by a monthly run"
    # The last run that pulls it starts after the window's last day is over (JST).
    assert pulled_by[-1] > datetime.combine(
        wave.close_date + timedelta(days=1), datetime.min.time(), tzinfo=CALENDAR.zone
    )
    # ... and no month of the window is skipped.
    months = {(end - relativedelta(months=1)).strftime("%Y-%m") for end in pulled_by}
    day, window_months = wave.open_date, set()
    while day <= wave.close_date:
        window_months.add(day.strftime("%Y-%m"))
        day += timedelta(days=1)
    assert window_months <= months


def test_a_month_with_no_open_window_plans_no_survey(caplog: pytest.LogCaptureFixture) -> None:
    start, end = next(iter(CALENDAR.monthly_intervals(date(2025, 7, 1), date(2025, 7, 1))))
    with caplog.at_level("INFO", logger="impact_warehouse.pipeline.ingest"):
        assert plan_interval(CATALOG, start, end, as_of=end.date()) == []
    assert "no survey window is open between 2025-05-31 and 2025-07-01" in caplog.text


def test_yearly_release_runs_after_every_survey_of_the_year_closed(dags: DagBag) -> None:
    timetable = dags.dags["impact_warehouse"].timetable.timetable
    assert timetable._expression == CALENDAR.release_cron
    assert str(timetable._timezone.name) == CALENDAR.time_zone
    for fiscal_year in sorted({wave.fiscal_year for wave in CATALOG.waves.values()}):
        release = CALENDAR.release_run_at(fiscal_year)
        waves = [w for w in CATALOG.waves.values() if w.fiscal_year == fiscal_year]
        last_close = max(wave.close_date for wave in waves)
        assert CALENDAR.fiscal_year_end(fiscal_year) < release.date()
        # A monthly ingest run lands the last responses between the close and the release.
        ingest_runs = [
            end
            for _, end in CALENDAR.monthly_intervals(last_close + timedelta(days=1), release.date())
            if end < release
        ]
        assert ingest_runs, f"FY{fiscal_year}: no ingest run between {last_close} and {release}"
        assert CALENDAR.released_fiscal_year(release) == fiscal_year


def test_trigger_form_offers_the_catalogs_choices(dags: DagBag) -> None:
    params = dags.dags["impact_ingest"].params
    schema = {name: params.get_param(name).schema for name in params}
    assert schema["scope"]["enum"] == ["interval", "all"]
    assert schema["fiscal_year"]["enum"] == [None, 2022, 2023, 2024, 2025, 2026]
    assert set(schema["program"]["enum"]) == {None, "mamabono", "npo_mentoring"}
    assert "followup_2025" in schema["wave"]["enum"]
    assert "comparison_2025" not in schema["wave"]["enum"]  # a panel file, not a form
    assert all(schema[name].get("title") for name in schema)
    assert all(params.get_param(name).description for name in schema)
    assert schema["program"]["values_display"]["mamabono"] == "ママボノ"
    # The empty choice reads "(すべて)", not "null" (the form looks labels up by "null").
    for name in ("fiscal_year", "program", "wave"):
        assert schema[name]["values_display"]["null"] == "(すべて)"
        assert "None" not in schema[name]["values_display"]  # would label unlabelled values
    with pytest.raises(Exception, match=r"enum|not one of"):
        params.get_param("wave").resolve("mamabono_2031_post")
    warehouse = dags.dags["impact_warehouse"].params
    assert warehouse.get_param("fiscal_year").schema["enum"][-1] == 2026
    assert warehouse.get_param("fiscal_year").schema["values_display"]["null"] == "(指定なし)"
    assert warehouse.get_param("as_of").schema["format"] == "date"


@pytest.mark.parametrize("dag_id", ["impact_ingest", "impact_warehouse"])
def test_dags_serialize_for_the_scheduler(dags: DagBag, dag_id: str) -> None:
    serialized = DagSerialization.to_dict(dags.dags[dag_id])
    restored = DagSerialization.from_dict(serialized)
    assert restored.dag_id == dag_id


def test_a_named_wave_is_pulled_whatever_its_window(caplog: pytest.LogCaptureFixture) -> None:
    wave = CATALOG.waves["mamabono_2025_post"]
    # The June 2026 run: the wave closed months before, so the interval alone never plans it.
    start, end = next(iter(CALENDAR.monthly_intervals(date(2026, 7, 1), date(2026, 7, 1))))
    assert not wave.overlaps(*CALENDAR.interval_dates(start, end))
    assert "mamabono_2025_post" not in plan_interval(CATALOG, start, end, as_of=end.date())
    named = IngestParams(wave="mamabono_2025_post")
    assert plan_interval(CATALOG, start, end, as_of=end.date(), params=named) == [
        "mamabono_2025_post"
    ]
    # ... but never before its form exists, and the log says why nothing was planned.
    with caplog.at_level("INFO", logger="impact_warehouse.pipeline.ingest"):
        early = plan_interval(
            CATALOG, start, end, as_of=wave.open_date - timedelta(1), params=named
        )
    assert early == []
    assert "survey wave mamabono_2025_post is not pulled" in caplog.text


def test_trigger_forms_offer_free_fields_when_the_catalog_is_invalid() -> None:
    params = ParamsDict(ingest_params(None))
    assert set(params) == {"scope", "fiscal_year", "program", "wave", "as_of"}
    for name in ("fiscal_year", "program", "wave"):
        assert "enum" not in params.get_param(name).schema
        assert "カタログにエラー" in params.get_param(name).description
    assert params.get_param("wave").resolve("mamabono_2025_post") == "mamabono_2025_post"
    year = fiscal_year_param(None, "公開する年度")
    assert "enum" not in year.schema and year.resolve(2025) == 2025
