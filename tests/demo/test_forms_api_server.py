"""The demo Forms API server, exercised over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from impact_warehouse.demo.forms_api_faults import FaultPlan
from impact_warehouse.demo.forms_api_http import _FormsApiHandler
from impact_warehouse.demo.forms_api_server import FormsApiServer, parse_rfc3339_ns

TOKEN = "test-token"
FORM_ID = "formA"
INCLUDE_DIR = Path(__file__).resolve().parents[2] / "include"


def _response(index: int, submitted: str, form_id: str = FORM_ID) -> dict[str, Any]:
    return {
        "formId": form_id,
        "responseId": f"r{index:05d}",
        "createTime": submitted,
        "lastSubmittedTime": submitted,
        "respondentEmail": f"person{index}@example.org",
        "answers": {
            "q1": {"questionId": "q1", "textAnswers": {"answers": [{"value": f"answer {index}"}]}}
        },
    }


def _write_form(source: Path, form_id: str, lines: list[str]) -> None:
    (source / "forms").mkdir(parents=True, exist_ok=True)
    (source / "responses").mkdir(parents=True, exist_ok=True)
    form = {"formId": form_id, "info": {"title": f"Survey {form_id}"}, "items": []}
    (source / "forms" / f"{form_id}.json").write_text(json.dumps(form), encoding="utf-8")
    text = "".join(line + "\n" for line in lines)
    (source / "responses" / f"{form_id}.jsonl").write_text(text, encoding="utf-8")


def _ten_responses() -> list[str]:
    # Deliberately out of order in the file, with two equal timestamps and fractional seconds.
    stamps = [
        "2025-12-11T00:00:05Z",
        "2025-12-11T00:00:01Z",
        "2025-12-11T00:00:03Z",
        "2025-12-11T00:00:03Z",
        "2025-12-11T00:00:02.5Z",
        "2025-12-11T00:00:02Z",
        "2025-12-11T00:00:09.123456789Z",
        "2025-12-11T00:00:07Z",
        "2025-12-11T00:00:08Z",
        "2025-12-11T00:00:06Z",
    ]
    return [json.dumps(_response(i, stamp)) for i, stamp in enumerate(stamps)]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    _write_form(tmp_path, FORM_ID, _ten_responses())
    return tmp_path


@pytest.fixture
def server(source: Path) -> Iterator[FormsApiServer]:
    with FormsApiServer(source, token=TOKEN) as running:
        yield running


def _get(server: FormsApiServer, path: str, token: str | None = TOKEN, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.url}{path}", params=params, headers=headers, timeout=5)


def _all_pages(server: FormsApiServer, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    while True:
        reply = _get(server, f"/v1/forms/{FORM_ID}/responses", **params)
        assert reply.status_code == 200, reply.text
        pages.append(reply.json())
        if "nextPageToken" not in pages[-1]:
            return pages
        params["pageToken"] = pages[-1]["nextPageToken"]


def _ids(pages: list[dict[str, Any]]) -> list[str]:
    return [item["responseId"] for page in pages for item in page.get("responses", [])]


def test_get_form_returns_the_stored_resource(server: FormsApiServer, source: Path) -> None:
    reply = _get(server, f"/v1/forms/{FORM_ID}")
    assert reply.status_code == 200
    assert reply.json() == json.loads((source / "forms" / f"{FORM_ID}.json").read_text())


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_missing_or_wrong_token_is_401(server: FormsApiServer, token: str | None) -> None:
    reply = _get(server, f"/v1/forms/{FORM_ID}/responses", token=token)
    assert reply.status_code == 401
    assert reply.json()["error"]["status"] == "UNAUTHENTICATED"
    assert reply.json()["error"]["code"] == 401


@pytest.mark.parametrize(
    "path", ["/v1/forms/nope", "/v1/forms/nope/responses", "/v1/forms/..%2Fx", "/v2/other"]
)
def test_unknown_form_or_path_is_404(server: FormsApiServer, path: str) -> None:
    reply = _get(server, path)
    assert reply.status_code == 404
    assert reply.json()["error"]["status"] == "NOT_FOUND"


def test_pages_cover_every_response_once_in_stable_order(server: FormsApiServer) -> None:
    pages = _all_pages(server, pageSize=3)
    assert [len(page["responses"]) for page in pages] == [3, 3, 3, 1]
    ids = _ids(pages)
    assert sorted(ids) == [f"r{i:05d}" for i in range(10)]
    stamps = [
        parse_rfc3339_ns(item["lastSubmittedTime"]) for page in pages for item in page["responses"]
    ]
    assert stamps == sorted(stamps)
    # Equal timestamps are tie-broken by responseId.
    assert ids.index("r00002") < ids.index("r00003")


def test_filter_gt_and_ge_treat_equal_timestamps_differently(server: FormsApiServer) -> None:
    at_three = "2025-12-11T00:00:03Z"
    ge = _ids(_all_pages(server, filter=f"timestamp >= {at_three}"))
    gt = _ids(_all_pages(server, filter=f"timestamp > {at_three}"))
    assert {"r00002", "r00003"} <= set(ge)
    assert not {"r00002", "r00003"} & set(gt)
    assert len(ge) == 7 and len(gt) == 5


def test_filter_compares_fractional_seconds_as_time(server: FormsApiServer) -> None:
    # "…02.5Z" sorts before "…02Z" as text; the server must compare instants.
    assert _ids(_all_pages(server, filter="timestamp>2025-12-11T00:00:02Z"))[0] == "r00004"
    late = _ids(_all_pages(server, filter="timestamp >= 2025-12-11T09:00:09.1+09:00"))
    assert late == ["r00006"]


def test_empty_result_omits_responses_and_token(server: FormsApiServer) -> None:
    reply = _get(
        server, f"/v1/forms/{FORM_ID}/responses", filter="timestamp > 2030-01-01T00:00:00Z"
    )
    assert reply.status_code == 200
    assert reply.json() == {}


@pytest.mark.parametrize(
    "bad_filter",
    [
        "timestamp < 2025-12-11T00:00:00Z",
        "timestamp >= yesterday",
        "createTime > 2025-12-11T00:00:00Z",
        "timestamp >= 2025-13-11T00:00:00Z",
        "timestamp >= 2025-12-11T00:00:00Z AND timestamp < 2025-12-12T00:00:00Z",
    ],
)
def test_bad_filter_is_400(server: FormsApiServer, bad_filter: str) -> None:
    reply = _get(server, f"/v1/forms/{FORM_ID}/responses", filter=bad_filter)
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_page_token_is_bound_to_its_filter(server: FormsApiServer) -> None:
    flt = "timestamp >= 2025-12-11T00:00:00Z"
    first = _get(server, f"/v1/forms/{FORM_ID}/responses", pageSize=2, filter=flt).json()
    token = first["nextPageToken"]
    assert _get(server, f"/v1/forms/{FORM_ID}/responses", pageToken=token).status_code == 400
    again = _get(server, f"/v1/forms/{FORM_ID}/responses", pageToken=token, filter=flt)
    assert again.status_code == 200


@pytest.mark.parametrize("token", ["garbage!!", "bm90LWpzb24", "eyJvIjotMSwiZiI6IiJ9"])
def test_invalid_page_token_is_400(server: FormsApiServer, token: str) -> None:
    reply = _get(server, f"/v1/forms/{FORM_ID}/responses", pageToken=token)
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_page_size_defaults_and_clamps_to_5000(tmp_path: Path) -> None:
    lines = [
        json.dumps(_response(i, f"2025-12-11T00:{i // 60 % 60:02d}:{i % 60:02d}Z"))
        for i in range(5003)
    ]
    _write_form(tmp_path, FORM_ID, lines)
    with FormsApiServer(tmp_path, token=TOKEN) as server:
        for size in (10_000, 0, None):
            params = {} if size is None else {"pageSize": size}
            body = _get(server, f"/v1/forms/{FORM_ID}/responses", **params).json()
            assert len(body["responses"]) == 5000
            assert "nextPageToken" in body
        assert len(_ids(_all_pages(server, pageSize=10_000))) == 5003
        assert _get(server, f"/v1/forms/{FORM_ID}/responses", pageSize=-1).status_code == 400


def test_visible_until_hides_later_responses_and_can_move(server: FormsApiServer) -> None:
    server.visible_until = "2025-12-11T00:00:03Z"
    assert len(_ids(_all_pages(server, pageSize=2))) == 5
    server.visible_until = "2025-12-11T00:00:07Z"
    later = _ids(_all_pages(server, filter="timestamp > 2025-12-11T00:00:03Z"))
    assert sorted(later) == ["r00000", "r00007", "r00009"]
    server.visible_until = None
    assert len(_ids(_all_pages(server))) == 10


def test_broken_lines_are_served_verbatim_as_strings(tmp_path: Path) -> None:
    good = [json.dumps(_response(i, f"2025-12-11T00:00:0{i}Z")) for i in range(3)]
    truncated = '{"formId": "formA", "responseId": "r9", "lastSubmittedTime": "2025-12-11T00:00:01'
    lines = [good[0], truncated, good[1], "[1, 2]", "", good[2]]
    _write_form(tmp_path, FORM_ID, lines)
    with FormsApiServer(tmp_path, token=TOKEN) as server:
        elements = [
            item for page in _all_pages(server, pageSize=2) for item in page.get("responses", [])
        ]
    assert [item["responseId"] for item in elements if isinstance(item, dict)] == [
        "r00000",
        "r00001",
        "r00002",
    ]
    assert sorted(item for item in elements if isinstance(item, str)) == ["[1, 2]", truncated]


def test_rewritten_file_is_reloaded(server: FormsApiServer, source: Path) -> None:
    assert len(_ids(_all_pages(server))) == 10
    extra = json.dumps(_response(99, "2025-12-12T00:00:00Z"))
    with (source / "responses" / f"{FORM_ID}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(extra + "\n")
    assert _ids(_all_pages(server))[-1] == "r00099"


def test_scripted_faults_are_consumed_in_order(source: Path) -> None:
    faults = FaultPlan(scripted=["429", "503", "ok", "500"], retry_after_seconds=0.25)
    with FormsApiServer(source, token=TOKEN, faults=faults) as server:
        first = _get(server, f"/v1/forms/{FORM_ID}")
        statuses = [_get(server, f"/v1/forms/{FORM_ID}").status_code for _ in range(4)]
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "0.25"
    assert first.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert statuses == [503, 200, 500, 200]
    assert [entry[2] for entry in server.request_log] == [429, 503, 200, 500, 200]
    assert server.request_log[0][:2] == ("GET", f"/v1/forms/{FORM_ID}")


def test_slow_fault_delays_the_answer(source: Path) -> None:
    faults = FaultPlan(scripted=["slow"], slow_seconds=0.3)
    with FormsApiServer(source, token=TOKEN, faults=faults) as server:
        started = time.monotonic()
        assert _get(server, f"/v1/forms/{FORM_ID}").status_code == 200
        assert time.monotonic() - started >= 0.3


def test_answers_are_sent_without_waiting_for_the_clients_delayed_ack(
    server: FormsApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Headers and body are two writes: with Nagle's algorithm on, each kept-alive request
    # stalled 40 ms for the client's delayed ACK (0.9 s of a 19-wave demo pull).
    nagle_off: list[int] = []
    handler_setup = _FormsApiHandler.setup

    def recording_setup(handler: _FormsApiHandler) -> None:
        handler_setup(handler)
        nagle_off.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(_FormsApiHandler, "setup", recording_setup)
    with requests.Session() as session:
        for _ in range(3):
            reply = session.get(
                f"{server.url}/v1/forms/{FORM_ID}",
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            )
            assert reply.status_code == 200
    assert nagle_off and all(nagle_off), nagle_off


def test_fault_plan_rejects_unknown_items() -> None:
    with pytest.raises(ValueError, match="'418'"):
        FaultPlan(scripted=["418"])


def test_parse_rfc3339_ns_handles_offsets_and_fractions() -> None:
    assert parse_rfc3339_ns("1970-01-01T00:00:01.5Z") == 1_500_000_000
    assert parse_rfc3339_ns("1970-01-01T09:00:00+09:00") == 0
    with pytest.raises(ValueError):
        parse_rfc3339_ns("1970-01-01 00:00:00")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_cli_serves_until_terminated(source: Path) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(INCLUDE_DIR), "DEMO_FORMS_TOKEN": TOKEN}
    command = [
        sys.executable,
        "-m",
        "impact_warehouse.demo.forms_api_server",
        "--source-dir",
        str(source),
        "--port",
        str(port),
        "--token-env",
        "DEMO_FORMS_TOKEN",
        "--fail",
        "503",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/v1/forms/{FORM_ID}"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        statuses: list[int] = []
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and 200 not in statuses:
            try:
                statuses.append(requests.get(url, headers=headers, timeout=1).status_code)
            except requests.ConnectionError:
                time.sleep(0.05)
        assert statuses == [503, 200]
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=5)
    assert process.returncode == 0, stderr
    assert stdout.decode().strip() == f"http://127.0.0.1:{port}"


def test_cli_refuses_to_start_without_token(source: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_SUCH_TOKEN_VAR"}
    env["PYTHONPATH"] = str(INCLUDE_DIR)
    command = [
        sys.executable,
        "-m",
        "impact_warehouse.demo.forms_api_server",
        "--source-dir",
        str(source),
        "--token-env",
        "NO_SUCH_TOKEN_VAR",
    ]
    done = subprocess.run(command, env=env, capture_output=True, timeout=10, check=False)
    assert done.returncode == 2
    assert b"NO_SUCH_TOKEN_VAR" in done.stderr
