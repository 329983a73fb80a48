"""With an organisation registry the DAG files make one DAG pair per organisation (issue 16):
own ids, tags, Assets and writer pools; task bodies and failure alerts in the organisation's
scope; and one bad registry folder or catalog never costs the other organisations their DAGs.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag

from impact_warehouse.orchestration.organisation_dags import dag_scopes, writer_pools
from impact_warehouse.organisations import (
    ORGANISATION_ENV,
    ORGANISATIONS_DIR_ENV,
    installation_work_dir,
    load_registry,
)
from impact_warehouse.settings import PROJECT_ROOT, paths

EXAMPLE_CATALOG = PROJECT_ROOT / "examples" / "hataraku_women"
MAMABONO_CATALOG = PROJECT_ROOT / "dbt_project" / "seeds"
CODES = ("hataraku_mirai", "service_grant")
DAG_IDS = {f"impact_{kind}__{code}" for kind in ("ingest", "warehouse") for code in CODES}


def _registry(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "service_grant").symlink_to(MAMABONO_CATALOG)
    (folder / "hataraku_mirai").symlink_to(EXAMPLE_CATALOG)
    return folder


def _catalog_copy(target: Path, code: str) -> Path:
    """The example catalog as organisation ``code``."""
    shutil.copytree(EXAMPLE_CATALOG, target, ignore=shutil.ignore_patterns("demo", "narrative"))
    profile = target / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    profile.write_text(header + "\n" + row.replace("hataraku_mirai", code, 1) + "\n", "utf-8")
    return target


def _dag_bag(registry: Path) -> DagBag:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ORGANISATIONS_DIR_ENV, str(registry))
        return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _registry(tmp_path_factory.mktemp("two-organisations") / "organisations")


@pytest.fixture(scope="module")
def dag_bag(registry: Path) -> DagBag:
    return _dag_bag(registry)


def test_one_dag_pair_per_organisation(dag_bag: DagBag) -> None:
    assert dag_bag.import_errors == {}
    assert set(dag_bag.dags) == DAG_IDS  # no installation-wide impact_ingest/impact_warehouse
    for code in CODES:
        for kind in ("ingest", "warehouse"):
            dag = dag_bag.dags[f"impact_{kind}__{code}"]
            assert code in dag.tags and "impact-warehouse" in dag.tags
            assert f"`{code}`" in dag.doc_md and "Purpose" in dag.doc_md
            assert len(dag.topological_sort()) == len(dag.tasks)
            for task in dag.tasks:
                assert task.retries >= 1 and task.owner == "impact-warehouse"


def test_each_organisation_has_its_own_assets(dag_bag: DagBag) -> None:
    """Organisation A's landing triggers only A's build; each publishes its own Asset."""
    seen: dict[str, str] = {}
    for code in CODES:
        ingest = dag_bag.dags[f"impact_ingest__{code}"]
        warehouse = dag_bag.dags[f"impact_warehouse__{code}"]
        (landing,) = [asset.uri for asset in ingest.get_task("summarise_run").outlets]
        (published,) = [asset.uri for asset in warehouse.get_task("publish_and_alert").outlets]
        triggers = [asset.uri for asset in warehouse.timetable.asset_condition.objects]
        assert triggers == [landing]
        assert code in landing and code in published
        seen[landing] = seen[published] = code
    assert len(seen) == 2 * len(CODES)  # no Asset shared between organisations


def test_each_organisation_is_its_files_one_writer_without_a_pool_to_create(
    registry: Path, dag_bag: DagBag
) -> None:
    """DuckDB has one writer per file: an organisation's warehouse DAG is its files' only
    writer (one chain of tasks, one run at a time), so it needs no pool, which Airflow would
    need before a new organisation's tasks could be scheduled at all."""
    for code in CODES:
        warehouse = dag_bag.dags[f"impact_warehouse__{code}"]
        assert warehouse.max_active_runs == 1
        assert {task.pool for task in warehouse.tasks} == {"default_pool"}
        # Never two tasks at once: of any two tasks, one runs after the other.
        below = {task.task_id: _downstream(warehouse, task.task_id) for task in warehouse.tasks}
        for first in below:
            for second in below:
                assert first == second or second in below[first] or first in below[second]
    assert writer_pools({ORGANISATIONS_DIR_ENV: str(registry)}) == []
    assert writer_pools({}) == ["duckdb_writer"]


def test_schedules_and_forms_come_from_each_organisations_catalog(dag_bag: DagBag) -> None:
    """Mamabono's release day is 1 May, the example organisation's 1 June (organisation.csv)."""
    for code, month in (("service_grant", "5"), ("hataraku_mirai", "6")):
        release = dag_bag.dags[f"impact_warehouse__{code}"].timetable.timetable
        assert release._expression.split()[2:4] == ["1", month], (code, release._expression)
    for code, catalog in (("service_grant", MAMABONO_CATALOG), ("hataraku_mirai", EXAMPLE_CATALOG)):
        offered = dag_bag.dags[f"impact_ingest__{code}"].params.get_param("wave").schema["enum"]
        assert set(offered) - {None} == _form_waves(catalog), code


def _form_waves(catalog: Path) -> set[str]:
    with (catalog / "waves.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {
            row["wave_code"]
            for row in csv.DictReader(handle)
            if row["source_system"] == "google_forms"
        }


def _recorded_scope() -> dict[str, Any]:
    return {
        "organisation": os.environ.get(ORGANISATION_ENV),
        "work": paths().work,
        "catalog": paths().catalog,
    }


def test_task_bodies_and_failure_alerts_run_in_the_organisations_scope(
    registry: Path, dag_bag: DagBag, monkeypatch: pytest.MonkeyPatch
) -> None:
    from impact_warehouse import notify
    from impact_warehouse.ops import preflight

    monkeypatch.setenv(ORGANISATIONS_DIR_ENV, str(registry))
    seen: list[dict[str, Any]] = []

    def check_catalog() -> SimpleNamespace:
        seen.append(_recorded_scope())
        return SimpleNamespace(waves={})

    monkeypatch.setattr(preflight, "check_catalog", check_catalog)
    monkeypatch.setattr(preflight, "check_pseudonym_key", lambda *_: None)
    monkeypatch.setattr(notify, "send_alerts", lambda alerts, **_: seen.append(_recorded_scope()))
    outside = dict(os.environ)
    task = SimpleNamespace(task_id="check_catalog", dag_id="d", map_index=-1, try_number=1)
    for organisation in load_registry(registry):
        code = organisation.code
        dag_bag.dags[f"impact_ingest__{code}"].get_task("check_configuration").python_callable()
        warehouse = dag_bag.dags[f"impact_warehouse__{code}"]
        warehouse.get_task("check_catalog").python_callable()
        (alert_on_failure,) = warehouse.get_task("check_catalog").on_failure_callback
        alert_on_failure({"ti": task, "run_id": "r", "exception": RuntimeError("x")})
        own_work = installation_work_dir() / "organisations" / code
        assert (
            seen == [{"organisation": code, "work": own_work, "catalog": organisation.catalog}] * 3
        )
        seen.clear()
        assert dict(os.environ) == outside  # the scope ends with the task


def test_one_broken_registry_folder_keeps_the_others_dags(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A folder whose name is not its code: logged with why; the valid organisations' DAGs
    load and the DAG files import without errors."""
    registry = _registry(tmp_path / "organisations")
    (registry / "misnamed").symlink_to(EXAMPLE_CATALOG)  # organisation_code hataraku_mirai
    with caplog.at_level(logging.ERROR, logger="impact_warehouse.orchestration"):
        scopes = dag_scopes({ORGANISATIONS_DIR_ENV: str(registry)})
    assert [scope.code for scope in scopes] == ["hataraku_mirai", "service_grant"]
    assert "misnamed" in caplog.text and "フォルダ名" in caplog.text
    bag = _dag_bag(registry)
    assert bag.import_errors == {}
    assert set(bag.dags) == DAG_IDS


def test_an_organisation_with_an_invalid_catalog_still_gets_its_dags(tmp_path: Path) -> None:
    """Its DAGs load with free form fields (their first task fails, as for one organisation);
    the others keep their catalog's choices."""
    registry = _registry(tmp_path / "organisations")
    broken = _catalog_copy(registry / "broken_org", "broken_org")
    waves = broken / "waves.csv"
    lines = waves.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",0.90,", ",90%,", 1)
    waves.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bag = _dag_bag(registry)
    assert bag.import_errors == {}
    assert {"impact_ingest__broken_org", "impact_warehouse__broken_org"} <= set(bag.dags)
    broken_wave = bag.dags["impact_ingest__broken_org"].params.get_param("wave")
    assert "enum" not in broken_wave.schema and "カタログにエラー" in broken_wave.description
    assert "enum" in bag.dags["impact_ingest__hataraku_mirai"].params.get_param("wave").schema


def test_one_organisations_bad_deadline_setting_keeps_every_warehouse_dag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(tmp_path / "organisations")
    code = CODES[0]
    monkeypatch.setenv(f"IMPACT_RELEASE_DEADLINE_DAYS__{code.upper()}", "abc")
    bag = _dag_bag(registry)
    assert bag.import_errors == {}
    assert {f"impact_warehouse__{each}" for each in CODES} <= set(bag.dags)
    assert bag.dags[f"impact_warehouse__{code}"].deadline is None
    assert all(bag.dags[f"impact_warehouse__{each}"].deadline for each in CODES[1:])


def test_a_missing_registry_imports_with_no_dags(tmp_path: Path) -> None:
    bag = _dag_bag(tmp_path / "no-such-registry")
    assert bag.import_errors == {}
    assert bag.dags == {}


def test_a_missed_release_deadline_alerts_the_organisations_own_staff(
    registry: Path, dag_bag: DagBag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Airflow calls the deadline callback by its import path: the organisation travels in
    its kwargs, and the check and the alert run in the organisation's scope."""
    import structlog
    from airflow.sdk.execution_time.callback_supervisor import execute_callback

    monkeypatch.setenv(ORGANISATIONS_DIR_ENV, str(registry))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    (deadline,) = dag_bag.dags["impact_warehouse__hataraku_mirai"].deadline
    assert deadline.callback.kwargs == {"organisation_code": "hataraku_mirai"}
    context = {
        "dag_run": {
            "dag_id": "impact_warehouse__hataraku_mirai",
            "dag_run_id": "scheduled__2026-06-01",
            "logical_date": "2026-05-31T21:00:00+00:00",
            "conf": {"fiscal_year": 2025},
        },
        "deadline": {"id": "1", "deadline_time": "2026-07-01T21:00:00+00:00"},
    }
    ok, error = execute_callback(
        deadline.callback.path,
        {**deadline.callback.kwargs, "context": context},
        "warehouse_release_dag.py",
        str(PROJECT_ROOT / "dags"),
        structlog.get_logger("test"),
    )
    assert ok, error
    outbox = tmp_path / "work" / "organisations" / "hataraku_mirai" / "outbox" / "alerts.jsonl"
    (record,) = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert record["alert"]["kind"] == "release_overdue" and "2025年度" in record["subject"]
    assert not (tmp_path / "work" / "outbox").exists()


def _downstream(dag: Any, task_id: str) -> set[str]:
    """Every task that runs after ``task_id`` (its downstream tasks, theirs, and so on)."""
    found: set[str] = set()
    waiting = [task_id]
    while waiting:
        for child in dag.get_task(waiting.pop()).downstream_task_ids:
            if child not in found:
                found.add(child)
                waiting.append(child)
    return found
