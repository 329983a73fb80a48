"""``impact verify`` drops a form's fingerprint index when a responses part of the form is
lost: the index would still vouch for content no longer landed (landing/verify.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.forms_job import land_forms_wave
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.landing.verify import verify_landing
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import ResponsePage

KEY = b"verify-fingerprints-test-key-32-bytes!"
SUBMITTED = "2026-01-01T00:00:01Z"


class _Pages:
    """The Forms client as land_forms_wave uses it, serving one page of given responses."""

    def __init__(self, responses: list[dict[str, Any]]) -> None:
        self.responses = responses

    def get_form(self, form_id: str) -> dict[str, Any]:
        return {"formId": form_id, "revisionId": "1", "items": []}

    def iter_response_pages(self, form_id: str, since: str | None = None):
        yield ResponsePage(form_id, 1, [dict(r) for r in self.responses], [], None)


def _pull(settings: Settings, responses: list[dict[str, Any]]) -> SourceSummary:
    context = LandingContext.create(settings, pseudonym_key=KEY)
    try:
        wave = next(iter(context.catalog.waves.values()))
        return land_forms_wave(context, wave, _Pages(responses))  # type: ignore[arg-type]
    finally:
        context.close()


def test_a_lost_responses_part_takes_the_forms_fingerprints_with_it(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    context = LandingContext.create(settings, pseudonym_key=KEY)
    form_id = next(iter(context.catalog.waves.values())).source_ref
    context.close()

    def response(**extra: str) -> dict[str, Any]:
        return {
            "formId": form_id,
            "responseId": "r1",
            "createTime": SUBMITTED,
            "lastSubmittedTime": SUBMITTED,
            "answers": {},
            **extra,
        }

    original, other = response(), response(note="edited")
    assert _pull(settings, [original]).landed == 1
    responses = settings.landing / "google_forms" / "responses" / form_id
    part = next(responses.glob("part-*.jsonl"))
    part.write_text(part.read_text(encoding="utf-8")[:-5], encoding="utf-8")  # damaged

    report = verify_landing(settings, repair=True)
    fingerprints = settings.landing / "google_forms" / "response_fingerprints" / form_id
    assert "fingerprint_index_dropped" in {finding.problem for finding in report.findings}
    assert not fingerprints.exists()

    # The lost response comes back with other content, so that content is what is landed;
    # the original, sent again, is then a conflict, not "already landed".
    assert _pull(settings, [other]).landed == 1
    again = _pull(settings, [original])
    assert again.already_landed == 0 and again.quarantined == {"conflicting_resend": 1}
    assert again.received == again.landed + again.already_landed + again.rejected


def test_a_damaged_fingerprint_part_is_said_to_be_rebuilt_from_the_responses() -> None:
    from impact_warehouse.landing.verify_parts import LandingFolder, recovery_action

    folder = LandingFolder(Path("x"), "google_forms", "response_fingerprints", "form-1")
    assert recovery_action(folder) == "次回の取り込みで、取り込み済みの回答から作り直します"
