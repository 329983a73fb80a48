"""The embedded Airflow: SQLite metadata, LocalExecutor, AIRFLOW_HOME in the work folder.

Meant for one machine: its servers listen on loopback only (127.0.0.1, not Airflow's default
0.0.0.0), and its metadata database, which holds connections and variables, is readable by
its owner only (``airflow.db`` 0600 in a 0700 folder), created so before Airflow first opens
it, whoever starts Airflow (``impact`` commands or ``airflow standalone`` after
``eval "$(impact airflow-env)"``).

The API server's port is ``AIRFLOW__API__PORT`` (default 8080), set before
``impact airflow-env``: task processes reach Airflow's execution API through
``AIRFLOW__CORE__EXECUTION_API_SERVER_URL``, which Airflow does not derive from the port, so
on any other port every task would fail before logging a line (``httpx.ConnectError``).
This module derives it from the port.

One Airflow serves the whole installation: inside an organisation's scope its home is still
the installation's (``<installation work>/airflow``), and every organisation's DuckDB writer
pool is created there (:func:`prepare_airflow`).

Task logs stay readable: the multiprocessing resource tracker does not print
``resource_tracker: ... leaked semaphore`` (shown as an ERROR line in a successful task's
log). That warning is expected: Airflow ends each task process with ``os._exit``, so dbt's
locks are never finalised and the tracker removes them itself. (Library log noise is quieted
in ``airflow_support``, which every task process imports.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from impact_warehouse.orchestration.organisation_dags import DUCKDB_WRITER_POOL, writer_pools
from impact_warehouse.organisations import current_organisation_code, installation_work_dir
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths

LOOPBACK = "127.0.0.1"
METADATA_DB = "airflow.db"
DEFAULT_API_PORT = 8080
RESOURCE_TRACKER_WARNING = "ignore:resource_tracker:UserWarning"


def api_port(environ: Mapping[str, str] | None = None) -> int:
    """The API server's port: ``AIRFLOW__API__PORT`` (default 8080); a clear error if bad."""
    environ = os.environ if environ is None else environ
    text = environ.get("AIRFLOW__API__PORT", "").strip()
    if not text:
        return DEFAULT_API_PORT
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(
            f"AIRFLOW__API__PORT={text!r} is not a port number (1-65535): the port the Airflow "
            "API server (UI, REST and the execution API its tasks call) listens on"
        )
    return int(text)


def execution_api_url(port: int) -> str:
    """Where task processes reach the execution API of an API server on ``port``."""
    return f"http://{LOOPBACK}:{port}/execution/"


def _joined(environ: Mapping[str, str], name: str, value: str) -> str:
    """``value`` added to the caller's own setting of ``name`` (comma-separated lists)."""
    current = environ.get(name, "").strip()
    if not current or value in current.split(","):
        return current or value
    return f"{current},{value}"


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


def airflow_environment(
    settings: Settings | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The embedded Airflow's settings, on top of ``environ`` (default: this process's)."""
    settings = settings or paths()
    environ = os.environ if environ is None else environ
    home = airflow_home(settings, environ)
    secure_airflow_home(home)
    port = api_port(environ)
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / METADATA_DB}",
        # Loopback only: the API server (UI + REST) and the scheduler's health check.
        "AIRFLOW__API__HOST": LOOPBACK,
        "AIRFLOW__API__PORT": str(port),
        # An explicit URL (e.g. behind a proxy) is kept; otherwise the one of this port.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": environ.get(
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", ""
        ).strip()
        or execution_api_url(port),
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": LOOPBACK,
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        # Inherited by the resource tracker process, which prints the warning.
        "PYTHONWARNINGS": _joined(environ, "PYTHONWARNINGS", RESOURCE_TRACKER_WARNING),
    }


def airflow_home(settings: Settings, environ: Mapping[str, str]) -> Path:
    """``<work>/airflow``; inside an organisation's scope, the installation's (one Airflow)."""
    if current_organisation_code(environ):
        return installation_work_dir(environ) / "airflow"
    return settings.work / "airflow"


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
    # One writer at a time on each DuckDB warehouse (orchestration.organisation_dags): every
    # pool the DAGs use, in one command (each `airflow` command costs seconds to start), and
    # the one-organisation pool always, so the same Airflow home also serves the
    # installation's own DAGs (`impact demo` without a registry).
    names = sorted({*writer_pools(env), DUCKDB_WRITER_POOL})
    pools = Path(env["AIRFLOW_HOME"]) / "pools.json"
    pools.write_text(
        json.dumps({pool: {"slots": 1, "description": "one DuckDB writer"} for pool in names}),
        encoding="utf-8",
    )
    subprocess.run(
        [airflow_executable(), "pools", "import", str(pools)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
