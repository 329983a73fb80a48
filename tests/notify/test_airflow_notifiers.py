"""Alerts go out through Airflow's notifiers (SmtpNotifier, AppriseNotifier), to a real SMTP
server and a real webhook receiver, keeping the wording, the digest, the ledger and the queue."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from impact_warehouse.notify import (
    Alert,
    AlertConfigError,
    AlertLedger,
    AlertQueue,
    AppriseChannel,
    OutboxChannel,
    SmtpChannel,
    WebhookChannel,
    channels_from_env,
    notifiers,
    render,
    send_alerts,
)
from impact_warehouse.notify.channels import is_plain_webhook
from impact_warehouse.settings import paths

if TYPE_CHECKING:  # the shared fixture's type, from tests/conftest.py
    from conftest import SmtpInbox

NOW = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


@dataclass
class Receiver:
    url: str
    bodies: list[dict] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered first; then 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(f"127.0.0.1:{server.server_address[1]}")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def ledger(tmp_path: Path) -> AlertLedger:
    return AlertLedger(tmp_path / "ledger.sqlite", resend_after=timedelta(hours=168))


def warning(wave: str = "mamabono_2025_post", observed: float = 0.5) -> Alert:
    return Alert(
        kind="gate_warning",
        program_code="mamabono",
        cohort_code="mamabono_2025",
        wave_code=wave,
        check_name="response_rate",
        observed=observed,
        threshold=0.7,
        fiscal_year=2025,
        run_id="scheduled__notifiers",
        details={"responded": 16, "targeted": 32},
    )


def release(release_id: str = "FY2025-<r1>&{{ ti }}") -> Alert:
    # Markup and Jinja in a value: staff must read them as written (escaped, not rendered).
    return Alert(
        kind="release_published",
        fiscal_year=2025,
        run_id="manual__notifiers",
        details={"release_id": release_id},
    )


def test_mail_goes_through_smtp_notifier_as_the_japanese_plain_text(
    smtp_server: SmtpInbox, ledger: AlertLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_by_notifier: list[str] = []
    original = notifiers.send_mail

    def spy(**kwargs: object) -> None:
        sent_by_notifier.append(str(kwargs["subject"]))
        original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("impact_warehouse.notify.channels.send_mail", spy)
    channel = SmtpChannel(
        host="127.0.0.1",
        port=smtp_server.port,
        sender="pipeline@example.org",
        recipients=("staff@example.org",),
        user="pipeline",
        password=smtp_server.password,
    )

    results = send_alerts(
        [warning(), release()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )

    assert [result.status for result in results] == ["sent", "sent"]
    [mail] = smtp_server.messages  # one digest, not two mails
    assert sent_by_notifier == [mail["Subject"]]
    assert mail["Subject"].startswith("【インパクト集計】お知らせ 2件")
    assert mail["From"] == "pipeline@example.org" and mail["To"] == "staff@example.org"
    part = mail.get_body()
    assert part.get_content_type() == "text/html" and part.get_content_charset() == "utf-8"
    # CRLF or LF: both are mail line ends (a module imported earlier, e.g. apprise, can switch
    # the email package to CRLF); what matters is that the lines are kept.
    html = part.get_content().replace("\r\n", "\n")
    # Line for line as the outbox has it: escaped markup, Jinja left alone, newlines kept.
    assert "FY2025-&lt;r1&gt;&amp;{{ ti }}" in html
    assert "回答率: 50.0%(回答 16人 / 対象 32人)" in html
    assert "\n■ 一覧\n" in html
    assert smtp_server.logins == [(b"pipeline", smtp_server.password.encode())]


def test_mail_to_a_server_that_is_down_waits_in_the_queue(
    unused_port: int, ledger: AlertLedger, tmp_path: Path
) -> None:
    down = SmtpChannel("127.0.0.1", unused_port, "p@example.org", ("s@example.org",), timeout=2)
    outbox = OutboxChannel(tmp_path / "alerts.jsonl")
    queue = AlertQueue(tmp_path / "queue.sqlite")

    [result] = send_alerts(
        [warning()], channels=[outbox, down], ledger=ledger, queue=queue, now=NOW, settings=paths()
    )

    assert result.status == "queued" and result.delivered_to == ("outbox",)
    assert "SMTP delivery to 127.0.0.1" in result.errors["smtp"]
    assert queue.pending_count() == 1


def test_apprise_url_gets_apprise_json_with_the_japanese_title_and_body(
    receiver: Receiver, ledger: AlertLedger
) -> None:
    channel = WebhookChannel(f"json://{receiver.url}/hooks/impact")

    [result] = send_alerts(
        [warning()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )

    assert result.status == "sent"
    [payload] = receiver.bodies
    rendered = render(warning(), settings=paths())
    assert payload["title"] == rendered.subject and "回答率" in payload["title"]
    assert payload["message"].strip() == rendered.body.strip()
    assert payload["type"] == "info"


def test_apprise_connection_delivers_and_a_failure_is_retried_next_run(
    receiver: Receiver, ledger: AlertLedger, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = [{"path": f"json://{receiver.url}/teams-relay/token123", "tag": "all"}]
    monkeypatch.setenv(
        "AIRFLOW_CONN_IMPACT_APPRISE",
        json.dumps({"conn_type": "apprise", "extra": {"config": json.dumps(config)}}),
    )
    (channel,) = channels_from_env({"IMPACT_ALERT_CHANNELS": "apprise"})
    assert isinstance(channel, AppriseChannel) and channel.connection_id == "impact_apprise"
    queue = AlertQueue(tmp_path / "queue.sqlite")
    receiver.statuses.append(500)

    [first] = send_alerts(
        [warning()], channels=[channel], ledger=ledger, queue=queue, now=NOW, settings=paths()
    )
    # AppriseHook drops apprise's result: the failure must still be seen, and kept queued.
    assert first.status == "queued" and "HTTP 500" in first.errors["apprise"]
    assert "token123" not in first.errors["apprise"]
    assert queue.pending_count() == 1

    later = NOW + timedelta(hours=1)
    [second] = send_alerts(
        [warning()], channels=[channel], ledger=ledger, queue=queue, now=later, settings=paths()
    )

    assert second.status == "suppressed" and queue.pending_count() == 0
    assert (
        len(receiver.bodies) == 2
        and receiver.bodies[-1]["title"] == render(warning(), settings=paths()).subject
    )


def test_unreachable_webhook_is_an_error_without_its_token(ledger: AlertLedger, unused_port: int):
    channel = WebhookChannel(f"http://127.0.0.1:{unused_port}/services/T1/B1/tok-secret-9")

    [result] = send_alerts(
        [warning()], channels=[channel], ledger=ledger, now=NOW, settings=paths()
    )

    assert result.status == "queued"
    assert (
        "127.0.0.1" in result.errors["webhook"] and "tok-secret-9" not in result.errors["webhook"]
    )


def test_apprise_channel_without_its_connection_names_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("AIRFLOW_CONN_IMPACT_APPRISE", raising=False)
    with pytest.raises(AlertConfigError, match="impact_apprise"):
        channels_from_env({"IMPACT_ALERT_CHANNELS": "apprise"})


@pytest.mark.parametrize(
    ("url", "plain"),
    [
        # Services apprise knows keep their own format (Slack blocks, Teams cards, LINE).
        ("https://hooks.slack.com/services/T0/B0/abcdef", False),
        ("msteams://team/token_a/token_b/token_c", False),
        ("line://token@user", False),
        ("json://relay.example.org/h", False),
        # Any other http(s) endpoint: the Slack-compatible {"text": ...} the project sent.
        ("https://relay.example.org/h?x=1", True),
        ("http://127.0.0.1:9/services/T/t", True),
    ],
)  # fmt: skip
def test_plain_webhooks_are_the_urls_apprise_does_not_know(url: str, plain: bool) -> None:
    assert is_plain_webhook(url) is plain


def test_a_failed_post_is_seen_even_when_apprise_logging_is_quiet(
    receiver: Receiver, ledger: AlertLedger
) -> None:
    apprise_logger = logging.getLogger("apprise")
    before = apprise_logger.level
    apprise_logger.setLevel(logging.ERROR)  # e.g. a quieter logging set-up in a deployment
    receiver.statuses.extend([404])
    try:
        [result] = send_alerts(
            [warning()],
            channels=[WebhookChannel(f"json://{receiver.url}/hook")],
            ledger=ledger,
            now=NOW,
            settings=paths(),
        )
    finally:
        apprise_logger.setLevel(before)

    assert result.status == "queued" and "HTTP 404" in result.errors["webhook"]
    assert apprise_logger.level == before
