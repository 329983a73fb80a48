"""The task bodies of the ingest DAG (orchestration.ingest_dag), one function per task.

Each runs in its :class:`DagScope` (the organisation's folders, catalog and secrets) and
returns the task's XCom value; the DAG builder only declares the tasks and wires them, so a
task's work reads top to bottom here without the DAG around it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from airflow.sdk import get_current_context

from impact_warehouse.ops import preflight
from impact_warehouse.orchestration.airflow_support import (
    forms_api_config,
    pseudonym_key,
    task_failures_explained,
)
from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.orchestration.schedules import check_pull_hours, ingest_span
from impact_warehouse.orchestration.task_errors import run_errors
from impact_warehouse.pipeline import ingest
from impact_warehouse.pipeline.ingest import (
    IngestParams,
    SourceOutcomes,
    describe_failures_ja,
    plan_interval,
    summarise_sources,
)
from impact_warehouse.settings import paths

# Named as before the task bodies moved here: log filters and readers of task logs see the
# same logger.
log = logging.getLogger("impact_warehouse.orchestration.ingest_dag")


def check_configuration(scope: DagScope) -> dict:
    with scope.active(), task_failures_explained():
        catalog = preflight.check_catalog()
        preflight.check_pseudonym_key(paths(), pseudonym_key())
        check_pull_hours()
        preflight.check_process_settings()
    return {"waves": len(catalog.waves)}


def land_operations_workbooks(scope: DagScope) -> list[dict]:
    with scope.active(), task_failures_explained():
        return ingest.land_operations(paths(), pseudonym_key())


def land_panel_deliveries(scope: DagScope) -> list[dict]:
    with scope.active(), task_failures_explained():
        return ingest.land_panels(paths(), pseudonym_key())


def _run_span(catalog: Any, context: Any) -> tuple[datetime, datetime]:
    """The span of survey windows this run pulls (schedules.ingest_span)."""
    start = context.get("data_interval_start") or context["logical_date"]
    end = context.get("data_interval_end") or start
    return ingest_span(
        catalog,
        start,
        end,
        scheduled=context["dag_run"].run_type == "scheduled",
        last_success_end=context.get("prev_data_interval_end_success"),
    )


def plan_waves(scope: DagScope) -> list[str]:
    with scope.active(), task_failures_explained():
        context = get_current_context()
        catalog = preflight.check_catalog()
        start, end = _run_span(catalog, context)
        params = IngestParams.from_params(context["params"])
        planned = plan_interval(
            catalog,
            start,
            end,
            as_of=params.as_of or date.today(),
            params=params,
        )
        if planned:
            preflight.check_forms_api(forms_api_config)  # once here, not once per wave
        return planned


def land_form_wave(scope: DagScope, wave_code: str) -> dict:
    with scope.active(), task_failures_explained():
        params = IngestParams.from_params(get_current_context()["params"])
        return ingest.land_form_wave(
            paths(), wave_code, forms_api_config(), pseudonym_key(), as_of=params.as_of
        )


def summarise_run(scope: DagScope) -> dict:
    with scope.active(), task_failures_explained():
        context = get_current_context()
        ti = context["ti"]
        planned = ti.xcom_pull(task_ids="plan_waves")
        waves = (
            ti.xcom_pull(task_ids="land_form_wave", map_indexes=list(range(len(planned))))
            if planned
            else []
        )
        outcomes = SourceOutcomes(
            operations=ti.xcom_pull(task_ids="land_operations_workbooks"),
            panels=ti.xcom_pull(task_ids="land_panel_deliveries"),
            planned_waves=planned,
            waves=list(waves),
        )
        # Only this run's failures: a re-run of the same run id starts a new record.
        started = context["dag_run"].start_date
        errors = run_errors(paths(), ti.dag_id, context["run_id"], since=started)
        summary = summarise_sources(paths(), context["run_id"], outcomes, errors)
        if planned == []:
            log.info("no survey window was open in this run's interval: no responses pulled")
        return summary


def check_every_source_landed(scope: DagScope) -> None:
    with scope.active(), task_failures_explained():
        summary = get_current_context()["ti"].xcom_pull(task_ids="summarise_run")
        if summary is None:
            raise preflight.ExplainedError(
                "取り込みの結果(run summary)を書けませんでした。summarise_run のログを"
                "確認してください。",
                "summarise_run did not succeed: no run summary was written",
                topic="run_summary",
            )
        failures = summary.get("failed_sources") or []
        if failures:
            raise preflight.ExplainedError(
                f"取り込めなかったデータ元が{len(failures)}件あります"
                f"(ほかは取り込み済みです)。\n{describe_failures_ja(failures)}",
                f"{len(failures)} source(s) failed; run summary: {summary['summary_path']}",
                topic="failed_sources",
            )
