"""Pull every open survey wave and the panel/operations files into the landing zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from airflow.sdk import Asset, Param, dag, get_current_context, task

from impact_warehouse import ingest
from impact_warehouse.airflow_support import (
    DEFAULT_ARGS,
    LANDING_ASSET_URI,
    forms_api_config,
    pseudonym_key,
)
from impact_warehouse.catalog import load_catalog
from impact_warehouse.settings import paths

DOC = """
### impact_ingest
**Purpose**: land survey responses (Google Forms API), comparison-panel deliveries and the
operations workbooks, pseudonymised, append-only and idempotent; quarantine bad records with
a reason; write a run summary; emit the landing Asset for the warehouse build.

**Schedule**: monthly (each run pulls the waves whose survey window overlaps its interval)
and on demand. Trigger with `scope=all` to backfill every wave, or narrow with
`fiscal_year`, `program`, `wave`.

**Notes**: roster lands before responses so linkage is checked while landing. Secrets:
connection `impact_forms_api`, variable `impact_pseudonym_key` (see README).
"""


@dag(
    dag_id="impact_ingest",
    schedule="@monthly",
    start_date=datetime(2022, 4, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["impact-warehouse", "ingest"],
    doc_md=DOC,
    params={
        "scope": Param("interval", enum=["interval", "all"], description="all = backfill"),
        "fiscal_year": Param(None, type=["null", "integer"]),
        "program": Param(None, type=["null", "string"]),
        "wave": Param(None, type=["null", "string"]),
    },
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
        params = context["params"]
        start = context.get("data_interval_start") or context["logical_date"]
        end = context.get("data_interval_end") or start
        return ingest.plan_form_waves(
            load_catalog(),
            start.date(),
            end.date(),
            as_of=date.today(),
            all_waves=params["scope"] == "all",
            fiscal_year=params["fiscal_year"],
            program=params["program"],
            wave=params["wave"],
        )

    @task(max_active_tis_per_dagrun=4)
    def land_form_wave(wave_code: str) -> dict:
        return ingest.land_form_wave(paths(), wave_code, forms_api_config(), pseudonym_key())

    @task(trigger_rule="none_failed", outlets=[Asset(LANDING_ASSET_URI)])
    def summarise_run(operations: list, panels: list, waves: list | None) -> dict:
        run_id = get_current_context()["run_id"]
        return ingest.finish_run(paths(), run_id, [*operations, *panels, *(waves or [])])

    operations = land_operations_workbooks()
    planned = plan_waves()
    operations >> planned
    summarise_run(operations, land_panel_deliveries(), land_form_wave.expand(wave_code=planned))


impact_ingest()
