"""The warehouse DAG (``impact_warehouse``, or ``impact_warehouse__<code>`` per
organisation): build the warehouse from landing, validate it, publish a release, alert staff.

Built by :func:`build_warehouse_dag` for one :class:`DagScope`;
``dags/warehouse_release_dag.py`` only wires. Every task body (orchestration.warehouse_tasks)
runs in the scope; the schedule (its own landing Asset, its release day) and trigger form
come from the scope's catalog, and its DuckDB tasks share the scope's writer pool.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import DAG, Asset, Param, dag, setup, task

from impact_warehouse.orchestration import warehouse_tasks as tasks
from impact_warehouse.orchestration.airflow_support import DEFAULT_ARGS
from impact_warehouse.orchestration.approval import ReleaseApprovalOperator
from impact_warehouse.orchestration.deadline import release_deadline_alert
from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.orchestration.params import catalog_for_params, fiscal_year_param
from impact_warehouse.orchestration.schedules import (
    dag_calendar,
    warehouse_schedule,
    warehouse_start_date,
)

BASE_DAG_ID = "impact_warehouse"

log = logging.getLogger(__name__)

DOC = """
### impact_warehouse
**Purpose**: dbt build of the audit warehouse from the landing zone → Great Expectations
gate (staff alerted of its failures and warnings) → optional approval of the release by a
person → atomic publish of a release (only if the gate passes and, when required, it was
approved) → staff alert for the new release; emits the published Asset → the impact reports
(HTML, CSV, XLSX) of the release's fiscal year and the previous one (skipped when nothing
was published).

**Approval**: with `release_approval` = yes in `organisation.csv`, `approve_release` waits
in **Required Actions** (Browse → Required Actions, or the task's page) with the gate summary
and the path of a draft report of this build (`<work>/drafts/<run>/reports/…`, not
published). **Approve** publishes; **Reject**, or no answer within
`IMPACT_APPROVAL_TIMEOUT_DAYS` (7) days, publishes nothing and tells staff. With
`release_approval` = no (the default) the task succeeds at once.

**Schedule**: whenever `impact_ingest` lands new data (landing Asset), and yearly at 06:00 on
the release day of `organisation.csv` (its time zone; Mamabono: 1 May, Asia/Tokyo) for the
fiscal-year release after the year's surveys have closed. On demand
with `fiscal_year` (default: the fiscal year of the latest closed wave) and `as_of` (the
date the gate judges survey windows by; default today).

**Failures**: `check_catalog` stops the run at once (no retries) with the catalog's
message when a seed file is invalid, and staff are alerted; the DAG itself always loads.

**Notes**: DuckDB has a single writer, so the build and publish run in the 1-slot pool
`duckdb_writer`; an organisation's DAG is its files' only writer (one chain of tasks, one run
at a time), so it needs no pool of its own and a new organisation's DAGs run on an Airflow
that is already up. A failed gate leaves the current release published and untouched.
"""


def _release_deadline(scope: DagScope) -> Any:
    """The release deadline alert of ``scope`` (orchestration.deadline), or None."""
    try:
        return release_deadline_alert(scope.code)
    except ValueError as error:
        if scope.code is None:
            raise  # one organisation: the import error says why, as before
        # One organisation's bad IMPACT_RELEASE_DEADLINE_DAYS__<CODE> must not take every
        # organisation's DAG out of this file.
        log.error("organisation %s: %s; its DAG has no release deadline", scope.code, error)
        return None


def _dag_kwargs(scope: DagScope, landing: Asset) -> dict[str, Any]:
    """The ``@dag`` arguments of ``scope``'s warehouse DAG."""
    # Read once per parse, in the scope (its catalog and settings); never an import error
    # (see orchestration.params and orchestration.schedules).
    with scope.active():
        catalog = catalog_for_params()
        calendar = dag_calendar(catalog)
        schedule = warehouse_schedule(calendar, landing)
        start_date = warehouse_start_date(catalog, calendar)
        deadline = _release_deadline(scope)
        fiscal_year = fiscal_year_param(
            catalog, "公開する年度(空欄 = 回答期間が終わった最新のアンケートの年度)"
        )
    return {
        "dag_id": scope.dag_id(BASE_DAG_ID),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": {
            **DEFAULT_ARGS,
            "on_failure_callback": scope.callback(DEFAULT_ARGS["on_failure_callback"]),
        },
        "tags": scope.tags("warehouse", "publish"),
        "doc_md": scope.doc(DOC),
        "schedule": schedule,
        "start_date": start_date,
        # Staff hear when a run has not succeeded IMPACT_RELEASE_DEADLINE_DAYS (30) days after
        # its logical date (the yearly run on 1 May: by 31 May) and that fiscal year has no
        # release yet.
        "deadline": deadline,
        "params": {
            # Never an import error: with an invalid catalog the form offers a free field.
            "fiscal_year": fiscal_year,
            "as_of": Param(
                None,
                type=["null", "string"],
                format="date",
                title="判定日 (as of)",
                description="回答期間の判定に使う日付 YYYY-MM-DD(空欄 = 今日)",
            ),
        },
    }


def build_warehouse_dag(scope: DagScope) -> DAG:
    """The warehouse DAG of ``scope``; registered in the DAG file that calls this."""
    landing = Asset(scope.asset_uri("landing"))
    published = Asset(scope.asset_uri("published"))
    pool = scope.writer_pool

    @dag(**_dag_kwargs(scope, landing))
    def impact_warehouse() -> None:
        # A setup task: nothing after it runs unless the catalog is valid. In the DuckDB pool
        # only so that every task of this DAG is (it touches no DuckDB file).
        @setup
        @task(pool=pool)
        def check_catalog() -> dict:
            return tasks.check_catalog(scope)

        @task(pool=pool)
        def build_audit_warehouse() -> dict:
            return tasks.build_audit_warehouse(scope)

        @task(pool=pool)
        def gate_audit_warehouse(build: dict) -> dict:
            return tasks.gate_audit_warehouse(scope, build)

        @task(pool=pool, outlets=[published])
        def publish_and_alert(gate: dict, decision: dict) -> dict:
            return tasks.publish_and_alert(scope, gate, decision)

        # Only reads the immutable release file; in the DuckDB pool all the same, so one DuckDB
        # task runs at a time (the integrity test holds every task of this DAG to that).
        @task(pool=pool)
        def render_reports(outcome: dict) -> list[dict]:
            return tasks.render_reports(scope, outcome)

        build = build_audit_warehouse()
        check_catalog() >> build
        gate = gate_audit_warehouse(build)
        # Asks only when organisation.csv says so (orchestration.approval); skipped when the
        # gate failed. In the pool like every task here; a task waiting for a person holds no
        # pool slot.
        decision = ReleaseApprovalOperator(
            task_id="approve_release", gate=gate, scope=scope, pool=pool
        ).output
        render_reports(publish_and_alert(gate, decision))

    return impact_warehouse()
