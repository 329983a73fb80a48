"""Forms corpus, across runs and pages: re-runs, conflicting re-sends, landing zones from
before fingerprints, stored watermarks that are not usable, and pages whose envelope is bad."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.landing.privacy import Pseudonymiser
from impact_warehouse.sources.forms_page_json import UnreadableRecord, parse_page_tolerantly

MIXED_TIME = "2025-06-01T00:00:01.500Z"


def _balanced(summary: dict[str, Any]) -> bool:
    total = summary["landed"] + summary["already_landed"] + summary["rejected"]
    return summary["received"] == total and summary["balanced"] is True


def _mixed_page(form: Any) -> list[bytes]:
    """Good responses with a handful of hostile ones between them."""
    good = [form.line(record) for record in form.good()]
    hostile = [
        form.line({**form.response("b1", MIXED_TIME), "answers": []}),
        form.line({**form.response("b2", MIXED_TIME), "lastSubmittedTime": 17}),
        form.line(form.response("b3", "2099-01-01T00:00:00Z")),
        form.line(form.response("b4", "2025-06-01T00:00:01")),
        b'{"formId": "x", "responseId": "b5", "lastSub',
    ]
    return [*good[:2], *hostile, *good[2:]]


def _forget_watermark(form: Any) -> None:
    """Make the next pull receive every response again (as a watermark reset would)."""
    for path in (form.settings.state / "watermarks").rglob("*.json"):
        path.unlink()


def _changed(record: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(record))
    changed["answers"]["q1"]["textAnswers"]["answers"] = [{"value": "edited elsewhere"}]
    return changed


def test_rerun_lands_nothing_twice_and_reports_each_problem_once(hostile_form) -> None:
    form = hostile_form
    form.serve(_mixed_page(form))
    first = form.pull()
    _forget_watermark(form)
    second = form.pull()

    assert first.summary["landed"] == 4 and first.summary["rejected"] == 5
    assert second.summary["landed"] == 0
    assert second.summary["already_landed"] == 4 and second.summary["rejected"] == 5
    assert _balanced(first.summary) and _balanced(second.summary)
    assert second.summary["quarantined"] == {}  # reported by the first run already
    assert len(second.responses) == len(first.responses) == 4
    assert len(second.quarantine) == len(first.quarantine) == 5
    assert second.watermark == first.watermark == form.good_times[-1]


def test_identical_resend_is_already_landed(hostile_form) -> None:
    form = hostile_form
    form.serve([form.line(record) for record in form.good()])
    form.pull()
    _forget_watermark(form)
    again = form.pull()
    assert again.summary["already_landed"] == 4 and again.summary["rejected"] == 0
    assert not again.quarantine


def test_conflicting_resend_keeps_both_versions_and_is_reported_once(hostile_form) -> None:
    form = hostile_form
    good = form.good()
    form.serve([form.line(record) for record in good])
    form.pull()
    # The newest response sits at the watermark, so the next pull receives it again.
    changed = _changed(good[-1])
    form.serve([form.line(record) for record in [*good[:-1], changed]])

    second = form.pull()
    third = form.pull()

    assert second.summary["rejected"] == 1 and second.summary["landed"] == 0
    assert second.summary["quarantined"] == {"conflicting_resend": 1}
    assert _balanced(second.summary)
    (conflict,) = second.reasons("conflicting_resend")
    key = f"good3|{form.good_times[-1]}"
    assert conflict["record_ref"] == key
    assert f"record_key {key!r} in landing/google_forms/responses/" in conflict["detail"]
    # Both versions for staff: the landed one in landing, the new one in the vault.
    assert json.loads(second.vault_text(conflict)) == changed
    (landed,) = [r for r in second.responses if r["response_id"] == "good3"]
    assert landed["payload"]["answers"]["q1"]["textAnswers"]["answers"][0]["value"] != (
        "edited elsewhere"
    )
    # Pulled a third time: still rejected, never reported or stored twice.
    assert third.summary["rejected"] == 1 and third.summary["quarantined"] == {}
    assert len(third.reasons("conflicting_resend")) == 1
    assert len(third.responses) == 4


def _strip_fingerprints(form: Any) -> None:
    landing = form.settings.landing / "google_forms"
    shutil.rmtree(landing / "response_fingerprints")
    for part in (landing / "responses").rglob("part-*.jsonl"):
        records = [json.loads(text) for text in part.read_text(encoding="utf-8").splitlines()]
        for record in records:
            record.pop("content_sha256")
        part.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_landing_zone_from_before_fingerprints_is_never_a_conflict(hostile_form) -> None:
    form = hostile_form
    good = form.good()
    form.serve([form.line(record) for record in good])
    form.pull()
    _strip_fingerprints(form)

    identical = form.pull()
    assert identical.summary["already_landed"] == 1 and identical.summary["rejected"] == 0
    # The version seen again became the reference: a later different one is a conflict.
    form.serve([form.line(record) for record in [*good[:-1], _changed(good[-1])]])
    changed = form.pull()
    assert changed.summary["rejected"] == 1
    assert changed.summary["quarantined"] == {"conflicting_resend": 1}


def test_lost_fingerprint_index_is_rebuilt_from_the_part_files(hostile_form) -> None:
    form = hostile_form
    good = form.good()
    form.serve([form.line(record) for record in good])
    form.pull()
    shutil.rmtree(form.settings.landing / "google_forms" / "response_fingerprints")

    form.serve([form.line(record) for record in [*good[:-1], _changed(good[-1])]])
    pull = form.pull()
    assert pull.summary["quarantined"] == {"conflicting_resend": 1}
    assert (form.settings.landing / "google_forms" / "response_fingerprints").is_dir()


@pytest.mark.parametrize(
    "stored", ["2099-01-01T00:00:00Z", "2025-06-01T00:00:03", "yesterday"], ids=str
)
def test_unusable_stored_watermark_pulls_everything_instead_of_failing(
    hostile_form, stored: str
) -> None:
    form = hostile_form
    path = form.settings.state / "watermarks" / "google_forms" / f"{form.wave.form_id}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"watermark": stored}), encoding="utf-8")
    form.serve([form.line(record) for record in form.good()])

    pull = form.pull()

    assert pull.error is None
    assert pull.summary["landed"] == 4 and _balanced(pull.summary)
    assert any(f"stored watermark {stored!r} is not usable" in n for n in pull.summary["notes"])


def test_future_skew_is_configurable(hostile_form, monkeypatch) -> None:
    monkeypatch.setenv("IMPACT_FUTURE_SKEW_HOURS", "0.5")
    form = hostile_form
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    form.serve([*(form.line(r) for r in form.good()), form.line(form.response("soon", soon))])
    pull = form.pull()
    (record,) = pull.reasons("future_timestamp")
    assert f"lastSubmittedTime '{soon}' is more than 0:30:00 in the future" in record["detail"]
    assert pull.watermark == form.good_times[-1] and _balanced(pull.summary)


def test_a_replay_of_a_later_day_lands_that_days_responses(hostile_form) -> None:
    # The demo and the README walk-through play the survey platform on a later day: what was
    # sent on that day is not "in the future" for the run that acts on it.
    form = hostile_form
    later_day = datetime.now(UTC).date() + timedelta(days=300)
    sent = f"{later_day.isoformat()}T14:30:00Z"  # 23:30 in Japan, the day's last hour
    after = f"{(later_day + timedelta(days=2)).isoformat()}T01:00:00Z"
    form.serve([form.line(form.response("sent", sent)), form.line(form.response("after", after))])

    pull = form.pull(as_of=later_day)

    assert pull.landed_ids == ["sent"]
    assert [r["detail"] for r in pull.reasons("future_timestamp")] and _balanced(pull.summary)
    assert pull.watermark == sent


def test_an_earlier_day_does_not_turn_away_responses_sent_since(hostile_form) -> None:
    form = hostile_form
    form.serve([form.line(r) for r in form.good()])
    pull = form.pull(as_of=date(2020, 1, 1))
    assert pull.summary["landed"] == 4 and not pull.reasons("future_timestamp")


def test_invalid_future_skew_setting_names_the_variable(hostile_form, monkeypatch) -> None:
    monkeypatch.setenv("IMPACT_FUTURE_SKEW_HOURS", "a day")
    form = hostile_form
    form.serve([form.line(r) for r in form.good()])
    pull = form.pull()
    assert isinstance(pull.error, ValueError)
    assert "IMPACT_FUTURE_SKEW_HOURS='a day' is not a number of hours" in str(pull.error)


def test_long_text_is_cut_before_it_is_scrubbed(hostile_form, monkeypatch) -> None:
    seen: list[int] = []
    original = Pseudonymiser.scrub_free_text

    def recording(self: Pseudonymiser, text: str, **kwargs: Any) -> tuple[str, int]:
        seen.append(len(text))
        return original(self, text, **kwargs)

    monkeypatch.setattr(Pseudonymiser, "scrub_free_text", recording)
    form = hostile_form
    long_answer = "x" * 30_000 + " mail me at someone@example.org"
    record = form.response("long", MIXED_TIME)
    record["answers"]["q3"]["textAnswers"]["answers"] = [{"value": long_answer}]
    form.serve([form.line(record)])
    pull = form.pull()
    assert max(seen) == 20_000
    (landed,) = pull.responses
    value = landed["payload"]["answers"]["q3"]["textAnswers"]["answers"][0]["value"]
    assert value == "x" * 20_000


def test_responses_spread_over_pages_land_with_a_bad_record_on_each(hostile_form) -> None:
    form = hostile_form
    form.page_size = 2
    form.serve(_mixed_page(form))
    pull = form.pull()
    assert pull.summary["landed"] == 4 and pull.summary["rejected"] == 5
    assert _balanced(pull.summary)
    assert pull.watermark == form.good_times[-1]


# -- pages whose envelope is not as documented --------------------------------------------


def _page_server(second_page: bytes, first_page_records: list[dict[str, Any]]) -> type:
    class HostilePages(FormsApiServer):
        """Serves a good first page, then ``second_page`` for any later page."""

        def responses_page(self, form_id: str, query: dict[str, list[str]]) -> bytes:
            self.form_path(form_id)
            if query.get("pageToken"):
                return second_page
            return json.dumps({"responses": first_page_records, "nextPageToken": "p2"}).encode()

    return HostilePages


ENVELOPES = {
    "responses_not_a_list": (b'{"responses": "r1,r2"}', "responses is a str, not a list"),
    "responses_an_object": (b'{"responses": {"r1": {}}}', "responses is a dict, not a list"),
    "next_page_token_a_number": (
        b'{"responses": [], "nextPageToken": 7}',
        "nextPageToken is a int, not a str",
    ),
    "next_page_token_an_object": (
        b'{"nextPageToken": {"o": 1}}',
        "nextPageToken is a dict, not a str",
    ),
    "page_is_an_array": (b"[]", "is a list, not a JSON object"),
    "page_is_not_json": (b"<html>busy</html>", "returned a body that is not JSON"),
}


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_bad_page_envelope_fails_the_pull_clearly_and_keeps_earlier_pages(
    make_hostile_form, corpus_wave, name: str
) -> None:
    body, message = ENVELOPES[name]
    probe = [
        {
            "formId": corpus_wave.form_id,
            "responseId": f"good{index}",
            "createTime": f"2025-06-01T00:00:0{index}Z",
            "lastSubmittedTime": f"2025-06-01T00:00:0{index}Z",
            "answers": {},
        }
        for index in range(2)
    ]
    form = make_hostile_form(_page_server(body, probe))
    pull = form.pull()
    assert pull.error is not None and message in str(pull.error)
    assert "page 2" in str(pull.error) or name == "page_is_not_json"
    # The first page is landed; the watermark stays, so the next run pulls page 2 again.
    assert pull.landed_ids == ["good0", "good1"]
    assert pull.watermark is None


def test_non_object_elements_are_quarantined_one_by_one(make_hostile_form, corpus_wave) -> None:
    good = {
        "formId": corpus_wave.form_id,
        "responseId": "good0",
        "lastSubmittedTime": "2025-06-01T00:00:00Z",
        "answers": {},
    }
    page = json.dumps({"responses": [[1, 2], 42, None, True, good]}).encode()

    class ElementsServer(FormsApiServer):
        def responses_page(self, form_id: str, query: dict[str, list[str]]) -> bytes:
            self.form_path(form_id)
            return page

    form = make_hostile_form(ElementsServer)
    pull = form.pull()
    assert pull.error is None
    assert pull.landed_ids == ["good0"]
    details = sorted(record["detail"] for record in pull.reasons("malformed_record"))
    assert details == [
        "response is a boolean, not an object",
        "response is a list, not an object",
        "response is a number, not an object",
        "response is null, not an object",
    ]
    assert pull.summary["rejected"] == 4 and _balanced(pull.summary)


def test_endless_empty_pages_stop_with_a_clear_error(make_hostile_form) -> None:
    class EndlessServer(FormsApiServer):
        def responses_page(self, form_id: str, query: dict[str, list[str]]) -> bytes:
            self.form_path(form_id)
            token = (query.get("pageToken") or ["0"])[-1]
            return json.dumps({"nextPageToken": str(int(token) + 1)}).encode()

    form = make_hostile_form(EndlessServer)
    pull = form.pull()
    assert pull.error is not None
    assert "100 empty pages in a row" in str(pull.error)


def test_deep_record_page_read_record_by_record_keeps_its_neighbours() -> None:
    """The page parser fallback on its own: deep and good elements side by side."""
    deep = "[" * 5000 + "]" * 5000
    text = (
        '{"responses": [{"responseId": "a", "note": "br]ace}s \\" in [text"}, '
        f'{{"responseId": "deep", "x": {deep}}}, {{"responseId": "b"}}], '
        '"nextPageToken": "t2"}'
    )
    page = parse_page_tolerantly(text)
    first, middle, last = page["responses"]
    assert first == {"responseId": "a", "note": 'br]ace}s " in [text'}
    assert isinstance(middle, UnreadableRecord) and middle.reason_code == "too_deep"
    assert last == {"responseId": "b"} and page["nextPageToken"] == "t2"
