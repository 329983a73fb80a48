"""The Forms client's retries are urllib3.Retry on the session's adapter, against a local
server that answers 429/503 (with Retry-After) and then 200."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from impact_warehouse.sources.forms_retry import FormsRetry
from impact_warehouse.sources.google_forms import FormsApiClient, FormsApiConfig, FormsApiError

FORM = {"formId": "f1", "info": {"title": "t"}}


class Script:
    """Answers in order: (status, headers); then 200 with the form."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str]]] = []
        self.requests = 0


@pytest.fixture
def script() -> Iterator[tuple[str, Script]]:
    state = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            status, headers = state.answers.pop(0) if state.answers else (200, {})
            body = json.dumps(FORM if status == 200 else {"error": {"message": "busy"}}).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def client(url: str, waits: list[float], **overrides: float) -> FormsApiClient:
    settings = {"max_retries": 3, "backoff_base_seconds": 0.0, "backoff_max_seconds": 0.0}
    config = FormsApiConfig(base_url=url, token="t", **{**settings, **overrides})  # type: ignore[arg-type]
    return FormsApiClient(config, sleep=waits.append)


def test_the_session_retries_through_urllib3_retry(script: tuple[str, Script]) -> None:
    url, _ = script
    with client(url, []) as forms:
        adapter = forms._session.get_adapter(f"{url}/v1/forms/f1")
    retry = adapter.max_retries
    assert isinstance(retry, FormsRetry)
    assert retry.total == 3 and set(retry.status_forcelist) == {429, 500, 502, 503, 504}


def test_429_and_503_with_retry_after_then_200(script: tuple[str, Script]) -> None:
    url, state = script
    in_thirty_seconds = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    state.answers = [(429, {"Retry-After": "7"}), (503, {"Retry-After": in_thirty_seconds})]
    waits: list[float] = []

    with client(url, waits) as forms:
        assert forms.get_form("f1") == FORM

    assert state.requests == 3
    assert waits[0] == 7.0 and 20.0 < waits[1] <= 30.0  # seconds, then an HTTP-date


def test_retry_after_is_honoured_on_500_too_and_backoff_is_capped(
    script: tuple[str, Script],
) -> None:
    url, state = script
    state.answers = [(500, {"Retry-After": "2"}), (502, {}), (504, {})]
    waits: list[float] = []

    with client(url, waits, backoff_base_seconds=1.0, backoff_max_seconds=1.5) as forms:
        assert forms.get_form("f1") == FORM

    assert waits[0] == 2.0
    assert all(0.0 <= wait <= 1.5 for wait in waits[1:]) and len(waits) == 3


def test_a_bad_request_is_not_retried(script: tuple[str, Script]) -> None:
    url, state = script
    state.answers = [(400, {})]
    waits: list[float] = []

    with client(url, waits) as forms, pytest.raises(FormsApiError, match="HTTP 400") as error:
        forms.get_form("f1")

    assert state.requests == 1 and waits == [] and error.value.status_code == 400


def test_every_attempt_refused_names_the_last_status(script: tuple[str, Script]) -> None:
    url, state = script
    state.answers = [(503, {})] * 5
    waits: list[float] = []

    with client(url, waits, max_retries=2) as forms, pytest.raises(FormsApiError) as error:
        forms.get_form("f1")

    assert state.requests == 3 and len(waits) == 2
    assert error.value.status_code == 503 and "3 attempts" in str(error.value)
    assert "busy" in str(error.value)


def test_a_retry_after_of_a_day_is_capped(script: tuple[str, Script]) -> None:
    """Retry-After: 86400 six times would hold a worker slot for six days."""
    url, state = script
    state.answers = [(503, {"Retry-After": "86400"}), (429, {"Retry-After": "86400"})]
    waits: list[float] = []

    with client(url, waits, retry_after_max_seconds=120.0) as forms:
        assert forms.get_form("f1") == FORM

    assert waits == [120.0, 120.0]
