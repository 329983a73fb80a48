"""`airflow standalone` on the embedded default, on a port that is not 8080, lists the
project's DAGs through the REST API and runs a task in real processes.

What the README tells a laptop user to do, end to end: choose the port (AIRFLOW__API__PORT),
start `airflow standalone` with the embedded environment (SQLite metadata, LocalExecutor;
``airflow_env.airflow_environment``, which derives the execution API URL from the port) in a
fresh AIRFLOW_HOME, read the admin password Airflow generated (SimpleAuthManager keeps it in
``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated``), get a JWT from
``POST /auth/token``, list the DAGs with ``GET /api/v2/dags``, then trigger ``impact_ingest``
and wait for its first task to succeed in a task process started by the scheduler: with a
wrong execution API URL that task fails before logging a line (issue 18). The API server
binds to loopback on a free port, every helper port is moved off its default so parallel runs
never collide, and the whole process group is terminated whatever happens.
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

from impact_warehouse.orchestration.airflow_env import airflow_environment, airflow_executable
from impact_warehouse.settings import Settings

PROJECT_DAGS = {"impact_ingest", "impact_warehouse"}
STARTUP_TIMEOUT_SECONDS = 90
TASK_TIMEOUT_SECONDS = 180
FIRST_TASK = "check_configuration"
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
    env: dict[str, str]


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


@pytest.fixture(scope="module")
def standalone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standalone]:
    tmp_path = tmp_path_factory.mktemp("standalone")
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    api_port = free_port()
    assert api_port != 8080
    # As a user would: the port first, then `eval "$(impact airflow-env)"`, which derives
    # AIRFLOW__CORE__EXECUTION_API_SERVER_URL from it (the test sets no URL itself).
    base = {
        key: value
        for key, value in os.environ.items()
        if key != "AIRFLOW__CORE__EXECUTION_API_SERVER_URL"
    }
    base["AIRFLOW__API__PORT"] = str(api_port)
    env = {**base, **airflow_environment(settings, base)}
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
        f"http://127.0.0.1:{api_port}/execution/"
    )
    # standalone starts its components as `airflow …` from PATH: the venv's, active or not.
    bin_dir = str(Path(airflow_executable()).parent)
    env.update(
        {
            "PATH": os.pathsep.join([bin_dir, env.get("PATH", "")]),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # The tasks' folders and key: this test's own, never the checkout's.
            "IMPACT_WORK_DIR": str(settings.work),
            "IMPACT_INBOX_DIR": str(settings.inbox),
            "IMPACT_PSEUDONYM_KEY": "standalone-test-key-" + "x" * 40,
            "IMPACT_TASK_RETRIES": "0",
        }
    )
    for name in (
        # The defaults this test relies on (SimpleAuthManager, one generated admin) stay.
        "AIRFLOW__CORE__AUTH_MANAGER",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
        "AIRFLOW_CONN_IMPACT_FORMS_API",
        "AIRFLOW_VAR_IMPACT_PSEUDONYM_KEY",
        "IMPACT_FORMS_API_URL",
        "IMPACT_FORMS_API_TOKEN",
        "IMPACT_PSEUDONYM_KEY_FILE",
        "IMPACT_LANDING_DIR",
    ):
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
        yield Standalone(f"http://127.0.0.1:{api_port}", home, log, process, env)
    finally:
        stop(process)


def admin_headers(standalone: Standalone) -> dict[str, str]:
    passwords = json.loads((standalone.home / PASSWORD_FILE).read_text(encoding="utf-8"))
    response = requests.post(
        f"{standalone.url}/auth/token",
        json={"username": "admin", "password": passwords["admin"]},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


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
    headers = admin_headers(standalone)

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


def test_standalone_on_another_port_runs_a_task_in_real_processes(
    standalone: Standalone,
) -> None:
    process, process_log = standalone.process, standalone.log

    def healthy() -> bool:
        try:
            response = requests.get(f"{standalone.url}/api/v2/monitor/health", timeout=2)
        except requests.RequestException:
            return False
        return response.status_code == 200 and (standalone.home / PASSWORD_FILE).exists()

    wait_until(
        healthy, timeout=STARTUP_TIMEOUT_SECONDS, process=process, log=process_log, what="health"
    )
    headers = admin_headers(standalone)
    dags = f"{standalone.url}/api/v2/dags/impact_ingest"

    def dag_listed() -> bool:
        try:
            return requests.get(dags, headers=headers, timeout=30).status_code == 200
        except requests.RequestException:
            return False

    wait_until(
        dag_listed, timeout=STARTUP_TIMEOUT_SECONDS, process=process, log=process_log, what="DAG"
    )
    # Runs of a paused DAG are never scheduled; new DAGs start paused.
    unpaused = requests.patch(dags, json={"is_paused": False}, headers=headers, timeout=60)
    assert unpaused.status_code == 200, unpaused.text
    triggered = requests.post(
        f"{dags}/dagRuns",
        json={"logical_date": None, "conf": {"scope": "interval"}},
        headers=headers,
        timeout=60,
    )
    assert triggered.status_code == 200, triggered.text
    run_id = triggered.json()["dag_run_id"]
    task_url = f"{dags}/dagRuns/{run_id}/taskInstances/{FIRST_TASK}"

    def first_task_finished() -> dict | None:
        try:  # a busy SQLite-backed server may answer slowly: ask again
            reply = requests.get(task_url, headers=headers, timeout=30)
        except requests.RequestException:
            return None
        if reply.status_code != 200:
            return None
        state = reply.json()["state"]
        return reply.json() if state in ("success", "failed", "upstream_failed") else None

    task = wait_until(
        first_task_finished,
        timeout=TASK_TIMEOUT_SECONDS,
        process=process,
        log=process_log,
        what=f"{FIRST_TASK} of {run_id} to finish",
    )
    assert task["state"] == "success", tail(process_log)
    assert task["pid"] and task["pid"] != process.pid  # a task process of its own

    reply = requests.get(f"{task_url}/logs/1", headers=headers, timeout=60)
    assert reply.status_code == 200, reply.text
    lines = [entry for entry in reply.json()["content"] if isinstance(entry, dict)]
    events = "\n".join(str(entry.get("event", "")) for entry in lines)
    # The task's log is there and clean: its return value, no error-level line.
    assert "Returned value was: {'waves':" in events
    errors = [entry for entry in lines if str(entry.get("level", "")).lower() == "error"]
    assert errors == []
    assert "resource_tracker" not in events
