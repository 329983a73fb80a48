"""The Forms API connector against the demo server over real HTTP (no mocks of the wire)."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.sources.google_forms import (
    FormsApiClient,
    FormsApiConfig,
    FormsApiError,
    ResponsePage,
    forms_api_config_from_env,
    parse_retry_after,
)

TOKEN = "client-test-token"
FORM_ID = "formClient"


class RecordingSleep:
    """Records requested waits and really sleeps them, so Retry-After timing is genuine."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(seconds)


def _response(index: int, submitted: str) -> dict[str, Any]:
    return {
        "formId": FORM_ID,
        "responseId": f"resp{index:04d}",
        "createTime": submitted,
        "lastSubmittedTime": submitted,
        "respondentEmail": f"p{index}@example.org",
        "answers": {
            "qa": {"questionId": "qa", "textAnswers": {"answers": [{"value": f"v{index}"}]}}
        },
    }


def _stamp(index: int) -> str:
    # Pairs of responses share a second, so watermark equality is exercised.
    return f"2025-12-11T10:00:{index // 2:02d}Z"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    (tmp_path / "forms").mkdir()
    (tmp_path / "responses").mkdir()
    form = {"formId": FORM_ID, "info": {"title": "Client survey"}, "items": [{"itemId": "qa"}]}
    (tmp_path / "forms" / f"{FORM_ID}.json").write_text(json.dumps(form), encoding="utf-8")
    lines = [json.dumps(_response(i, _stamp(i))) for i in range(11)]
    lines.insert(4, '{"formId": "formClient", "responseId": "resp0099", "lastSubm')
    (tmp_path / "responses" / f"{FORM_ID}.jsonl").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def server(source: Path) -> Iterator[FormsApiServer]:
    with FormsApiServer(source, token=TOKEN) as running:
        yield running


def _client(
    server_url: str, sleep: RecordingSleep | None = None, token: str = TOKEN, **overrides: Any
) -> FormsApiClient:
    settings: dict[str, Any] = {
        "page_size": 4,
        "max_retries": 3,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.02,
        "timeout_seconds": 5.0,
    }
    settings.update(overrides)
    config = FormsApiConfig(base_url=server_url, token=token, **settings)
    return FormsApiClient(config, sleep=sleep or RecordingSleep())


def _valid_ids(pages: list[ResponsePage]) -> list[str]:
    return [item["responseId"] for page in pages for item in page.responses]


def test_get_form(server: FormsApiServer) -> None:
    with _client(server.url) as client:
        form = client.get_form(FORM_ID)
    assert form["info"]["title"] == "Client survey"


def test_pages_stream_every_response_exactly_once(server: FormsApiServer) -> None:
    with _client(server.url) as client:
        pages_iter = client.iter_response_pages(FORM_ID)
        first = next(pages_iter)
        # Only one page has been requested so far: pages are fetched lazily.
        assert len(server.request_log) == 1
        pages = [first, *pages_iter]
    assert [page.page_number for page in pages] == [1, 2, 3]
    assert pages[-1].next_page_token is None
    assert all(page.form_id == FORM_ID for page in pages)
    ids = _valid_ids(pages)
    assert sorted(ids) == [f"resp{i:04d}" for i in range(11)]
    assert len(ids) == len(set(ids))


def test_broken_records_are_separated_from_valid_ones(server: FormsApiServer) -> None:
    with _client(server.url) as client:
        pages = list(client.iter_response_pages(FORM_ID))
    broken = [raw for page in pages for raw in page.broken_records]
    assert broken == ['{"formId": "formClient", "responseId": "resp0099", "lastSubm']
    assert len(_valid_ids(pages)) == 11


def test_since_is_inclusive_so_equal_timestamps_are_not_missed(server: FormsApiServer) -> None:
    with _client(server.url) as client:
        ids = _valid_ids(list(client.iter_response_pages(FORM_ID, since=_stamp(6))))
    # resp0006 and resp0007 share the watermark second; both must come back.
    assert sorted(ids) == [f"resp{i:04d}" for i in range(6, 11)]


def test_since_after_everything_yields_one_empty_page(server: FormsApiServer) -> None:
    with _client(server.url) as client:
        pages = list(client.iter_response_pages(FORM_ID, since="2030-01-01T00:00:00Z"))
    assert len(pages) == 1
    assert pages[0].responses == [] and pages[0].broken_records == []


def test_bad_token_fails_at_once_with_configuration_hint(server: FormsApiServer) -> None:
    sleep = RecordingSleep()
    with _client(server.url, sleep, token="wrong") as client, pytest.raises(FormsApiError) as err:
        list(client.iter_response_pages(FORM_ID))
    assert err.value.status_code == 401
    assert err.value.form_id == FORM_ID
    assert "impact_forms_api" in str(err.value)
    assert "IMPACT_FORMS_API_TOKEN" in str(err.value)
    assert "wrong" not in str(err.value)
    assert len(server.request_log) == 1
    assert sleep.calls == []


def test_unknown_form_is_404_without_retries(server: FormsApiServer) -> None:
    with _client(server.url) as client, pytest.raises(FormsApiError) as err:
        client.get_form("missingForm")
    assert err.value.status_code == 404
    assert "missingForm" in str(err.value)
    assert err.value.url is not None and "/v1/forms/missingForm" in err.value.url
    assert len(server.request_log) == 1


def test_retry_after_is_honoured_on_429(source: Path, caplog: pytest.LogCaptureFixture) -> None:
    faults = FaultPlan(scripted=["429", "ok", "429"], retry_after_seconds=0.05)
    sleep = RecordingSleep()
    with (
        FormsApiServer(source, token=TOKEN, faults=faults) as server,
        _client(server.url, sleep, backoff_base_seconds=0.0, backoff_max_seconds=0.0) as client,
        caplog.at_level(logging.WARNING, logger="impact_warehouse.sources.google_forms"),
    ):
        ids = _valid_ids(list(client.iter_response_pages(FORM_ID)))
    assert len(ids) == 11
    assert len(sleep.calls) == 2
    assert all(wait >= 0.05 for wait in sleep.calls)
    assert [entry[2] for entry in server.request_log].count(429) == 2
    assert "HTTP 429" in caplog.text and "attempt 1/4" in caplog.text


@pytest.mark.parametrize("fault", ["500", "503", "502", "504"])
def test_server_errors_are_retried_with_capped_backoff(source: Path, fault: str) -> None:
    faults = FaultPlan(scripted=[fault, fault])
    sleep = RecordingSleep()
    with (
        FormsApiServer(source, token=TOKEN, faults=faults) as server,
        _client(server.url, sleep) as client,
    ):
        form = client.get_form(FORM_ID)
    assert form["formId"] == FORM_ID
    assert [entry[2] for entry in server.request_log] == [int(fault), int(fault), 200]
    assert len(sleep.calls) == 2
    assert all(0.0 <= wait <= 0.02 for wait in sleep.calls)


def test_slow_response_times_out_and_is_retried(
    source: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The server holds its first answer far longer than the client's read timeout: only a
    # client that gives up (requests' ReadTimeout) and retries gets the pages. No clock is
    # read, and the timeout is generous for the quick answers, so load cannot make it fail.
    faults = FaultPlan(scripted=["slow"], slow_seconds=60)
    sleep = RecordingSleep()
    with (
        caplog.at_level(logging.WARNING, logger="impact_warehouse.sources.google_forms"),
        FormsApiServer(source, token=TOKEN, faults=faults) as server,
        _client(server.url, sleep, timeout_seconds=1.0) as client,
    ):
        pages = list(client.iter_response_pages(FORM_ID))
    assert len(_valid_ids(pages)) == 11
    assert len(sleep.calls) == 1
    retries = [
        record.getMessage() for record in caplog.records if "retrying" in record.getMessage()
    ]
    assert len(retries) == 1
    assert "ReadTimeout" in retries[0]


def test_exhausted_retries_raise_with_last_status(source: Path) -> None:
    faults = FaultPlan(scripted=["503"] * 10)
    sleep = RecordingSleep()
    with (
        FormsApiServer(source, token=TOKEN, faults=faults) as server,
        _client(server.url, sleep, max_retries=2) as client,
        pytest.raises(FormsApiError) as err,
    ):
        client.get_form(FORM_ID)
    assert err.value.status_code == 503
    assert "3 attempts" in str(err.value)
    assert len(server.request_log) == 3
    assert len(sleep.calls) == 2


def test_connection_refused_is_retried_then_raises() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = RecordingSleep()
    with (
        _client(f"http://127.0.0.1:{port}", sleep, max_retries=1) as client,
        pytest.raises(FormsApiError) as err,
    ):
        client.get_form(FORM_ID)
    assert err.value.status_code is None
    assert "ConnectionError" in str(err.value)
    assert len(sleep.calls) == 1


def test_config_from_env_requires_token_and_defaults_url() -> None:
    with pytest.raises(FormsApiError, match="IMPACT_FORMS_API_TOKEN"):
        forms_api_config_from_env({})
    config = forms_api_config_from_env({"IMPACT_FORMS_API_TOKEN": "s3cret"})
    assert config.base_url == "https://forms.googleapis.com"
    assert config.token == "s3cret"
    assert "s3cret" not in repr(config)
    local = forms_api_config_from_env(
        {"IMPACT_FORMS_API_TOKEN": "t", "IMPACT_FORMS_API_URL": "http://127.0.0.1:8085/"}
    )
    assert local.base_url == "http://127.0.0.1:8085"


def test_parse_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2025, 12, 11, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.05") == 0.05
    assert parse_retry_after("Thu, 11 Dec 2025 00:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Wed, 10 Dec 2025 00:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
