"""One organisation's DAG pair run for real (``impact demo`` in its scope: ``airflow dags
test`` of ``impact_ingest__<code>`` then ``impact_warehouse__<code>``) on the installation's
one embedded Airflow, with a second organisation registered beside it (issue 16)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from dag_run_support import command_env

from impact_warehouse.organisations import ORGANISATIONS_DIR_ENV, find_organisation
from impact_warehouse.organisations import scoped_environment as organisation_environment
from impact_warehouse.settings import PROJECT_ROOT

EXAMPLE_CATALOG = PROJECT_ROOT / "examples" / "hataraku_women"
CODE = "hataraku_mirai"
OTHER = "second_org"


def _registry(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / CODE).symlink_to(EXAMPLE_CATALOG)
    other = folder / OTHER
    shutil.copytree(EXAMPLE_CATALOG, other, ignore=shutil.ignore_patterns("demo", "narrative"))
    profile = other / "organisation.csv"
    header, row = profile.read_text(encoding="utf-8").splitlines()[:2]
    profile.write_text(header + "\n" + row.replace(CODE, OTHER, 1) + "\n", encoding="utf-8")
    return folder


def _rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(query).fetchall()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("organisation-dag-run")
    registry = _registry(root / "organisations")
    work = root / "work"
    env = command_env(work, IMPACT_PSEUDONYM_KEY=None)
    env[ORGANISATIONS_DIR_ENV] = str(registry)
    organisation = find_organisation(CODE, registry)
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "demo"],
        env=organisation_environment(organisation, env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    return {"result": result, "work": work, "own": work / "organisations" / CODE}


@pytest.mark.slow
def test_an_organisations_dag_pair_runs_in_its_scope(demo_run: dict) -> None:
    result = demo_run["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"running DAG impact_ingest__{CODE}" in result.stdout
    assert f"running DAG impact_warehouse__{CODE}" in result.stdout
    own = demo_run["own"]
    # Everything the run wrote is the organisation's; the installation holds only Airflow.
    assert sorted(path.name for path in demo_run["work"].iterdir()) == [
        "airflow",
        "organisations",
    ]
    assert [path.name for path in (demo_run["work"] / "organisations").iterdir()] == [CODE]
    assert (own / "secrets" / "pseudonym.key").exists()
    assert list((own / "landing" / "_runs").glob("*.json"))
    assert (own / "published" / "warehouse.duckdb").exists()
    assert "release_published" in (own / "outbox" / "alerts.jsonl").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_installations_one_airflow_recorded_the_organisations_runs(demo_run: dict) -> None:
    database = demo_run["work"] / "airflow" / "airflow.db"
    assert _rows(database, "select dag_id, state from dag_run order by id") == [
        (f"impact_ingest__{CODE}", "success"),
        (f"impact_warehouse__{CODE}", "success"),
    ]
    events = _rows(
        database,
        "select a.uri, count(*) from asset_event e join asset a on a.id = e.asset_id "
        "group by a.uri order by a.uri",
    )
    root = f"file://impact-warehouse/organisations/{CODE}"
    assert events == [(f"{root}/landing", 1), (f"{root}/published", 1)]
    # No pool of its own to create: the organisation's tasks ran in Airflow's default pool.
    assert _rows(
        database,
        f"select distinct pool from task_instance where dag_id = 'impact_warehouse__{CODE}'",
    ) == [("default_pool",)]
