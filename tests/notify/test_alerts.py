"""Alerts reach staff in Japanese over a real SMTP server and a real webhook, without spam."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from impact_warehouse.notify import (
    Alert,
    AlertConfigError,
    AlertLedger,
    OutboxChannel,
    SmtpChannel,
    WebhookChannel,
    channels_from_env,
    send_alerts,
)
from impact_warehouse.settings import paths

if TYPE_CHECKING:  # the shared fixture's type, from tests/conftest.py
    pass

NOW = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
SMTP_PASSWORD = "s3cret-password-for-tests"


def low_response_rate(observed: float = 0.42) -> Alert:
    return Alert(
        kind="gate_warning",
        program_code="mamabono",
        cohort_code="mamabono_2025",
        wave_code="mamabono_2025_post",
        check_name="response_rate",
        observed=observed,
        threshold=0.70,
        fiscal_year=2025,
        run_id="scheduled__2026-01-15",
        details={"responded": 21, "targeted": 50},
    )


def scale_failure() -> Alert:
    return Alert(
        kind="gate_failure",
        program_code="mamabono",
        cohort_code="mamabono_2025",
        wave_code="mamabono_2025_pre",
        check_name="scale_domain",
        observed=3,
        threshold=0,
        fiscal_year=2025,
        run_id="manual__1",
        details={"item_code": "q_confidence", "values": [7, 9]},
    )


@pytest.fixture
def webhook_server() -> Iterator[tuple[str, list[dict], list[int]]]:
    received: list[dict] = []
    statuses_to_return: list[int] = []  # consumed first; then 200

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            status = statuses_to_return.pop(0) if statuses_to_return else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/token"
        yield url, received, statuses_to_return
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ledger(tmp_path: Path) -> AlertLedger:
    return AlertLedger(tmp_path / "ledger.sqlite", resend_after=timedelta(hours=168))


def test_japanese_mail_naming_cohort_wave_and_check_arrives_over_smtp(
    smtp_server, ledger, caplog
) -> None:
    channel = SmtpChannel(
        host="127.0.0.1",
        port=smtp_server.port,
        sender="impact@example.org",
        recipients=("staff@example.org", "lead@example.org"),
        user="impact",
        password=smtp_server.password,
    )
    caplog.set_level(logging.DEBUG, logger="impact_warehouse")

    results = send_alerts(
        [scale_failure()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )

    assert [result.status for result in results] == ["sent"]
    assert smtp_server.logins == [(b"impact", smtp_server.password.encode())]
    [mail] = smtp_server.messages
    subject, body = mail["Subject"], mail.get_body().get_content()
    assert "ママボノ" in subject and "データ確認でエラー" in subject
    for expected in ("mamabono_2025", "mamabono_2025_pre", "回答の値が選択肢・範囲の外"):
        assert expected in subject
    for expected in (
        "ママボノ 2025年度(10-12月)",
        "開始前アンケート",
        "scale_domain",
        "ファイルを確認してください",
        "Technical details",
        '"item_code": "q_confidence"',
    ):
        assert expected in body
    # SmtpNotifier sends the body as an HTML part (multipart/mixed); the part is UTF-8.
    assert mail.get_body().get_content_charset() == "utf-8"
    assert smtp_server.password not in caplog.text
    assert smtp_server.password not in repr(channel)


def test_webhook_receives_slack_json_and_retries_once_on_5xx(webhook_server, ledger) -> None:
    url, received, statuses = webhook_server
    statuses.append(503)

    results = send_alerts(
        [low_response_rate()],
        channels=[WebhookChannel(url, timeout=5)],
        ledger=ledger,
        now=NOW,
        settings=paths(),
    )

    assert [result.status for result in results] == ["sent"]
    assert len(received) == 2  # the 503, then the retry
    text = received[-1]["text"]
    assert set(received[-1]) == {"text"}
    assert "42.0%" in text and "70.0%" in text
    assert "リマインドメールを送ってください" in text
    assert "mamabono_2025_post" in text


def test_failed_webhook_reports_without_leaking_url_and_is_retried_next_run(
    webhook_server, ledger
) -> None:
    url, received, statuses = webhook_server
    statuses.extend([500, 500])
    channel = WebhookChannel(url, timeout=5)

    [first] = send_alerts(
        [low_response_rate()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )
    [second] = send_alerts(
        [low_response_rate()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )
    send_alerts([], channels=[channel], ledger=ledger, now=NOW, settings=paths())

    assert first.status == "queued" and first.delivered_to == ()
    assert "HTTP 500" in first.errors["webhook"] and "token" not in first.errors["webhook"]
    # The next run does not raise the unchanged condition again but delivers the queued one.
    assert second.status == "suppressed"
    assert len(received) == 3  # 500, 500, then the retried alert, once
    assert "mamabono_2025_post" in received[-1]["text"]


def test_outbox_and_ledger_under_the_work_folder_are_the_defaults(monkeypatch) -> None:
    monkeypatch.delenv("IMPACT_ALERT_CHANNELS", raising=False)
    outbox_file = paths().outbox / "alerts.jsonl"
    assert [channel.name for channel in channels_from_env({}, outbox=outbox_file)] == ["outbox"]
    with pytest.raises(AlertConfigError, match="outbox"):  # never a folder of its own choosing
        channels_from_env({})


@pytest.mark.parametrize("listed", ["", " ", ",", " , ,"])
def test_a_channel_list_naming_no_channel_is_refused(listed, tmp_path, ledger) -> None:
    # Set but empty (`IMPACT_ALERT_CHANNELS=` in an env file) would record every alert as
    # delivered to no one, and suppress it on every later run.
    with pytest.raises(AlertConfigError, match="names no channel"):
        channels_from_env({"IMPACT_ALERT_CHANNELS": listed}, outbox=tmp_path / "alerts.jsonl")
    with pytest.raises(AlertConfigError, match="no alert channel"):
        send_alerts([low_response_rate()], channels=[], ledger=ledger, now=NOW, settings=paths())
    assert ledger.should_send(low_response_rate(), NOW)  # nothing recorded as sent


def test_a_channel_listed_twice_is_used_once(tmp_path, ledger) -> None:
    environ = {"IMPACT_ALERT_CHANNELS": "outbox, OUTBOX ,outbox"}
    channels = channels_from_env(environ, outbox=tmp_path / "alerts.jsonl")
    assert [channel.name for channel in channels] == ["outbox"]
    [result] = send_alerts(
        [low_response_rate()], channels=channels, ledger=ledger, now=NOW, settings=paths()
    )
    assert result.status == "sent"

    results = send_alerts([low_response_rate()], now=NOW, settings=paths())
    again = send_alerts([low_response_rate()], now=NOW + timedelta(hours=1), settings=paths())

    outbox = paths().work / "outbox" / "alerts.jsonl"
    assert (paths().work / "outbox" / "alert_ledger.sqlite").exists()
    assert again[0].status == "suppressed"
    records = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert results[0].status == "sent"
    assert records[-1]["fingerprint"] == low_response_rate().fingerprint
    assert "回答率" in records[-1]["subject"]
    assert records[-1]["alert"]["wave_code"] == "mamabono_2025_post"


def test_same_condition_is_sent_once_until_it_changes_or_the_period_passes(
    tmp_path, ledger
) -> None:
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")

    def statuses(alert: Alert, now: datetime) -> list[str]:
        return [
            r.status
            for r in send_alerts(
                [alert], channels=[outbox], ledger=ledger, now=now, settings=paths()
            )
        ]

    assert statuses(low_response_rate(0.42), NOW) == ["sent"]
    assert statuses(low_response_rate(0.42), NOW + timedelta(days=1)) == ["suppressed"]
    assert statuses(low_response_rate(0.50), NOW + timedelta(days=2)) == ["sent"]
    assert statuses(low_response_rate(0.50), NOW + timedelta(days=3)) == ["suppressed"]
    assert statuses(low_response_rate(0.50), NOW + timedelta(days=9, hours=1)) == ["sent"]
    assert len(outbox.path.read_text(encoding="utf-8").splitlines()) == 3


def test_cleared_condition_that_reappears_is_sent_again(tmp_path, ledger) -> None:
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")
    send_alerts(
        [low_response_rate(), scale_failure()],
        channels=[outbox],
        ledger=ledger,
        now=NOW,
        settings=paths(),
    )

    cleared = ledger.resolve([scale_failure().fingerprint])
    results = send_alerts(
        [low_response_rate(), scale_failure()],
        channels=[outbox],
        ledger=ledger,
        now=NOW,
        settings=paths(),
    )

    assert cleared == [low_response_rate().fingerprint]
    assert [result.status for result in results] == ["sent", "suppressed"]


def test_events_are_never_deduplicated(tmp_path, ledger) -> None:
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")
    release = Alert(
        kind="release_published",
        program_code="mamabono",
        fiscal_year=2025,
        details={"headline_figures": {"参加者数": 120}},
    )
    results = send_alerts(
        [release, release], channels=[outbox], ledger=ledger, now=NOW, settings=paths()
    )
    assert [result.status for result in results] == ["sent", "sent"]
    assert "参加者数: 120" in json.loads(outbox.path.read_text().splitlines()[0])["body"]


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"IMPACT_ALERT_CHANNELS": "outbox,smtp"}, "IMPACT_SMTP_HOST"),
        ({"IMPACT_ALERT_CHANNELS": "smtp", "IMPACT_SMTP_HOST": "mail"}, "IMPACT_ALERT_FROM"),
        (
            {
                "IMPACT_ALERT_CHANNELS": "smtp",
                "IMPACT_SMTP_HOST": "mail",
                "IMPACT_ALERT_FROM": "impact@example.org",
            },
            "IMPACT_ALERT_TO",
        ),
        ({"IMPACT_ALERT_CHANNELS": "webhook"}, "IMPACT_ALERT_WEBHOOK_URL"),
    ],
)
def test_enabled_channel_without_settings_names_the_missing_variable(
    environ, missing, tmp_path
) -> None:
    with pytest.raises(AlertConfigError, match=missing):
        channels_from_env(environ, outbox=tmp_path / "alerts.jsonl")


def test_smtp_settings_from_environment(tmp_path) -> None:
    [_outbox, smtp] = channels_from_env(
        {
            "IMPACT_ALERT_CHANNELS": "outbox, smtp",
            "IMPACT_SMTP_HOST": "mail.example.org",
            "IMPACT_SMTP_STARTTLS": "true",
            "IMPACT_SMTP_USER": "impact",
            "IMPACT_SMTP_PASSWORD": SMTP_PASSWORD,
            "IMPACT_ALERT_FROM": "impact@example.org",
            "IMPACT_ALERT_TO": "a@example.org, b@example.org",
        },
        outbox=tmp_path / "alerts.jsonl",
    )
    assert isinstance(smtp, SmtpChannel)
    assert (smtp.port, smtp.starttls) == (587, True)
    assert smtp.recipients == ("a@example.org", "b@example.org")
    assert SMTP_PASSWORD not in repr(smtp)


def test_every_gate_check_has_a_japanese_label() -> None:
    from impact_warehouse.notify.wording_ja import CHECK_LABELS_JA
    from impact_warehouse.quality.checks import CHECKS

    assert set(CHECKS) <= set(CHECK_LABELS_JA)
