"""The task bodies of the warehouse DAG (orchestration.warehouse_dag), one function per task.

Each runs in its :class:`DagScope` and returns the task's XCom value; the DAG builder only
declares the tasks and wires them. The heavy modules are imported inside the functions, not
at the top: this module is imported on every DAG parse, and dbt and GX would cost ~1 s there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from airflow.sdk import get_current_context

from impact_warehouse.orchestration.airflow_support import task_failures_explained
from impact_warehouse.orchestration.organisation_dags import DagScope
from impact_warehouse.settings import paths


def check_catalog(scope: DagScope) -> dict:
    from impact_warehouse.ops import preflight

    with scope.active(), task_failures_explained():
        catalog = preflight.check_catalog()
        preflight.check_process_settings(renders_reports=True)
    return {"waves": len(catalog.waves)}


def build_audit_warehouse(scope: DagScope) -> dict:
    from impact_warehouse.pipeline import release as release_job

    with scope.active():
        return release_job.build_audit_warehouse(paths()).to_xcom()


def gate_audit_warehouse(scope: DagScope, build: dict) -> dict:
    from impact_warehouse.ops import preflight
    from impact_warehouse.pipeline import release as release_job
    from impact_warehouse.pipeline.release import default_release_fiscal_year

    with scope.active():
        context = get_current_context()
        as_of_param = context["params"]["as_of"]
        as_of = date.fromisoformat(as_of_param) if as_of_param else date.today()
        catalog = preflight.check_catalog()
        fiscal_year = context["params"]["fiscal_year"] or default_release_fiscal_year(
            as_of, catalog
        )
        approval = catalog.organisation.release_approval
        # With approval on, a run after new landing data (daily while a survey is open) must
        # not queue an approval that holds the DAG for days: it refreshes the gate.
        after_landing = context["dag_run"].run_type == "asset_triggered"
        return release_job.gate_audit_warehouse(
            paths(),
            fiscal_year=fiscal_year,
            run_id=context["run_id"],
            as_of=as_of,
            audit_db=Path(release_job.BuildOutcome.from_xcom(build).audit_db),
            approval_required=approval,
            publish_requested=not (approval and after_landing),
        ).to_xcom()


def publish_and_alert(scope: DagScope, gate: dict, decision: dict) -> dict:
    from impact_warehouse.orchestration.approval import require_approval
    from impact_warehouse.pipeline import release as release_job

    outcome = release_job.GateOutcome.from_xcom(gate)
    require_approval(outcome, decision)
    with scope.active():
        return release_job.publish_after_gate(paths(), outcome)


def render_reports(scope: DagScope, outcome: dict) -> list[dict]:
    from airflow.sdk.exceptions import AirflowSkipException

    from impact_warehouse.report import job

    if job.published_release_id(outcome) is None:
        raise AirflowSkipException("no release was published: the current report stands")
    with scope.active():
        return job.render_after_publish(outcome, paths())
