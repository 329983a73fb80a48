"""Alert channels configured as Airflow connections, the form operators keep in Airflow.

``impact_smtp`` (host, port, login, password; extra from/to/starttls) and
``impact_alert_webhook`` (the URL in the password) are given here in Airflow's
environment-variable form, ``AIRFLOW_CONN_<ID>`` holding the connection as JSON, which is
also how a secrets backend or the metadata database hands them to a task. A defined
connection wins over the ``IMPACT_*`` variables.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from impact_warehouse.notify import Alert, AlertConfigError, AlertLedger, send_alerts
from impact_warehouse.notify.channel_config import channels_from_env
from impact_warehouse.settings import paths

if TYPE_CHECKING:  # the shared fixture's type, from tests/conftest.py
    from conftest import SmtpInbox


@pytest.fixture
def webhook_receiver() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T1/B1/secret", received
    finally:
        server.shutdown()
        server.server_close()


def release_alert() -> Alert:
    return Alert(
        kind="release_published",
        fiscal_year=2025,
        run_id="manual__connections",
        details={"release_id": "FY2025-test"},
    )


def send(tmp_path: Path) -> list:
    ledger = AlertLedger(tmp_path / "ledger.sqlite", resend_after=timedelta(hours=168))
    return send_alerts([release_alert()], ledger=ledger, now=datetime.now(UTC), settings=paths())


def test_smtp_connection_delivers_and_wins_over_the_environment(
    smtp_server: SmtpInbox,
    unused_port: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp_server.port,
        "login": "pipeline",
        "password": smtp_server.password,
        "extra": {"from": "pipeline@example.org", "to": "staff@example.org, lead@example.org"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_IMPACT_SMTP", json.dumps(connection))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "smtp")
    # Stale environment settings that would fail: the connection must be the one used.
    monkeypatch.setenv("IMPACT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IMPACT_SMTP_PORT", str(unused_port))
    monkeypatch.setenv("IMPACT_ALERT_FROM", "old@example.org")
    monkeypatch.setenv("IMPACT_ALERT_TO", "old@example.org")

    (result,) = send(tmp_path)

    assert result.status == "sent" and result.delivered_to == ("smtp",)
    (message,) = smtp_server.messages
    assert message["From"] == "pipeline@example.org"
    assert message["To"] == "staff@example.org, lead@example.org"
    assert "FY2025-test" in message.get_body().get_content()
    assert smtp_server.logins == [(b"pipeline", smtp_server.password.encode())]


def test_smtp_connection_takes_sender_and_recipients_from_env_when_extra_lacks_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_IMPACT_SMTP",
        json.dumps({"conn_type": "smtp", "host": "mail.example.org", "extra": {"starttls": True}}),
    )
    (channel,) = channels_from_env(
        {
            "IMPACT_ALERT_CHANNELS": "smtp",
            "IMPACT_ALERT_FROM": "a@example.org",
            "IMPACT_ALERT_TO": "b@example.org,c@example.org",
        }
    )
    assert (channel.host, channel.port, channel.starttls) == ("mail.example.org", 587, True)
    assert (channel.sender, channel.recipients) == (
        "a@example.org",
        ("b@example.org", "c@example.org"),
    )
    with pytest.raises(AlertConfigError, match="IMPACT_ALERT_TO"):
        channels_from_env({"IMPACT_ALERT_CHANNELS": "smtp", "IMPACT_ALERT_FROM": "a@example.org"})


def test_smtp_connection_without_host_names_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_IMPACT_SMTP", json.dumps({"conn_type": "smtp"}))
    with pytest.raises(AlertConfigError, match="impact_smtp"):
        channels_from_env({"IMPACT_ALERT_CHANNELS": "smtp"})


def test_webhook_connection_holds_the_url_in_its_password(
    webhook_receiver: tuple[str, list[dict]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, received = webhook_receiver
    monkeypatch.setenv(
        "AIRFLOW_CONN_IMPACT_ALERT_WEBHOOK", json.dumps({"conn_type": "http", "password": url})
    )
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "webhook")
    monkeypatch.delenv("IMPACT_ALERT_WEBHOOK_URL", raising=False)

    (result,) = send(tmp_path)

    assert result.status == "sent" and result.delivered_to == ("webhook",)
    (payload,) = received
    assert "FY2025-test" in payload["text"]
    (channel,) = channels_from_env({"IMPACT_ALERT_CHANNELS": "webhook"})
    assert "secret" not in repr(channel)  # the URL carries the token: never in a repr


def test_without_connections_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_IMPACT_SMTP", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_IMPACT_ALERT_WEBHOOK", raising=False)
    smtp, webhook = channels_from_env(
        {
            "IMPACT_ALERT_CHANNELS": "smtp,webhook",
            "IMPACT_SMTP_HOST": "env-mail.example.org",
            "IMPACT_ALERT_FROM": "a@example.org",
            "IMPACT_ALERT_TO": "b@example.org",
            "IMPACT_ALERT_WEBHOOK_URL": "https://hooks.example.org/services/T/B/x",
        }
    )
    assert smtp.host == "env-mail.example.org" and webhook.host == "hooks.example.org"
