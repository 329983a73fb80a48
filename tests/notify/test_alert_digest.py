"""One digest per run, delivery that counts only what was delivered, and true wording.

Issue 12: one failing publish sent 6 alerts (4 for one wave); with ``outbox,smtp`` and SMTP
down the mail counted as sent and was never sent; task-failure alerts said 「不明」; the
freshness alert called a maximum a target and claimed a publish that did not happen.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest

from impact_warehouse.notify import (
    Alert,
    AlertLedger,
    AlertQueue,
    OutboxChannel,
    SmtpChannel,
    render,
    send_alerts,
)
from impact_warehouse.orchestration.airflow_support import alert_staff_on_failure
from impact_warehouse.settings import paths

if TYPE_CHECKING:  # the shared fixture's type, from tests/conftest.py
    from conftest import SmtpInbox

NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)


def finding(kind: str, wave: str, check: str, **fields: object) -> Alert:
    return Alert(
        kind=kind,  # type: ignore[arg-type]
        program_code="mamabono",
        cohort_code="mamabono_2025",
        wave_code=wave,
        check_name=check,
        fiscal_year=2025,
        run_id="scheduled__2026-01-20",
        **fields,  # type: ignore[arg-type]
    )


def failing_publish() -> list[Alert]:
    """What one failing publish raised: six findings, four of them for one wave."""
    post = "mamabono_2025_post"
    return [
        finding("gate_failure", post, "scale_domain", observed=11.0, threshold=10.0,
                details={"rows": 3, "min_value": 1, "max_value": 10}),
        finding("gate_failure", post, "unique_participant_wave", observed=2, threshold=0),
        finding("gate_failure", post, "answers_map_to_catalog", observed=5, threshold=0),
        finding("gate_warning", post, "linkage_rate", observed=0.8, threshold=0.9,
                details={"respondents": 25}),
        finding("gate_warning", "mamabono_2025_pre", "response_rate", observed=0.42,
                threshold=0.7, details={"responded": 21, "targeted": 50}),
        finding("gate_warning", "mamabono_2025_pre", "freshness", observed=51.0,
                threshold=35.0),
    ]  # fmt: skip


@pytest.fixture
def ledger(tmp_path: Path) -> AlertLedger:
    return AlertLedger(tmp_path / "alert_ledger.sqlite", resend_after=timedelta(hours=168))


def smtp_channel(port: int) -> SmtpChannel:
    return SmtpChannel(
        host="127.0.0.1",
        port=port,
        sender="pipeline@example.org",
        recipients=("staff@example.org",),
        timeout=5,
    )


def test_one_failing_publish_is_one_mail_listing_every_finding_by_wave(
    smtp_server: SmtpInbox, ledger: AlertLedger, tmp_path: Path
) -> None:
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")
    alerts = failing_publish()

    results = send_alerts(
        alerts,
        channels=[outbox, smtp_channel(smtp_server.port)],
        ledger=ledger,
        now=NOW,
        settings=paths(),
    )

    assert [result.status for result in results] == ["sent"] * 6
    [mail] = smtp_server.messages
    subject, body = mail["Subject"], mail.get_body().get_content()
    assert subject == "【インパクト集計】お知らせ 6件:エラー 3件・注意 3件(2025年度)"
    assert "集計は公開していません" in body and "集計は公開しました" not in body
    # Grouped by wave, with the wave's Japanese name and its close date.
    assert body.count("◆ mamabono_2025_post(") == 1
    assert "回答期間: " in body and "(締切 " in body
    for alert in alerts:
        assert render(alert, settings=paths()).subject in body
    # The outbox keeps one line per alert, each naming the digest it went out in.
    lines = [json.loads(line) for line in outbox.path.read_text("utf-8").splitlines()]
    assert len(lines) == 6 and len({line["digest_id"] for line in lines}) == 1
    assert {line["alert"]["check_name"] for line in lines} == {a.check_name for a in alerts}


def test_smtp_down_then_up_delivers_the_mail_exactly_once(
    smtp_server: SmtpInbox, unused_port: int, ledger: AlertLedger, tmp_path: Path
) -> None:
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")
    queue = AlertQueue(tmp_path / "alert_queue.sqlite")
    release = Alert(
        kind="release_published",
        fiscal_year=2025,
        run_id="run-1",
        details={
            "release_id": "FY2025-r1",
            "headline_figures": {"mamabono_2025_post 回答率": "24/32"},
        },
    )
    warning = finding("gate_warning", "mamabono_2025_post", "response_rate", observed=0.5,
                      threshold=0.7, details={"responded": 16, "targeted": 32})  # fmt: skip

    down = smtp_channel(unused_port)  # nothing listens there: the server is down
    first = send_alerts(
        [warning, release],
        channels=[outbox, down],
        ledger=ledger,
        queue=queue,
        now=NOW,
        settings=paths(),
    )

    assert [result.status for result in first] == ["queued", "queued"]
    assert all(result.delivered_to == ("outbox",) for result in first)
    assert "smtp" in first[0].errors and smtp_server.messages == []
    assert queue.pending_count() == 2

    up = smtp_channel(smtp_server.port)
    later = NOW + timedelta(hours=1)
    second = send_alerts(
        [warning], channels=[outbox, up], ledger=ledger, queue=queue, now=later, settings=paths()
    )
    third = send_alerts(
        [], channels=[outbox, up], ledger=ledger, queue=queue, now=later, settings=paths()
    )

    assert [result.status for result in second] == ["suppressed"] and third == []
    [mail] = smtp_server.messages  # exactly once, with the release not lost
    body = mail.get_body().get_content()
    assert "新しい集計を公開しました(2025年度)" in body and "FY2025-r1" in body
    assert "回答率: 50.0%(回答 16人 / 対象 32人)" in body
    assert "mamabono_2025_post(終了後アンケート・2025年度ママボノ参加者) 回答率: 24/32" in body
    assert queue.pending_count() == 0
    assert len(outbox.path.read_text("utf-8").splitlines()) == 2  # the outbox wrote once


def test_freshness_wording_names_a_maximum_in_days_and_claims_no_publish() -> None:
    [_, _, _, _, _, freshness] = failing_publish()

    body = render(freshness, settings=paths()).body

    assert "最後の取り込みからの日数: 51日" in body
    assert "上限: 35日" in body
    assert "目標" not in body and "実際の値" not in body
    assert "公開しました" not in body


def test_task_failure_alert_names_the_task_and_the_wave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox")
    task = SimpleNamespace(op_kwargs={"wave_code": "mamabono_2025_post"})
    task_instance = SimpleNamespace(
        dag_id="impact_ingest", task_id="land_form_wave", try_number=3, map_index=1, task=task
    )

    alert_staff_on_failure(
        {
            "ti": task_instance,
            "run_id": "scheduled__2026-01-01",
            "exception": ValueError("HTTP 400"),
        }
    )

    outbox = tmp_path / "work" / "outbox" / "alerts.jsonl"
    [record] = [json.loads(line) for line in outbox.read_text("utf-8").splitlines()]
    assert "不明" not in record["body"]
    assert (
        "自動処理「アンケート回答の取り込み」(処理の流れ impact_ingest)が失敗しました"
        in record["body"]
    )
    assert "アンケート: mamabono_2025_post(" in record["body"]
    assert "コホート: mamabono_2025(ママボノ 2025年度(10-12月))" in record["body"]
    assert "処理: アンケート回答の取り込み(land_form_wave)" in record["body"]
    assert "ValueError('HTTP 400')" in record["body"]
    assert record["subject"].startswith(
        "【ママボノ】自動処理が失敗しました:アンケート回答の取り込み"
    )


def test_a_claimed_delivery_is_sent_by_one_process_and_taken_over_after_a_crash(
    tmp_path: Path,
) -> None:
    path = tmp_path / "alert_queue.sqlite"
    [alert_id] = AlertQueue(path).enqueue(
        [render(failing_publish()[0], settings=paths())], ["smtp"], NOW
    )

    first_process, second_process = AlertQueue(path), AlertQueue(path)
    claimed = first_process.claim("smtp", NOW)
    claimed_meanwhile = second_process.claim("smtp", NOW + timedelta(minutes=1))
    # The first process was killed before it settled: after the claim timeout, the next
    # run takes the delivery over, and once delivered nobody sends it again.
    taken_over = second_process.claim("smtp", NOW + timedelta(minutes=11))
    second_process.settle("smtp", [alert_id], NOW + timedelta(minutes=11), None)

    assert [item.alert_id for item in claimed] == [alert_id]
    assert claimed_meanwhile == []
    assert [item.alert_id for item in taken_over] == [alert_id]
    assert first_process.claim("smtp", NOW + timedelta(hours=1)) == []
    assert first_process.delivered_channels(alert_id) == ("smtp",)


def test_delivered_alerts_are_pruned_after_ninety_days_and_pending_ones_never(
    tmp_path: Path,
) -> None:
    queue = AlertQueue(tmp_path / "alert_queue.sqlite")
    delivered, pending = queue.enqueue(
        [render(a, settings=paths()) for a in failing_publish()[:2]], ["smtp"], NOW
    )
    queue.settle("smtp", [delivered], NOW, None)

    assert queue.prune(NOW + timedelta(days=89)) == 0
    assert queue.prune(NOW + timedelta(days=91)) == 1
    assert [item.alert_id for item in queue.claim("smtp", NOW + timedelta(days=91))] == [pending]
