"""Responses landed through json (as before msgspec) are "already landed" when pulled again.

The first pull is forced onto the json path for every response (no response counts as
plain), exactly as landing worked before; the second pull takes the msgspec path wherever a
response is plain. A fingerprint or key that came out different would show here as a
``conflicting_resend`` or a second landing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from impact_warehouse.landing import forms_records
from impact_warehouse.landing.store import KEY_FIELD


def _responses(form: Any) -> list[dict[str, Any]]:
    good = form.good()
    edgy = [
        form.response("ctl", "2025-06-01T00:00:04.250Z"),
        form.response("sep", "2025-06-01T00:00:05.250Z"),
        {**form.response("score", "2025-06-01T00:00:06.250Z"), "totalScore": 1e16},
        {**form.response("nulls", "2025-06-01T00:00:07.250Z"), "createTime": None},
    ]
    edgy[0]["answers"]["q1"]["textAnswers"]["answers"] = [{"value": 'a\x01"b\\c\x7f'}]
    edgy[1]["answers"]["q2"]["textAnswers"]["answers"] = [{"value": "\u200b😀 そう思う"}]
    return good + edgy


def _forget_watermark(form: Any) -> None:
    for path in (form.settings.state / "watermarks").rglob("*.json"):
        path.unlink()


def test_responses_landed_through_json_are_already_landed_for_msgspec(
    hostile_form: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = hostile_form
    responses = _responses(form)
    form.serve([form.line(record) for record in responses])
    with monkeypatch.context() as patch:
        patch.setattr(forms_records, "is_plain_response", lambda response, limits: False)
        before = form.pull()
    _forget_watermark(form)
    after = form.pull()

    assert before.summary["landed"] == len(responses)
    assert after.summary["landed"] == 0
    assert after.summary["already_landed"] == len(responses)
    assert after.summary["rejected"] == 0 and not after.reasons("conflicting_resend")
    assert after.summary["balanced"] is True


def test_lines_landed_through_msgspec_read_as_those_landed_through_json(
    hostile_form: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same responses landed both ways (in two landing zones' worth of parts) hold the
    same records, fingerprints and JSON text, but for the time and batch of landing."""
    form = hostile_form
    responses = _responses(form)
    form.serve([form.line(record) for record in responses])
    with monkeypatch.context() as patch:
        patch.setattr(forms_records, "is_plain_response", lambda response, limits: False)
        by_json = form.pull().responses
    folder = form.settings.landing / "google_forms"
    for part in folder.rglob("part-*"):
        part.unlink()
    for manifest in folder.rglob("manifest.jsonl"):
        manifest.unlink()
    _forget_watermark(form)
    by_msgspec = form.pull().responses

    def comparable(records: list[dict[str, Any]]) -> list[str]:
        stripped = [{**r, "landed_at": None, "batch_id": None} for r in records]
        return sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in stripped)

    assert len(by_msgspec) == len(responses)
    assert comparable(by_msgspec) == comparable(by_json)
    assert sorted(r[KEY_FIELD] for r in by_msgspec) == sorted(r[KEY_FIELD] for r in by_json)
