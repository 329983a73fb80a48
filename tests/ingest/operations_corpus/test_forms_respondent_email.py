"""A Forms respondentEmail gets the same treatment as a roster email.

Invisible characters are removed (the respondent links to her roster row); a look-alike
letter lands the response unlinked with a ``suspicious_email`` note: the answer is kept and
the linkage rate shows it, but it never counts as a participant's response and never makes a
new person (METRICS.md: linked respondents only).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from operations_workbooks import PSEUDONYM_KEY, OperationsInbox, good_sheets

from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.forms_job import land_forms_wave
from impact_warehouse.sources.google_forms import ResponsePage

WAVE = "mamabono_2026_post"


class RecordedForm:
    """The two Forms API calls the job makes, answered from fixed data (a recorded form)."""

    def __init__(self, form_id: str, emails: list[str]) -> None:
        self.form_id = form_id
        self.responses = [
            {
                "formId": form_id,
                "responseId": f"r{number}",
                "createTime": "2026-11-12T01:00:00Z",
                "lastSubmittedTime": f"2026-11-12T01:00:0{number}Z",
                "respondentEmail": email,
                "answers": {},
            }
            for number, email in enumerate(emails)
        ]

    def get_form(self, form_id: str) -> dict[str, Any]:
        return {"formId": form_id, "revisionId": "1", "items": []}

    def iter_response_pages(self, form_id: str, since: str | None) -> Iterator[ResponsePage]:
        yield ResponsePage(form_id, 1, self.responses, [], None)


def test_respondent_emails_link_once_and_look_alikes_land_unlinked(
    inbox: OperationsInbox,
) -> None:
    inbox.write("roster.xlsx", good_sheets())
    inbox.land()
    context = LandingContext.create(inbox.settings, pseudonym_key=PSEUDONYM_KEY)
    try:
        wave = context.catalog.waves[WAVE]
        emails = [
            "\u200bperson01@example.jp",
            "person02\u200f@example.jp",
            "pers\u043en03@example.jp",
        ]
        summary = land_forms_wave(context, wave, RecordedForm(wave.source_ref, emails))
    finally:
        context.close()

    assert (summary.received, summary.landed) == (3, 3)
    assert summary.quarantined["suspicious_email"] == 1
    assert summary.normalised["email_format_characters"] == 2
    store = inbox.settings.landing / "google_forms" / "responses" / wave.source_ref
    rows = {
        row["response_id"]: row
        for row in (
            json.loads(line)
            for part in store.glob("part-*.jsonl")
            for line in part.read_text("utf-8").splitlines()
        )
    }
    roster = {row["participant_pseudonym"] for row in inbox.landed("roster")}
    assert rows["r0"]["respondent_pseudonym"] in roster
    assert rows["r1"]["respondent_pseudonym"] in roster
    assert rows["r2"]["respondent_pseudonym"] is None
    assert "pers\u043en03" not in str(rows["r2"])
