"""The fiscal-year release deadline: the DAG carries it, and Airflow's callback runner calling
our callback puts a Japanese alert in the outbox unless that year's release exists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import SyncCallback
from airflow.sdk.definitions.deadline import DagRunLogicalDateDeadline
from airflow.sdk.execution_time.callback_supervisor import execute_callback
from cli_support import Backfilled, impact_env

from impact_warehouse.ops import calendar
from impact_warehouse.ops.calendar import configured_calendar
from impact_warehouse.orchestration.deadline import release_deadline_alert, release_deadline_missed
from impact_warehouse.settings import PROJECT_ROOT

CALLBACK_PATH = "impact_warehouse.orchestration.deadline.release_deadline_missed"

CALENDAR = configured_calendar()


def deadline_context(fiscal_year: int) -> dict:
    """What Airflow's scheduler hands a deadline callback (``Deadline.handle_miss``): the run as
    the REST API shows it, serialised to JSON, and the deadline."""
    run_at = CALENDAR.release_run_at(fiscal_year)
    due = CALENDAR.release_due_at(fiscal_year)
    return {
        "dag_run": {
            "dag_id": "impact_warehouse",
            "dag_run_id": f"scheduled__{run_at.isoformat()}",
            "logical_date": run_at.isoformat(),
            "run_after": run_at.isoformat(),
            "run_type": "scheduled",
            "state": "running",
            "conf": {},
        },
        "deadline": {"id": "0193", "deadline_time": due.isoformat()},
    }


def run_like_airflow(context: dict) -> tuple[bool, str | None]:
    callback = SyncCallback(release_deadline_missed)
    assert callback.path == CALLBACK_PATH
    return execute_callback(
        callback.path,
        {**callback.kwargs, "context": context},
        "warehouse_release_dag.py",
        str(PROJECT_ROOT / "dags"),
        structlog.get_logger("test"),
    )


def outbox_alerts(work: Path) -> list[dict]:
    outbox = work / "outbox" / "alerts.jsonl"
    if not outbox.exists():
        return []
    return [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]


def test_the_warehouse_dag_carries_the_release_deadline() -> None:
    dag = DagBag(dag_folder=str(PROJECT_ROOT / "dags")).dags["impact_warehouse"]
    [alert] = dag.deadline
    assert isinstance(alert.reference, DagRunLogicalDateDeadline)
    assert alert.interval == timedelta(days=calendar.DEFAULT_RELEASE_DEADLINE_DAYS)
    assert isinstance(alert.callback, SyncCallback) and alert.callback.path == CALLBACK_PATH
    # The 1 May 2026 run (FY2025) is due on 31 May 2026, 06:00 JST.
    assert CALENDAR.release_due_at(2025).isoformat() == "2026-05-31T06:00:00+09:00"


def test_a_late_release_alerts_staff_in_japanese(tmp_path: Path) -> None:
    work = tmp_path / "work"
    with impact_env(work):
        ok, error = run_like_airflow(deadline_context(2025))
    assert ok, error
    [record] = outbox_alerts(work)
    assert record["alert"]["kind"] == "release_overdue"
    assert record["subject"] == "【インパクト集計】年度の集計の公開が期限を過ぎています:2025年度"
    body = record["body"]
    assert "2025年度の集計(年度リリース)が、公開期限の2026年5月31日 6:00を過ぎても" in body
    assert "impact publish" in body and "impact status" in body  # what to do
    assert '"due_at": "2026-05-31T06:00:00+09:00"' in body  # technical detail attached


def test_a_damaged_current_release_does_not_silence_the_late_alert(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "releases").mkdir(parents=True)
    (work / "releases" / "CURRENT").write_bytes(b"\xef\xbb\xbfFY2024-20250501-0600-ab12\n")
    with impact_env(work):
        ok, error = run_like_airflow(deadline_context(2025))
    assert ok, error
    [record] = outbox_alerts(work)
    assert record["alert"]["kind"] == "release_overdue"
    assert record["alert"]["details"]["current_release"] is None


@pytest.mark.slow  # reads the backfilled release (tests/cli/conftest.py)
def test_no_alert_when_that_years_release_exists(backfilled: Backfilled) -> None:
    before = len(outbox_alerts(backfilled.work))
    with backfilled.env():
        # The demo release is FY2026: its deadline (31 May 2027) passes quietly ...
        assert release_deadline_missed(deadline_context(2026))["late"] is False
        assert len(outbox_alerts(backfilled.work)) == before
        # ... while a trigger-form run for FY2025 (no FY2025 release) alerts.
        context = deadline_context(2026)
        context["dag_run"]["conf"] = {"fiscal_year": 2025}
        assert release_deadline_missed(context)["late"] is True
    assert outbox_alerts(backfilled.work)[-1]["alert"]["fiscal_year"] == 2025


def test_the_deadline_moves_with_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert calendar.release_deadline_interval({"IMPACT_RELEASE_DEADLINE_DAYS": "45"}).days == 45
    monkeypatch.setenv("IMPACT_RELEASE_DEADLINE_DAYS", "45")
    assert release_deadline_alert().interval == timedelta(days=45)
    # "off" is what `impact demo` / `impact pull` set for `airflow dags test` (Airflow 3.3.2
    # cannot finish a DAG.test() run of a DAG with a deadline).
    monkeypatch.setenv("IMPACT_RELEASE_DEADLINE_DAYS", "off")
    assert release_deadline_alert() is None
    with pytest.raises(ValueError, match="IMPACT_RELEASE_DEADLINE_DAYS"):
        calendar.release_deadline_interval({"IMPACT_RELEASE_DEADLINE_DAYS": "end of May"})
