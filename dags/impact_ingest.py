"""Pull every open survey wave and the panel/operations files into the landing zone."""

from __future__ import annotations

import logging
from datetime import date, datetime

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.trigger import CronTriggerTimetable
from dateutil.relativedelta import relativedelta

from impact_warehouse import ingest
from impact_warehouse.airflow_support import (
    DEFAULT_ARGS,
    LANDING_ASSET_URI,
    forms_api_config,
    pseudonym_key,
)
from impact_warehouse.catalog import load_catalog
from impact_warehouse.ops.calendar import INGEST_CRON, TIMEZONE_NAME, TOKYO
from impact_warehouse.ops.ingest_runs import IngestParams, plan_interval
from impact_warehouse.ops.params import ingest_params
from impact_warehouse.settings import paths

log = logging.getLogger(__name__)

DOC = """
### impact_ingest
**Purpose**: land survey responses (Google Forms API), comparison-panel deliveries and the
operations workbooks, pseudonymised, append-only and idempotent; quarantine bad records with
a reason; write a run summary; emit the landing Asset for the warehouse build.

**Schedule**: 03:00 JST on the 1st of every month; the data interval is the month before.
Each run pulls the survey waves whose window overlaps its interval (a month with no open
window pulls no responses and says so in the `plan_waves` log). On demand from the trigger
form: `scope=all` pulls every wave that has opened (backfill), narrowed by `fiscal_year`,
`program`, `wave`. Re-running any interval lands nothing twice.

**Notes**: roster lands before responses so linkage is checked while landing. Secrets:
connection `impact_forms_api`, variable `impact_pseudonym_key` (see README).
"""


@dag(
    dag_id="impact_ingest",
    # CronTriggerTimetable with a one-month interval: a bare "@monthly" would give each run an
    # empty data interval (Airflow 3 default) and miss every window that does not span the 1st.
    schedule=CronTriggerTimetable(
        INGEST_CRON, timezone=TIMEZONE_NAME, interval=relativedelta(months=1)
    ),
    start_date=datetime(2022, 5, 1, tzinfo=TOKYO),  # first run: 1 May 2022, covering April
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["impact-warehouse", "ingest"],
    doc_md=DOC,
    params=ingest_params(load_catalog()),
)
def impact_ingest() -> None:
    @task
    def land_operations_workbooks() -> list[dict]:
        return ingest.land_operations(paths(), pseudonym_key())

    @task
    def land_panel_deliveries() -> list[dict]:
        return ingest.land_panels(paths(), pseudonym_key())

    @task
    def plan_waves() -> list[str]:
        context = get_current_context()
        start = context.get("data_interval_start") or context["logical_date"]
        end = context.get("data_interval_end") or start
        params = IngestParams.from_params(context["params"])
        return plan_interval(
            load_catalog(), start, end, as_of=params.as_of or date.today(), params=params
        )

    @task(max_active_tis_per_dagrun=4)
    def land_form_wave(wave_code: str) -> dict:
        return ingest.land_form_wave(paths(), wave_code, forms_api_config(), pseudonym_key())

    @task(trigger_rule="none_failed", outlets=[Asset(LANDING_ASSET_URI)])
    def summarise_run(operations: list, panels: list, waves: list | None, planned: list) -> dict:
        run_id = get_current_context()["run_id"]
        summary = ingest.finish_run(paths(), run_id, [*operations, *panels, *(waves or [])])
        if not planned:
            log.info("no survey window was open in this run's interval: no responses pulled")
        return {**summary, "planned_waves": planned}

    operations = land_operations_workbooks()
    planned = plan_waves()
    operations >> planned
    summarise_run(
        operations, land_panel_deliveries(), land_form_wave.expand(wave_code=planned), planned
    )


impact_ingest()
