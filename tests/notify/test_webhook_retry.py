"""The plain (Slack-style) webhook retries through urllib3.Retry, against a real local
receiver that answers 503 (or 429 with Retry-After) and then 200."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from impact_warehouse.http_retry import LoggedRetry
from impact_warehouse.notify import AlertDeliveryError, WebhookChannel

TOKEN = "tok-secret-7f3a"


@dataclass
class Receiver:
    url: str
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # then 200
    bodies: list[dict] = field(default_factory=list)


@dataclass
class Message:
    subject: str = "回答率が目標を下回っています"
    body: str = "mamabono_2025_post: 42.0%"

    def records(self) -> list[dict]:
        return []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.bodies.append(json.loads(self.rfile.read(length)))
            status, headers = state.answers.pop(0) if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/services/T1/{TOKEN}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_503_then_200_is_one_retry_by_urllib3(
    receiver: Receiver, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    retries: list[LoggedRetry] = []
    increment = LoggedRetry.increment

    def recording_increment(self: LoggedRetry, *args: object, **kwargs: object) -> LoggedRetry:
        retries.append(self)
        return increment(self, *args, **kwargs)

    monkeypatch.setattr(LoggedRetry, "increment", recording_increment)
    receiver.answers = [(503, {})]
    waits: list[float] = []
    channel = WebhookChannel(receiver.url, timeout=5, sleep=waits.append)

    with caplog.at_level(logging.WARNING):
        channel.send(Message())

    assert len(receiver.bodies) == 2  # the 503, then the retry
    assert receiver.bodies[-1] == {
        "text": "*回答率が目標を下回っています*\nmamabono_2025_post: 42.0%"
    }
    assert len(retries) == 1 and retries[0].total == 1
    assert waits == [0.0]  # urllib3 retries once at once; its backoff starts at the second
    assert "webhook to 127.0.0.1" in caplog.text and "HTTP 503" in caplog.text
    assert TOKEN not in caplog.text


def test_retry_after_is_honoured(receiver: Receiver) -> None:
    receiver.answers = [(429, {"Retry-After": "2"})]
    waits: list[float] = []

    WebhookChannel(receiver.url, timeout=5, sleep=waits.append).send(Message())

    assert waits == [2.0] and len(receiver.bodies) == 2


def test_the_last_5xx_is_reported_with_its_status_and_without_the_token(
    receiver: Receiver,
) -> None:
    receiver.answers = [(503, {}), (502, {}), (503, {})]
    channel = WebhookChannel(receiver.url, timeout=5, retries=2, sleep=lambda _: None)

    with pytest.raises(AlertDeliveryError) as failed:
        channel.send(Message())

    assert len(receiver.bodies) == 3  # the first POST and two retries
    assert getattr(failed.value, "status", None) == 503
    assert "HTTP 503" in str(failed.value) and TOKEN not in str(failed.value)


def test_a_4xx_answer_is_not_retried(receiver: Receiver) -> None:
    receiver.answers = [(404, {})]
    channel = WebhookChannel(receiver.url, timeout=5, sleep=lambda _: None)

    with pytest.raises(AlertDeliveryError, match="HTTP 404"):
        channel.send(Message())

    assert len(receiver.bodies) == 1


def test_a_refused_connection_is_retried_then_reported_without_the_token(
    unused_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []
    channel = WebhookChannel(
        f"http://127.0.0.1:{unused_port}/services/T1/{TOKEN}", timeout=2, sleep=waits.append
    )

    with caplog.at_level(logging.DEBUG), pytest.raises(AlertDeliveryError) as failed:
        channel.send(Message())

    assert len(waits) == 1
    assert f"127.0.0.1:{unused_port}" in str(failed.value) and TOKEN not in str(failed.value)
    # urllib3 logs its own retry ("after connection broken by …: <path>"): never the token.
    assert "Retrying" in caplog.text
    assert TOKEN not in caplog.text
