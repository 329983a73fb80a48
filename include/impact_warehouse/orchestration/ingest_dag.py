"""The ingest DAG (``impact_ingest``, or ``impact_ingest__<code>`` per organisation): pull
every open survey wave and the panel/operations files into the landing zone.

Built by :func:`build_ingest_dag` for one :class:`DagScope`; ``dags/survey_ingest_dag.py``
only wires. Every task body (orchestration.ingest_tasks) runs in the scope (the
organisation's folders, catalog and secrets); the schedule and trigger form come from the
scope's catalog.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import DAG, Asset, dag, setup, task

from impact_warehouse.orchestration import ingest_tasks as tasks
from impact_warehouse.orchestration.airflow_support import DEFAULT_ARGS
from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.orchestration.params import catalog_for_params, ingest_params
from impact_warehouse.orchestration.schedules import (
    dag_calendar,
    ingest_start_date,
    ingest_timetable,
)

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


def _dag_kwargs(scope: DagScope) -> dict[str, Any]:
    """The ``@dag`` arguments of ``scope``'s ingest DAG."""
    # Read once per parse, in the scope (its catalog); never an import error (see
    # orchestration.params and orchestration.schedules).
    with scope.active():
        catalog = catalog_for_params()
        calendar = dag_calendar(catalog)
        return {
            "dag_id": scope.dag_id(BASE_DAG_ID),
            "catchup": False,
            "max_active_runs": 1,
            "default_args": {
                **DEFAULT_ARGS,
                "on_failure_callback": scope.callback(DEFAULT_ARGS["on_failure_callback"]),
            },
            "tags": scope.tags("ingest"),
            "doc_md": scope.doc(DOC),
            "schedule": ingest_timetable(catalog, calendar),
            "start_date": ingest_start_date(catalog, calendar),  # the first FY's month's run
            # An invalid catalog must not make the DAG file an import error (the monthly run
            # would stop with no alert): the form then offers free fields and
            # check_configuration fails.
            "params": ingest_params(catalog),
        }


def build_ingest_dag(scope: DagScope) -> DAG:
    """The ingest DAG of ``scope``; registered in the DAG file that calls this."""
    landing = Asset(scope.asset_uri("landing"))

    @dag(**_dag_kwargs(scope))
    def impact_ingest() -> None:
        # A setup task: every task after it runs only if it succeeded, whatever its trigger rule.
        @setup
        @task
        def check_configuration() -> dict:
            return tasks.check_configuration(scope)

        @task(on_failure_callback=ONE_ALERT_PER_RUN)
        def land_operations_workbooks() -> list[dict]:
            return tasks.land_operations_workbooks(scope)

        @task(on_failure_callback=ONE_ALERT_PER_RUN)
        def land_panel_deliveries() -> list[dict]:
            return tasks.land_panel_deliveries(scope)

        # After the workbooks (roster first), whether they landed or not: a bad workbook must not
        # keep every survey wave from being pulled.
        @task(trigger_rule="all_done", on_failure_callback=ONE_ALERT_PER_RUN)
        def plan_waves() -> list[str]:
            return tasks.plan_waves(scope)

        # Named by its wave in the grid and logs, not "[0]" (rendered before the task runs too).
        @task(
            max_active_tis_per_dagrun=4,
            map_index_template="{{ task.op_kwargs['wave_code'] }}",
            on_failure_callback=ONE_ALERT_PER_RUN,
        )
        def land_form_wave(wave_code: str) -> dict:
            return tasks.land_form_wave(scope, wave_code)

        @task(trigger_rule="all_done", outlets=[landing], on_failure_callback=ONE_ALERT_PER_RUN)
        def summarise_run() -> dict:
            return tasks.summarise_run(scope)

        # The run's last word: it fails when a source did not land, after the summary and the
        # landing Asset were written, so the run ends failed and staff are alerted.
        @task(trigger_rule="all_done")
        def check_every_source_landed() -> None:
            tasks.check_every_source_landed(scope)

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
