"""`airflow standalone` on the embedded default lists the project's DAGs through the REST API.

What the README tells a laptop user to do, end to end: start `airflow standalone` with the
embedded environment (SQLite metadata, LocalExecutor; ``airflow_env.airflow_environment``) in
a fresh AIRFLOW_HOME, read the admin password Airflow generated (SimpleAuthManager keeps it in
``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``), get a JWT from
``POST /auth/token`` and list the DAGs with ``GET /api/v2/dags``. The API server binds to
loopback on a free port, every helper port is moved off its default so parallel runs never
collide, and the whole process group is terminated whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from impact_warehouse.airflow_env import airflow_environment, airflow_executable
from impact_warehouse.settings import Paths

PROJECT_DAGS = {"impact_ingest", "impact_warehouse"}
STARTUP_TIMEOUT_SECONDS = 90
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Standalone:
    url: str
    home: Path
    log: Path
    process: subprocess.Popen


def wait_until(condition, *, timeout: float, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"airflow standalone exited ({process.returncode}):\n{tail(log)}")
        result = condition()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def live_members(group: int) -> list[int]:
    """Processes of a process group that are not zombies (Linux /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            members.append(int(stat.parent.name))
    return members


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the whole group (scheduler, dag-processor, triggerer, api-server), then KILL.

    Returns only when no process of the group is left, so nothing outlives the test.
    """
    group = process.pid  # start_new_session=True: the group id is the leader's pid
    for sig, grace_seconds in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace_seconds
        while time.monotonic() < deadline:
            process.poll()  # reap the leader
            if not live_members(group):
                return
            time.sleep(0.2)
    process.poll()
    assert not live_members(group), f"processes left in group {group}: {live_members(group)}"


@pytest.fixture
def standalone(tmp_path: Path) -> Iterator[Standalone]:
    settings = Paths.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    env = {**os.environ, **airflow_environment(settings)}
    api_port = free_port()
    # standalone starts its components as `airflow …` from PATH: the venv's, active or not.
    bin_dir = str(Path(airflow_executable()).parent)
    env.update(
        {
            "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        }
    )
    # The defaults this test relies on (SimpleAuthManager, one generated admin) stay defaults.
    for name in ("AIRFLOW__CORE__AUTH_MANAGER", "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"):
        env.pop(name, None)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)  # airflow_environment made it, owner-only
    log = tmp_path / "standalone.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [airflow_executable(), "standalone"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every child
        )
    try:
        yield Standalone(f"http://127.0.0.1:{api_port}", home, log, process)
    finally:
        stop(process)


def test_standalone_serves_the_project_dags_through_the_rest_api(
    standalone: Standalone,
) -> None:
    process, process_log = standalone.process, standalone.log
    started = time.monotonic()

    def healthy() -> bool:
        try:
            response = requests.get(f"{standalone.url}/api/v2/monitor/health", timeout=2)
        except requests.RequestException:
            return False
        return response.status_code == 200

    wait_until(
        healthy,
        timeout=STARTUP_TIMEOUT_SECONDS,
        process=process,
        log=process_log,
        what="the API server's health endpoint",
    )
    password_file = standalone.home / PASSWORD_FILE
    passwords = json.loads(password_file.read_text(encoding="utf-8"))
    assert set(passwords) == {"admin"}, "standalone generates one admin user"

    response = requests.post(
        f"{standalone.url}/auth/token",
        json={"username": "admin", "password": passwords["admin"]},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    assert requests.get(f"{standalone.url}/api/v2/dags", timeout=10).status_code == 401
    wrong = requests.post(
        f"{standalone.url}/auth/token",
        json={"username": "admin", "password": passwords["admin"] + "x"},
        timeout=10,
    )
    assert wrong.status_code == 401

    def listed_dags() -> set[str] | None:
        reply = requests.get(f"{standalone.url}/api/v2/dags", headers=headers, timeout=10)
        assert reply.status_code == 200, reply.text
        dag_ids = {dag["dag_id"] for dag in reply.json()["dags"]}
        return dag_ids if dag_ids >= PROJECT_DAGS else None

    # The dag-processor serialises the DAGs a few seconds after the API server is up.
    dag_ids = wait_until(
        listed_dags,
        timeout=STARTUP_TIMEOUT_SECONDS - (time.monotonic() - started),
        process=process,
        log=process_log,
        what="impact_ingest and impact_warehouse in GET /api/v2/dags",
    )
    assert dag_ids == PROJECT_DAGS  # no example DAGs: LOAD_EXAMPLES is off
    # The metadata database standalone migrated and filled is still owner-only.
    assert (standalone.home / "airflow.db").stat().st_mode & 0o077 == 0
