"""Backfill from an empty landing gives the same release as the monthly runs did, and
re-running any past interval lands nothing new.

The monthly runs are replayed through the functions the DAG's tasks call (``plan_interval``
then the ``ingest`` landing functions), one per data interval from April 2022 to October 2026,
each seeing the sources as they were at its run time: the demo generator writes the sources as
of the run date and the Forms API server hides responses submitted after the run.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from cli_support import AS_OF, TOKEN, Backfilled, impact_env
from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.ops.calendar import configured_calendar
from impact_warehouse.pipeline import ingest
from impact_warehouse.pipeline.ingest import plan_interval
from impact_warehouse.pipeline.ingest_in_process import run_ingest
from impact_warehouse.pipeline.release_in_process import build_gate_publish
from impact_warehouse.publish import PUBLISHED_SCHEMAS, current_release
from impact_warehouse.settings import Settings, paths
from impact_warehouse.sources.google_forms import FormsApiConfig

FIRST_RUN = AS_OF.replace(year=2022, month=5, day=1)  # covers April 2022, the first FY month
# Columns that say when or by which run something was landed or published, not what it is.
RUN_COLUMNS = {"landed_at", "release_id", "run_id", "created_at", "git_commit", "gate_result"}
# A panel delivery has no submission time: the warehouse uses the time it landed (see
# int_responses__latest), so for panel rows submitted_at is a landing time too.
RUN_EXPRESSIONS = {
    ("fct_responses", "submitted_at"): (
        "case when source_system = 'panel_file' then null else submitted_at end"
    )
}


def _replay_monthly_runs(root: Path, caplog: pytest.LogCaptureFixture) -> tuple[Settings, dict]:
    sources = root / "sources"
    settings = Settings.for_work_dir(root / "work", sources / "inbox")
    catalog = load_catalog()
    runs: dict[str, dict] = {}
    generate_demo_sources(sources, seed=2025, as_of=FIRST_RUN)
    with FormsApiServer(sources / "google_forms", token=TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=TOKEN, backoff_base_seconds=0.01)
        for start, end in configured_calendar().monthly_intervals(FIRST_RUN, AS_OF):
            run_date = end.date()
            generate_demo_sources(sources, seed=2025, as_of=run_date)
            server.visible_until = end.astimezone(UTC).isoformat().replace("+00:00", "Z")
            caplog.clear()
            waves = plan_interval(catalog, start, end, as_of=run_date)
            summary = run_ingest(settings, waves, config, run_id=f"scheduled__{end.isoformat()}")
            runs[_month(end)] = {**summary, "log": caplog.text}
        # Afterwards every past interval is re-run once more, seeing everything there is: the
        # survey waves of each interval (the interval-specific part), and one whole run.
        server.visible_until = None
        reruns = {}
        for start, end in configured_calendar().monthly_intervals(FIRST_RUN, AS_OF):
            waves = plan_interval(catalog, start, end, as_of=AS_OF)
            units = [ingest.land_form_wave(settings, wave, config) for wave in waves]
            reruns[_month(end)] = {"landed": sum(unit["landed"] for unit in units), "units": units}
        start, end = next(
            configured_calendar().monthly_intervals(date(2026, 2, 1), date(2026, 2, 1))
        )
        reruns["2026-01 (whole run)"] = run_ingest(
            settings, plan_interval(catalog, start, end, as_of=AS_OF), config, run_id="rerun"
        )
    return settings, {"runs": runs, "reruns": reruns}


def _month(run_at: datetime) -> str:
    """The month a run covers: the one before its run date (JST)."""
    return (run_at - relativedelta(months=1)).strftime("%Y-%m")


def _table_rows(database: Path) -> dict[str, list[tuple]]:
    """Every published table's rows, sorted, without the run/publish bookkeeping columns."""
    tables: dict[str, list[tuple]] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        names = connection.sql(
            "select table_schema, table_name from information_schema.tables order by 1, 2"
        ).fetchall()
        for schema, table in names:
            if schema == "meta":
                continue  # the release history itself: ids and times by definition
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in RUN_COLUMNS
            ]
            select = ", ".join(
                RUN_EXPRESSIONS.get((table, column), f'"{column}"') for column in columns
            )
            rows = connection.sql(f'select {select} from "{schema}"."{table}"').fetchall()
            tables[f"{schema}.{table}"] = sorted(rows, key=repr)
    return tables


@pytest.mark.slow
def test_backfill_gives_the_same_release_as_the_monthly_runs(
    backfilled: Backfilled, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="impact_warehouse.pipeline.ingest")
    settings, replay = _replay_monthly_runs(tmp_path, caplog)
    runs, reruns = replay["runs"], replay["reruns"]
    assert len(runs) == 55  # April 2022 … October 2026

    # Each survey wave was pulled by the runs whose interval its window overlaps.
    assert runs["2025-12"]["planned_waves"] == ["mamabono_2025_post"]
    assert "npo_mentoring_2024_pre" in runs["2024-10"]["planned_waves"]  # 15–31 Oct only
    # A month with no open survey window lands no responses and says so.
    june = runs["2025-06"]
    assert june["planned_waves"] == []
    assert not [unit for unit in june["units"] if unit["source"] == "google_forms"]
    assert "no survey window is open between 2025-05-31 and 2025-07-01" in june["log"]

    # Re-running any past interval lands nothing new.
    assert {month: run["landed"] for month, run in reruns.items() if run["landed"]} == {}
    for month, run in reruns.items():  # ... though each re-run saw its waves' responses again
        for unit in run["units"]:
            assert unit["received"] == 0 or unit["already_landed"] > 0, (month, unit)
    assert sum(len(run["units"]) for run in reruns.values()) > 40

    with impact_env(settings.work, settings.inbox):
        result = build_gate_publish(
            settings, fiscal_year=2026, as_of=AS_OF, run_id="monthly-replay"
        )
        assert result["gate_passed"], result
        monthly_release = current_release(paths().releases)
    with backfilled.env():
        backfill_release = current_release(paths().releases)
    assert monthly_release is not None and backfill_release is not None

    monthly = _table_rows(monthly_release.warehouse_path)
    backfill = _table_rows(backfill_release.warehouse_path)
    assert {name.split(".")[0] for name in backfill} == set(PUBLISHED_SCHEMAS)
    assert sorted(monthly) == sorted(backfill)
    different = [name for name in backfill if monthly[name] != backfill[name]]
    assert different == []
    assert sum(len(rows) for rows in backfill.values()) > 10_000
