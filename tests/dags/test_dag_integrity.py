"""Every DAG imports cleanly and follows the house rules (owner, tags, retries, doc_md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag

from impact_warehouse.settings import PROJECT_ROOT

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))


@pytest.fixture(scope="module")
def dag_bag() -> DagBag:
    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


def test_every_dag_file_imports_without_errors(dag_bag: DagBag) -> None:
    assert dag_bag.import_errors == {}
    assert DAG_FILES, "no DAG files found"
    assert {Path(dag.fileloc).name for dag in dag_bag.dags.values()} == {p.name for p in DAG_FILES}


def test_no_dag_file_shadows_a_package_module() -> None:
    """Airflow puts dags/ first on sys.path: a DAG file named like the package (the old
    dags/impact_warehouse.py) made ``import impact_warehouse`` load the DAG file instead."""
    package = PROJECT_ROOT / "include"
    shadowing = [
        path.name
        for path in DAG_FILES
        if (package / path.stem).is_dir() or (package / f"{path.stem}.py").is_file()
    ]
    assert not shadowing


def test_expected_dags_exist(dag_bag: DagBag) -> None:
    assert {"impact_ingest", "impact_warehouse"} <= set(dag_bag.dags)


@pytest.mark.parametrize("dag_id", ["impact_ingest", "impact_warehouse"])
def test_dag_follows_house_rules(dag_bag: DagBag, dag_id: str) -> None:
    dag = dag_bag.dags[dag_id]
    assert dag.tags, "tags"
    assert dag.doc_md and "Purpose" in dag.doc_md
    for task in dag.tasks:
        assert task.owner not in (None, "", "airflow"), f"{task.task_id} has no owner"
        assert task.retries >= 1, f"{task.task_id} has no retries"


def test_dags_have_no_cycles(dag_bag: DagBag) -> None:
    for dag in dag_bag.dags.values():
        # topological_sort raises on a cycle
        assert len(dag.topological_sort()) == len(dag.tasks)


def test_ingest_dag_lands_roster_before_survey_waves(dag_bag: DagBag) -> None:
    dag = dag_bag.dags["impact_ingest"]
    assert "plan_waves" in dag.get_task("land_operations_workbooks").downstream_task_ids
    outlets = dag.get_task("summarise_run").outlets
    assert [asset.uri for asset in outlets] == ["file://impact-warehouse/landing"]


def test_warehouse_dag_writes_duckdb_one_task_at_a_time(dag_bag: DagBag) -> None:
    dag = dag_bag.dags["impact_warehouse"]
    assert {task.pool for task in dag.tasks} == {"duckdb_writer"}
    outlets = dag.get_task("publish_and_alert").outlets
    assert [asset.uri for asset in outlets] == ["file://impact-warehouse/published"]
    for task in dag.tasks:
        assert task.on_failure_callback, f"{task.task_id} does not alert staff on failure"


def test_ingest_dag_isolates_sources_and_checks_configuration_first(dag_bag: DagBag) -> None:
    dag = dag_bag.dags["impact_ingest"]
    check = dag.get_task("check_configuration")
    assert check.is_setup  # every later task needs it to succeed, whatever its trigger rule
    assert check.get_flat_relative_ids(upstream=False) == {t.task_id for t in dag.tasks} - {
        "check_configuration"
    }
    # A failed source does not stop the wave plan, the summary or the run's verdict ...
    for task_id in ("plan_waves", "summarise_run", "check_every_source_landed"):
        assert dag.get_task(task_id).trigger_rule == "all_done", task_id
    assert dag.get_task("summarise_run").upstream_task_ids >= {
        "land_operations_workbooks",
        "land_panel_deliveries",
        "plan_waves",
        "land_form_wave",
    }
    # ... and the verdict is the only leaf, so it decides the run's final state.
    assert [task.task_id for task in dag.tasks if not task.downstream_list] == [
        "check_every_source_landed"
    ]
    # One alert per run: the setup check and the verdict alert; the sources only record why
    # they failed, and the verdict (always run, always last) names them all.
    alerting = {task.task_id for task in dag.tasks if task.on_failure_callback}
    assert alerting == {"check_configuration", "check_every_source_landed"}


def test_warehouse_dag_checks_the_catalog_first(dag_bag: DagBag) -> None:
    dag = dag_bag.dags["impact_warehouse"]
    check = dag.get_task("check_catalog")
    assert check.is_setup
    assert "build_audit_warehouse" in check.downstream_task_ids


def test_warehouse_dag_asks_for_approval_between_gate_and_publish(dag_bag: DagBag) -> None:
    """gate → approve_release (Airflow HITL) → publish → reports; the approval is a direct
    upstream of the publish, so a "Reject" skips it and nothing is published."""
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    dag = dag_bag.dags["impact_warehouse"]
    approval = dag.get_task("approve_release")
    assert isinstance(approval, ApprovalOperator)
    assert approval.defaults == [ApprovalOperator.REJECT]  # no answer in time: not published
    assert approval.response_timeout is not None
    assert dag.get_task("gate_audit_warehouse").downstream_task_ids == {
        "approve_release",
        "publish_and_alert",
    }
    assert approval.downstream_task_ids == {"publish_and_alert"}
    assert dag.get_task("publish_and_alert").downstream_task_ids == {"render_reports"}
    assert "gate_publish_and_alert" not in dag.task_ids
