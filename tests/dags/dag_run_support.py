"""Helpers for tests that run the DAGs for real (``airflow dags test`` in a subprocess) and
then read what Airflow recorded in its SQLite metadata database."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from impact_warehouse.settings import PROJECT_ROOT

LANDING_ASSET_URI = "file://impact-warehouse/landing"
# Long enough for any key-length rule of the landing code (the test session's key may not be).
TEST_PSEUDONYM_KEY = "dag-run-test-key-" + "x" * 40


def command_env(work: Path, **overrides: str | None) -> dict[str, str]:
    """The environment of an ``impact`` command with its own work folder and embedded Airflow.

    ``overrides`` set variables (None removes one): the command must not inherit the test
    session's Airflow, Forms API or key settings unless a test asks for them.
    """
    env = {**os.environ, "IMPACT_WORK_DIR": str(work), "IMPACT_PSEUDONYM_KEY": TEST_PSEUDONYM_KEY}
    for variable in (
        "AIRFLOW_HOME",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__CORE__DAGS_FOLDER",
        "AIRFLOW_CONN_IMPACT_FORMS_API",
        "AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY",
        "IMPACT_FORMS_API_URL",
        "IMPACT_FORMS_API_TOKEN",
        "IMPACT_FORMS_API_KEY_FILE",
        "IMPACT_PSEUDONYM_KEY_FILE",
        "IMPACT_INBOX_DIR",
        "IMPACT_LANDING_DIR",
        "IMPACT_TASK_RETRIES",
        "IMPACT_TASK_RETRY_DELAY_SECONDS",
    ):
        env.pop(variable, None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


# ``impact pull``'s arguments, run as one impact_ingest DAG run on the embedded Airflow
# (cli.airflow_runs.run_ingest_dag): the DAG's task states, retries and alerts are under test.
_INGEST_DAG = """
import sys
from impact_warehouse.cli import build_parser
from impact_warehouse.cli.airflow_runs import run_ingest_dag
args = build_parser().parse_args(sys.argv[1:])
sys.exit(run_ingest_dag(scope=args.scope, fiscal_year=args.fiscal_year, program=args.program,
                        wave=args.wave, month=args.month, as_of=args.as_of))
"""


def ingest_dag(
    args: list[str], env: dict[str, str], timeout: int = 600
) -> subprocess.CompletedProcess:
    """``args`` of ``impact pull`` (``["pull", ...]``) as an impact_ingest DAG run."""
    return subprocess.run(
        [sys.executable, "-c", _INGEST_DAG, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def impact(args: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def copy_of_checkout(target: Path) -> Path:
    """The parts of the checkout the DAGs and commands read: DAG files and catalog seeds."""
    shutil.copytree(PROJECT_ROOT / "dags", target / "dags", ignore=_ignored)
    shutil.copytree(PROJECT_ROOT / "dbt_project" / "seeds", target / "dbt_project" / "seeds")
    return target


def _ignored(_folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__"]


def _metadata(work: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{work / 'airflow' / 'airflow.db'}?mode=ro", uri=True)


def task_states(work: Path, dag_id: str) -> dict[tuple[str, int], tuple[str, int]]:
    """(task_id, map_index) → (state, try_number) of the latest run of ``dag_id``."""
    with _metadata(work) as db:
        rows = db.execute(
            "select task_id, map_index, state, try_number from task_instance "
            "where dag_id = ? and run_id = (select run_id from dag_run where dag_id = ? "
            "order by id desc limit 1)",
            (dag_id, dag_id),
        ).fetchall()
    return {(task_id, index): (state, tries) for task_id, index, state, tries in rows}


def dag_run_state(work: Path, dag_id: str) -> str:
    with _metadata(work) as db:
        (state,) = db.execute(
            "select state from dag_run where dag_id = ? order by id desc limit 1", (dag_id,)
        ).fetchone()
    return state


def asset_event_count(work: Path, uri: str) -> int:
    with _metadata(work) as db:
        (count,) = db.execute(
            "select count(*) from asset_event e join asset a on a.id = e.asset_id where a.uri = ?",
            (uri,),
        ).fetchone()
    return count


def alerts(work: Path) -> list[dict[str, Any]]:
    outbox = work / "outbox" / "alerts.jsonl"
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines() if line]


def latest_run_summary(work: Path) -> dict[str, Any]:
    summaries = sorted((work / "landing" / "_runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert summaries, "no run summary was written"
    return json.loads(summaries[-1].read_text(encoding="utf-8"))
