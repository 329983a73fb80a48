"""The embedded Airflow: SQLite metadata, LocalExecutor, AIRFLOW_HOME in the work folder.

Meant for one machine: its servers listen on loopback only (127.0.0.1, not Airflow's default
0.0.0.0), and its metadata database, which holds connections and variables, is readable by
its owner only (``airflow.db`` 0600 in a 0700 folder), created so before Airflow first opens
it, whoever starts Airflow (``impact`` commands or ``airflow standalone`` after
``eval "$(impact airflow-env)"``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from impact_warehouse.settings import PROJECT_ROOT, Paths, paths

LOOPBACK = "127.0.0.1"
METADATA_DB = "airflow.db"


def secure_airflow_home(home: Path) -> Path:
    """``home`` as a 0700 folder holding an owner-only ``airflow.db`` (empty until migrated).

    SQLite creates a missing database with the process umask (usually 0644) and its journal
    with the database's mode; an empty file created 0600 first is a valid empty database, so
    every later file keeps owner-only access.
    """
    home.mkdir(parents=True, exist_ok=True)
    os.chmod(home, 0o700)
    database = home / METADATA_DB
    descriptor = os.open(database, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(descriptor)
    os.chmod(database, 0o600)
    return database


def airflow_environment(settings: Paths | None = None) -> dict[str, str]:
    settings = settings or paths()
    home = settings.work / "airflow"
    secure_airflow_home(home)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / METADATA_DB}",
        # Loopback only: the API server (UI + REST) and the scheduler's health check.
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": LOOPBACK,
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
    secure_airflow_home(Path(env["AIRFLOW_HOME"]))
    subprocess.run(
        [airflow_executable(), "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    # Owner-only whatever created or replaced it (a migration may rewrite the file).
    database = Path(env["AIRFLOW_HOME"]) / METADATA_DB
    if database.exists():
        os.chmod(database, 0o600)
    # One writer at a time on the DuckDB warehouse (airflow_support.DUCKDB_WRITER_POOL).
    subprocess.run(
        [airflow_executable(), "pools", "set", "duckdb_writer", "1", "one DuckDB writer"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
