"""The embedded Airflow listens on loopback only and keeps its metadata database owner-only."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from impact_warehouse.airflow_env import airflow_environment, prepare_airflow
from impact_warehouse.settings import Paths


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_servers_bind_loopback(tmp_path: Path) -> None:
    env = airflow_environment(Paths.for_work_dir(tmp_path / "work", tmp_path / "inbox"))
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST"] == "127.0.0.1"


def test_airflow_config_reports_the_loopback_host(tmp_path: Path) -> None:
    env = airflow_environment(Paths.for_work_dir(tmp_path / "work", tmp_path / "inbox"))
    from impact_warehouse.airflow_env import airflow_executable

    shown = subprocess.run(
        [airflow_executable(), "config", "get-value", "api", "host"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "127.0.0.1"


def test_the_metadata_database_is_owner_only_before_airflow_opens_it(tmp_path: Path) -> None:
    settings = Paths.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    env = airflow_environment(settings)
    home = Path(env["AIRFLOW_HOME"])
    assert _mode(home) == 0o700
    assert _mode(home / "airflow.db") == 0o600
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(str(home / "airflow.db"))


@pytest.mark.slow
def test_the_migrated_database_stays_owner_only(tmp_path: Path) -> None:
    settings = Paths.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    env = {"PATH": "/usr/bin:/bin", **airflow_environment(settings)}
    prepare_airflow(env)
    home = Path(env["AIRFLOW_HOME"])
    database = home / "airflow.db"
    assert database.stat().st_size > 0  # migrated: tables written into the 0600 file
    assert _mode(database) == 0o600
    assert _mode(home) & 0o077 == 0
    for sibling in home.glob("airflow.db*"):
        assert _mode(sibling) & 0o077 == 0, sibling
