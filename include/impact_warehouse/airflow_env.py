"""The embedded Airflow: SQLite metadata, LocalExecutor, AIRFLOW_HOME in the work folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from impact_warehouse.settings import PROJECT_ROOT, Paths, paths


def airflow_environment(settings: Paths | None = None) -> dict[str, str]:
    settings = settings or paths()
    home = settings.work / "airflow"
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get(
            "AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"
        ),
    }


def airflow_executable() -> str:
    """The ``airflow`` command of this interpreter's environment (the venv need not be active)."""
    return str(Path(sys.executable).with_name("airflow"))


def prepare_airflow(env: dict[str, str]) -> None:
    """Create or upgrade the SQLite metadata database (idempotent, ~3 s the first time)."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [airflow_executable(), "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    # One writer at a time on the DuckDB warehouse (airflow_support.DUCKDB_WRITER_POOL).
    subprocess.run(
        [airflow_executable(), "pools", "set", "duckdb_writer", "1", "one DuckDB writer"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
