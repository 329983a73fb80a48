"""The optional approval of a release (organisation.csv ``release_approval``), for real.

One work folder, three runs of the ``impact_warehouse`` DAG on the embedded Airflow:

1. ``impact demo`` with the shipped catalog (approval off): the release is published as
   before and nobody is asked (no Human-in-the-loop record at all).
2. The same landing with a catalog copy that says ``release_approval`` = yes:
   ``airflow dags test`` waits in ``approve_release``; an approver logs in to a real
   ``airflow api-server`` on the same metadata database, reads the request (gate summary,
   draft report) and answers "Approve" through the REST API → a new release is published.
3. Again, answered "Reject" → nothing is published, the current release stays, staff are told.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from dag_run_support import alerts, command_env, impact, task_states

from impact_warehouse.orchestration.airflow_env import airflow_environment, airflow_executable
from impact_warehouse.publish import current_release, list_releases
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, Settings

# Three DAG runs (each a dbt build) in the first test's setup: beyond the 600 s default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3000)]

AS_OF = "2026-11-23"
DAG_ID = "impact_warehouse"
APPROVER = "approver"
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"
WAIT_SECONDS = 900  # a bound for a hung run, never a timing assertion


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(what: str, condition: Callable[[], Any], *, alive: list[subprocess.Popen]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for process in alive:
            if process.poll() is not None:
                raise AssertionError(
                    f"{process.args[:3]} exited ({process.returncode}) before {what}"
                )
        result = condition()
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"gave up waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, to the process group this test started (start_new_session)."""
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


class ApiServer:
    """``airflow api-server`` on loopback; every request as the logged-in approver."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = Path(env["AIRFLOW_HOME"])
        self.env = {
            **env,
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{APPROVER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        }
        self.env.pop("AIRFLOW__CORE__AUTH_MANAGER", None)  # SimpleAuthManager, the default
        with log.open("w", encoding="utf-8") as output:
            self.process = subprocess.Popen(
                [airflow_executable(), "api-server", "--port", str(self.port)],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.session = requests.Session()

    def login(self) -> None:
        def healthy() -> bool:
            try:
                return requests.get(f"{self.url}/api/v2/monitor/health", timeout=2).ok
            except requests.RequestException:
                return False

        _wait_for("the API server", healthy, alive=[self.process])
        passwords = json.loads((self.home / PASSWORD_FILE).read_text(encoding="utf-8"))
        response = requests.post(
            f"{self.url}/auth/token",
            json={"username": APPROVER, "password": passwords[APPROVER]},
            timeout=10,
        )
        assert response.status_code in (200, 201), response.text
        token = response.json()["access_token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def waiting_requests(self) -> list[dict[str, Any]]:
        """Required actions of the DAG not answered yet, whose task is parked for input."""
        response = self.session.get(
            f"{self.url}/api/v2/dags/{DAG_ID}/dagRuns/~/hitlDetails",
            params={"response_received": "false"},
            timeout=10,
        )
        response.raise_for_status()
        return [
            detail
            for detail in response.json()["hitl_details"]
            if detail["task_instance"]["state"] == "awaiting_input"
        ]

    def answer(self, detail: dict[str, Any], option: str) -> dict[str, Any]:
        ti = detail["task_instance"]
        response = self.session.patch(
            f"{self.url}/api/v2/dags/{DAG_ID}/dagRuns/{ti['dag_run_id']}/taskInstances/"
            f"{ti['task_id']}/{ti['map_index']}/hitlDetails",
            json={"chosen_options": [option]},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``impact demo`` (ingest + warehouse) with the shipped catalog: approval off."""
    work = tmp_path_factory.mktemp("approval") / "work"
    result = impact(["demo", "--as-of", AS_OF], command_env(work), timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work


@pytest.fixture(scope="module")
def approval_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalog with ``release_approval`` = yes; nothing else changes."""
    import shutil

    catalog = tmp_path_factory.mktemp("approval-catalog") / "seeds"
    shutil.copytree(BUILTIN_CATALOG_DIR, catalog)
    organisation = catalog / "organisation.csv"
    header, row = organisation.read_text(encoding="utf-8").splitlines()
    assert header.endswith(",release_approval") and row.endswith(",no")
    organisation.write_text(f"{header}\n{row[: -len('no')]}yes\n", encoding="utf-8")
    return catalog


@pytest.fixture(scope="module")
def api(work: Path, approval_catalog: Path) -> Iterator[ApiServer]:
    server = ApiServer(_airflow_env(work, approval_catalog), work.parent / "api-server.log")
    try:
        server.login()
        yield server
    finally:
        _stop(server.process)


def _airflow_env(work: Path, catalog: Path) -> dict[str, str]:
    settings = Settings.for_work_dir(work, work.parent / "inbox", catalog)
    return {
        **command_env(work, IMPACT_CATALOG_DIR=str(catalog)),
        **airflow_environment(settings),
        "IMPACT_RELEASE_DEADLINE_DAYS": "off",  # `dags test` cannot run a deadline alert
    }


def _run_and_answer(
    work: Path, catalog: Path, api: ApiServer, option: str
) -> tuple[dict[str, Any], str]:
    """``airflow dags test`` the warehouse DAG; answer its approval request with ``option``."""
    log = work.parent / f"dags-test-{option}.log"
    with log.open("w", encoding="utf-8") as output:
        run = subprocess.Popen(
            [airflow_executable(), "dags", "test", DAG_ID, "-c", json.dumps({"as_of": AS_OF})],
            env=_airflow_env(work, catalog),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        (request,) = _wait_for("the approval request", api.waiting_requests, alive=[run])
        api.answer(request, option)
        run.wait(timeout=WAIT_SECONDS)
    finally:
        if run.poll() is None:
            _stop(run)
    output_text = log.read_text(encoding="utf-8", errors="replace")
    assert run.returncode == 0, output_text[-4000:]
    return request, output_text


def _hitl_records(work: Path) -> int:
    with sqlite3.connect(f"file:{work / 'airflow' / 'airflow.db'}?mode=ro", uri=True) as db:
        (count,) = db.execute("select count(*) from hitl_detail").fetchone()
    return count


@pytest.fixture(scope="module")
def runs(work: Path, approval_catalog: Path, api: ApiServer) -> dict[str, Any]:
    releases = work / "releases"
    off = {
        "states": task_states(work, DAG_ID),
        "releases": [release.release_id for release in list_releases(releases)],
        "hitl_records": _hitl_records(work),
    }
    approve_request, _ = _run_and_answer(work, approval_catalog, api, "Approve")
    approved = {
        "request": approve_request,
        "states": task_states(work, DAG_ID),
        "releases": [release.release_id for release in list_releases(releases)],
        "current": current_release(releases),
    }
    reject_request, _ = _run_and_answer(work, approval_catalog, api, "Reject")
    rejected = {
        "request": reject_request,
        "states": task_states(work, DAG_ID),
        "releases": [release.release_id for release in list_releases(releases)],
        "current": current_release(releases),
        "alerts": alerts(work),
    }
    return {"off": off, "approved": approved, "rejected": rejected}


def _state(states: dict, task_id: str) -> str:
    return states[(task_id, -1)][0]


def test_without_approval_the_gate_publishes_as_before(runs: dict[str, Any]) -> None:
    off = runs["off"]
    assert len(off["releases"]) == 1
    assert _state(off["states"], "approve_release") == "success"
    assert _state(off["states"], "publish_and_alert") == "success"
    assert _state(off["states"], "render_reports") == "success"
    assert off["hitl_records"] == 0  # nobody was asked


def test_an_approved_release_is_published(runs: dict[str, Any], work: Path) -> None:
    approved, before = runs["approved"], runs["off"]["releases"]
    request = approved["request"]
    assert request["options"] == ["Approve", "Reject"]
    # What the approver reads: the gate's verdict and a draft report of this very build.
    assert "年度の集計を公開してよいか" in request["subject"]
    assert "データ確認の結果" in request["body"] and "エラー: 0 件" in request["body"]
    drafts = [line for line in request["body"].splitlines() if ".html" in line]
    assert drafts, request["body"]
    draft = Path(drafts[0].split("`")[1])
    assert draft.is_file() and (work / "drafts") in draft.parents
    assert "impact_report_fy" in draft.name

    assert _state(approved["states"], "approve_release") == "success"
    assert _state(approved["states"], "publish_and_alert") == "success"
    assert _state(approved["states"], "render_reports") == "success"
    new = set(approved["releases"]) - set(before)
    assert len(new) == 1
    assert approved["current"].release_id == new.pop()
    assert approved["current"].run_id == request["task_instance"]["dag_run_id"]
    # The draft was never a release: not listed, not published.
    assert not (work / "releases" / draft.parts[-3]).exists()


def test_a_rejected_release_is_not_published_and_staff_are_told(runs: dict[str, Any]) -> None:
    rejected, approved = runs["rejected"], runs["approved"]
    assert _state(rejected["states"], "approve_release") == "success"
    assert _state(rejected["states"], "publish_and_alert") == "skipped"
    assert _state(rejected["states"], "render_reports") == "skipped"
    assert rejected["releases"] == approved["releases"]
    assert rejected["current"].release_id == approved["current"].release_id
    run_id = rejected["request"]["task_instance"]["dag_run_id"]
    told = [a for a in rejected["alerts"] if a["alert"]["kind"] == "release_rejected"]
    assert [a["alert"]["run_id"] for a in told] == [run_id]
    assert "公開しませんでした" in told[0]["body"]
