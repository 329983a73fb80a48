"""The embedded Airflow listens on loopback only, keeps its metadata database owner-only,
points task processes at the API server on whatever port it uses, and keeps task logs clean."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from impact_warehouse.orchestration.airflow_env import (
    airflow_environment,
    api_port,
    prepare_airflow,
)
from impact_warehouse.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_servers_bind_loopback(tmp_path: Path) -> None:
    env = airflow_environment(Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox"))
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST"] == "127.0.0.1"


def test_airflow_config_reports_the_loopback_host(tmp_path: Path) -> None:
    env = airflow_environment(Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox"))
    from impact_warehouse.orchestration.airflow_env import airflow_executable

    shown = subprocess.run(
        [airflow_executable(), "config", "get-value", "api", "host"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "127.0.0.1"


def test_the_metadata_database_is_owner_only_before_airflow_opens_it(tmp_path: Path) -> None:
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    env = airflow_environment(settings)
    home = Path(env["AIRFLOW_HOME"])
    assert _mode(home) == 0o700
    assert _mode(home / "airflow.db") == 0o600
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(str(home / "airflow.db"))


@pytest.mark.slow
def test_the_migrated_database_stays_owner_only(tmp_path: Path) -> None:
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    env = {"PATH": "/usr/bin:/bin", **airflow_environment(settings)}
    prepare_airflow(env)
    home = Path(env["AIRFLOW_HOME"])
    database = home / "airflow.db"
    assert database.stat().st_size > 0  # migrated: tables written into the 0600 file
    assert _mode(database) == 0o600
    assert _mode(home) & 0o077 == 0
    for sibling in home.glob("airflow.db*"):
        assert _mode(sibling) & 0o077 == 0, sibling


def _airflow_env_command(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess:
    """``impact airflow-env`` as a user runs it, with only these variables set."""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "IMPACT_WORK_DIR": str(tmp_path / "work"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "airflow-env"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("port", ["8080", "18793"])
def test_airflow_env_points_tasks_at_the_api_server_on_any_port(tmp_path: Path, port: str) -> None:
    variables = {} if port == "8080" else {"AIRFLOW__API__PORT": port}
    printed = _airflow_env_command(tmp_path, **variables)
    assert printed.returncode == 0, printed.stderr
    # What the README says to do: eval the exports, then ask Airflow what it will use.
    from impact_warehouse.orchestration.airflow_env import airflow_executable

    shown = subprocess.run(
        [
            "bash",
            "-c",
            f'eval "$1"; {airflow_executable()} config get-value core execution_api_server_url'
            f"; {airflow_executable()} config get-value api port",
            "bash",
            printed.stdout,
        ],
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    url, shown_port = shown.stdout.strip().splitlines()[-2:]
    assert (url, shown_port) == (f"http://127.0.0.1:{port}/execution/", port)


def test_a_bad_port_is_refused_with_nothing_to_eval(tmp_path: Path) -> None:
    printed = _airflow_env_command(tmp_path, AIRFLOW__API__PORT="80a")
    assert printed.returncode == 1
    assert printed.stdout == ""
    assert "AIRFLOW__API__PORT にはポート番号" in printed.stderr
    with pytest.raises(ValueError, match="not a port number"):
        api_port({"AIRFLOW__API__PORT": "70000"})


def test_an_explicit_execution_api_url_is_kept(tmp_path: Path) -> None:
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    url = "https://airflow.example.org/execution/"
    env = airflow_environment(settings, {"AIRFLOW__CORE__EXECUTION_API_SERVER_URL": url})
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == url


LEAKING_TASK = """
import os
from dbt.mp_context import get_mp_context
lock = get_mp_context().RLock()  # what dbt holds when Airflow ends a task process
os._exit(0)  # how Airflow's task runner ends: no finaliser runs
"""


@pytest.mark.parametrize("embedded", [False, True], ids=["plain", "airflow-env"])
def test_task_processes_print_no_resource_tracker_warning(tmp_path: Path, embedded: bool) -> None:
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    base = {"PATH": "/usr/bin:/bin"}
    env = {**base, **airflow_environment(settings, base)} if embedded else base
    ended = subprocess.run(
        [sys.executable, "-c", LEAKING_TASK], env=env, capture_output=True, text=True, timeout=120
    )
    # Without the embedded environment the warning appears (so this test can fail).
    assert ("resource_tracker" in ended.stderr) is not embedded, ended.stderr
