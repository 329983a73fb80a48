"""The ingest DAG (``impact_ingest``, or ``impact_ingest__<code>`` per organisation): pull
every open survey wave and the panel/operations files into the landing zone.

Built by :func:`build_ingest_dag` for one :class:`DagScope`; ``dags/survey_ingest_dag.py``
only wires. Every task body runs in the scope (the organisation's folders, catalog and
secrets); the schedule and trigger form come from the scope's catalog.
"""

from __future__ import annotations

import logging
from datetime import date

from airflow.sdk import DAG, Asset, dag, get_current_context, setup, task

from impact_warehouse.ops import preflight
from impact_warehouse.orchestration.airflow_support import (
    DEFAULT_ARGS,
    forms_api_config,
    pseudonym_key,
    task_failures_explained,
)
from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.orchestration.params import catalog_for_params, ingest_params
from impact_warehouse.orchestration.schedules import (
    check_pull_hours,
    dag_calendar,
    ingest_span,
    ingest_start_date,
    ingest_timetable,
)
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

log = logging.getLogger(__name__)

BASE_DAG_ID = "impact_ingest"

DOC = """
### impact_ingest
**Purpose**: land survey responses (Google Forms API), comparison-panel deliveries and the
operations workbooks, pseudonymised, append-only and idempotent; quarantine bad records with
a reason; write a run summary; emit the landing Asset for the warehouse build.

**Schedule** (derived from the catalog, organisation time zone): while any Google Forms
survey is open, every day at 03:00 (`IMPACT_PULL_HOURS_WHILE_OPEN`: every 1–24 hours), up to
03:00 the day after it closes; otherwise 03:00 on the 1st of every month. A scheduled run
pulls the survey waves whose window overlaps the time since the previous scheduled run (or
the last successful one, if earlier); a manual run, the month before. A run with no open
window pulls no responses and says so in the `plan_waves` log. On demand from the trigger
form: `scope=all` pulls every wave that has opened (backfill), narrowed by `fiscal_year`,
`program`; `wave` pulls that one wave whatever its window. Re-running any interval lands
nothing twice. Mapped `land_form_wave` tasks are named by their wave code.

**Failures**: `check_configuration` stops the run at once (no retries) when the catalog is
invalid or the pseudonymisation key is missing or unusable; `plan_waves` does the same for a
missing Forms credential. A source that fails (workbooks, panel files, one survey wave) does
not stop the others: `summarise_run` still writes the run summary, listing the failed sources
with their cause, and emits the landing Asset for what did land; `check_every_source_landed`
then fails the run so staff are alerted.

**Notes**: roster lands before responses so linkage is checked while landing. Secrets:
connection `impact_forms_api`, variable `impact_pseudonym_key` (see README).
"""


# One failure alert per run (issue 12): a source task that fails records its cause and does
# not alert; check_every_source_landed, which always runs last, fails and sends one alert
# naming every failed source with its cause. (check_configuration alerts itself: nothing
# after a failed setup task runs.)
ONE_ALERT_PER_RUN: list = []


def build_ingest_dag(scope: DagScope) -> DAG:
    """The ingest DAG of ``scope``; registered in the DAG file that calls this."""
    # Read once per parse, in the scope (its catalog); never an import error (see
    # orchestration.params and orchestration.schedules).
    with scope.active():
        catalog = catalog_for_params()
        calendar = dag_calendar(catalog)
        timetable = ingest_timetable(catalog, calendar)
        start_date = ingest_start_date(catalog, calendar)
        params = ingest_params(catalog)
    landing = Asset(scope.asset_uri("landing"))

    @dag(
        dag_id=scope.dag_id(BASE_DAG_ID),
        schedule=timetable,
        start_date=start_date,  # the run covering the first FY's month
        catchup=False,
        max_active_runs=1,
        default_args={
            **DEFAULT_ARGS,
            "on_failure_callback": scope.callback(DEFAULT_ARGS["on_failure_callback"]),
        },
        tags=scope.tags("ingest"),
        doc_md=scope.doc(DOC),
        # An invalid catalog must not make the DAG file an import error (the monthly run would
        # stop with no alert): the form then offers free fields and check_configuration fails.
        params=params,
    )
    def impact_ingest() -> None:
        # A setup task: every task after it runs only if it succeeded, whatever its trigger rule.
        @setup
        @task
        def check_configuration() -> dict:
            with scope.active(), task_failures_explained():
                catalog = preflight.check_catalog()
                preflight.check_pseudonym_key(paths(), pseudonym_key())
                check_pull_hours()
            return {"waves": len(catalog.waves)}

        @task(on_failure_callback=ONE_ALERT_PER_RUN)
        def land_operations_workbooks() -> list[dict]:
            with scope.active(), task_failures_explained():
                return ingest.land_operations(paths(), pseudonym_key())

        @task(on_failure_callback=ONE_ALERT_PER_RUN)
        def land_panel_deliveries() -> list[dict]:
            with scope.active(), task_failures_explained():
                return ingest.land_panels(paths(), pseudonym_key())

        # After the workbooks (roster first), whether they landed or not: a bad workbook must not
        # keep every survey wave from being pulled.
        @task(trigger_rule="all_done", on_failure_callback=ONE_ALERT_PER_RUN)
        def plan_waves() -> list[str]:
            with scope.active(), task_failures_explained():
                context = get_current_context()
                catalog = preflight.check_catalog()
                start = context.get("data_interval_start") or context["logical_date"]
                end = context.get("data_interval_end") or start
                start, end = ingest_span(
                    catalog,
                    start,
                    end,
                    scheduled=context["dag_run"].run_type == "scheduled",
                    last_success_end=context.get("prev_data_interval_end_success"),
                )
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

        # Named by its wave in the grid and logs, not "[0]" (rendered before the task runs too).
        @task(
            max_active_tis_per_dagrun=4,
            map_index_template="{{ task.op_kwargs['wave_code'] }}",
            on_failure_callback=ONE_ALERT_PER_RUN,
        )
        def land_form_wave(wave_code: str) -> dict:
            with scope.active(), task_failures_explained():
                params = IngestParams.from_params(get_current_context()["params"])
                return ingest.land_form_wave(
                    paths(), wave_code, forms_api_config(), pseudonym_key(), as_of=params.as_of
                )

        @task(
            trigger_rule="all_done",
            outlets=[landing],
            on_failure_callback=ONE_ALERT_PER_RUN,
        )
        def summarise_run() -> dict:
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
                    log.info(
                        "no survey window was open in this run's interval: no responses pulled"
                    )
                return summary

        # The run's last word: it fails when a source did not land, after the summary and the
        # landing Asset were written, so the run ends failed and staff are alerted.
        @task(trigger_rule="all_done")
        def check_every_source_landed() -> None:
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

        checked = check_configuration()
        operations = land_operations_workbooks()
        panels = land_panel_deliveries()
        planned = plan_waves()
        waves = land_form_wave.expand(wave_code=planned)
        summary = summarise_run()
        checked >> [operations, panels]
        operations >> planned
        [operations, panels, planned, waves] >> summary
        summary >> check_every_source_landed()

    return impact_ingest()
