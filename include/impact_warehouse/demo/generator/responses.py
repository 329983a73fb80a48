"""FormResponse objects (``forms.responses.list`` elements), one JSON line each, by submit time.

A wave's plan says who answers what. Here each answer becomes a response with a submit time
inside the wave's window, the e-mail address as the respondent typed it, and the dirt planned
for the wave: earlier submissions that a later one supersedes, strangers, a test submission to
a copy of the form, and damaged lines.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from impact_warehouse.catalog import Catalog, Wave
from impact_warehouse.demo.generator import dirt
from impact_warehouse.demo.generator.answers import WavePlan, generic_plan
from impact_warehouse.demo.generator.dirt import DirtLog, DirtNote
from impact_warehouse.demo.generator.forms import COMMENT_KEY, BuiltForm, question_id
from impact_warehouse.demo.generator.outputs import ContactLog
from impact_warehouse.demo.generator.people import Person, Population, email_variant
from impact_warehouse.demo.generator.seeding import response_id, rng_for
from impact_warehouse.demo.generator.timestamps import (
    rfc3339,
    sample_submission_ms,
    window_start_ms,
)

_HOUR_MS = 3_600_000
_TEST_SUBMITTER = Person(0, "テスト", "送信", "mamabono.staff@example.org", "")


@dataclass(slots=True)
class ResponseDraft:
    submitted_ms: int
    response_id: str
    email: str
    form_id: str
    row: int | None  # the respondent's row in the wave plan; None for responses outside it
    answers: dict[str, str] | None = None  # item_code → text, for responses outside the plan
    notes: list[DirtNote] = field(default_factory=list)
    line_fault: str | None = None


def draft_responses(
    catalog: Catalog,
    wave: Wave,
    plan: WavePlan,
    population: Population,
    *,
    seed: int,
    reported: bool,
) -> list[ResponseDraft]:
    """Responses of one wave, unsorted. ``reported``: the wave is one of the FY2025 figures."""
    rng = rng_for(seed, "responses", wave.wave_code)
    drafts = []
    for row, person in enumerate(plan.respondents):
        email, notes = _typed_email(person, population, rng)
        submitted = sample_submission_ms(rng, wave.open_date, wave.close_date)
        drafts.append(
            ResponseDraft(submitted, response_id(rng), email, wave.source_ref, row, notes=notes)
        )
    drafts.extend(
        _earlier_submissions(catalog, wave, plan, drafts, population, rng, reported=reported)
    )
    if wave.wave_code in dirt.UNKNOWN_RESPONDENT_WAVES:
        drafts.append(_stranger_response(catalog, wave, population, rng))
    if wave.wave_code == dirt.UNKNOWN_FORM_WAVE:
        drafts.append(_copied_form_response(catalog, wave, rng))
    fault = dirt.LINE_FAULTS.get(wave.wave_code)
    if fault and plan.respondents:
        rng.choice(drafts[: len(plan.respondents)]).line_fault = fault
    return drafts


def _typed_email(
    person: Person, population: Population, rng: random.Random
) -> tuple[str, list[DirtNote]]:
    """The address as typed into the form; METRICS.md links on it after NFKC, strip, lower."""
    rewritten = population.roster_variants.get(person.key)
    if rewritten is not None and rng.random() < dirt.REPEATER_FORM_VARIANT_SHARE:
        detail = "respondentEmail typed as her later roster wrote it (case/whitespace differ)"
        return rewritten, [DirtNote("email_variant", detail, (("email", rewritten),))]
    if rng.random() < dirt.FORM_EMAIL_VARIANT_SHARE:
        typed = email_variant(person.email, rng)
        detail = "respondentEmail typed with other capitals or stray spaces"
        return typed, [DirtNote("email_variant", detail, (("email", typed),))]
    return person.email, []


def _earlier_submissions(
    catalog: Catalog,
    wave: Wave,
    plan: WavePlan,
    drafts: list[ResponseDraft],
    population: Population,
    rng: random.Random,
    *,
    reported: bool,
) -> list[ResponseDraft]:
    """Submissions that a later one by the same person supersedes (latest submission wins)."""
    opened = window_start_ms(wave.open_date)
    candidates = [
        (draft, person)
        for draft, person in zip(drafts, plan.respondents, strict=True)
        if draft.submitted_ms - opened >= 2 * _HOUR_MS
    ]
    if reported:
        count = 1 if wave.wave_code in dirt.FY2025_RESUBMISSION_WAVES else 0
        chosen = rng.sample(candidates, min(count, len(candidates)))
    else:
        chosen = [pair for pair in candidates if rng.random() < dirt.GENERIC_RESUBMISSION_SHARE]
    earlier = []
    for later, person in chosen:
        gap = rng.randint(_HOUR_MS, min(20 * _HOUR_MS, later.submitted_ms - opened))
        email, notes = _typed_email(person, population, rng)
        detail = f"superseded by {later.response_id}, submitted later with other answers"
        earlier.append(
            ResponseDraft(
                submitted_ms=later.submitted_ms - gap,
                response_id=response_id(rng),
                email=email,
                form_id=wave.source_ref,
                row=None,
                answers=generic_plan(catalog, wave, [person], rng).answers(0),
                notes=[DirtNote("resubmission", detail), *notes],
            )
        )
    return earlier


def _stranger_response(
    catalog: Catalog, wave: Wave, population: Population, rng: random.Random
) -> ResponseDraft:
    stranger = population.stranger(rng)
    detail = "respondentEmail is on no roster: unlinked, excluded from every measure"
    return ResponseDraft(
        submitted_ms=sample_submission_ms(rng, wave.open_date, wave.close_date),
        response_id=response_id(rng),
        email=stranger.email,
        form_id=wave.source_ref,
        row=None,
        answers=generic_plan(catalog, wave, [stranger], rng).answers(0),
        notes=[DirtNote("unknown_respondent", detail, stranger.contacts)],
    )


def _copied_form_response(catalog: Catalog, wave: Wave, rng: random.Random) -> ResponseDraft:
    detail = f"formId {dirt.UNKNOWN_FORM_ID} is no catalog form (a staff test on a copy)"
    return ResponseDraft(
        submitted_ms=sample_submission_ms(rng, wave.open_date, wave.close_date),
        response_id=response_id(rng),
        email=_TEST_SUBMITTER.email,
        form_id=dirt.UNKNOWN_FORM_ID,
        row=None,
        answers=generic_plan(catalog, wave, [_TEST_SUBMITTER], rng).answers(0),
        notes=[DirtNote("unknown_form", detail, _TEST_SUBMITTER.contacts)],
    )


@dataclass
class ResponsesFile:
    wave: Wave
    form: BuiltForm
    plan: WavePlan
    log: DirtLog
    contacts: ContactLog
    rng: random.Random

    def write(self, path: Path, drafts: list[ResponseDraft], cutoff_ms: int) -> int:
        """Write drafts submitted before ``cutoff_ms`` in Forms API order; returns lines written."""
        visible = sorted(
            (draft for draft in drafts if draft.submitted_ms < cutoff_ms),
            key=lambda draft: (draft.submitted_ms, draft.response_id),
        )
        lines = 0
        blanks: Counter[str] = Counter()
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for draft in visible:
                for line in self._lines(draft):
                    handle.write(line + "\n")
                    lines += 1
                self._log(draft)
                if draft.row is not None:
                    blanks.update(self._blank_items(draft.row))
        for item_code, count in sorted(blanks.items()):
            detail = f"{item_code}: {count} of the wave's respondents left it blank"
            self.log.add("blank_answer", self.wave.wave_code, self.wave.source_ref, None, detail)
        return lines

    def _lines(self, draft: ResponseDraft) -> list[str]:
        answers = self.plan.answers(draft.row) if draft.row is not None else draft.answers or {}
        response: dict[str, object] = {
            "formId": draft.form_id,
            "responseId": draft.response_id,
            "createTime": rfc3339(draft.submitted_ms),
            "lastSubmittedTime": rfc3339(draft.submitted_ms),
            "respondentEmail": draft.email,
            "answers": self._answers(draft.form_id, answers),
        }
        if draft.line_fault == "missing_response_id":
            del response["responseId"]
        line = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
        if draft.line_fault == "truncated_line":
            return [dirt.truncate(line, self.rng)]
        if draft.line_fault == "duplicate_line":
            return [line, line]
        return [line]

    def _answers(self, form_id: str, answers: dict[str, str]) -> dict[str, object]:
        # Keys in form order, as the API lists them; the ids of a copied form differ from ours.
        ids = {key: question_id(form_id, key) for key in self.form.question_ids if key in answers}
        return {
            ids[key]: {
                "questionId": ids[key],
                "textAnswers": {"answers": [{"value": answers[key]}]},
            }
            for key in ids
        }

    def _log(self, draft: ResponseDraft) -> None:
        notes = list(draft.notes)
        if draft.row is not None:
            notes.extend(self.plan.notes.get(draft.row, ()))
        if draft.line_fault:
            notes.append(DirtNote(draft.line_fault, _FAULT_DETAILS[draft.line_fault]))
        for note in notes:
            self.log.add(
                note.kind, self.wave.wave_code, self.wave.source_ref, draft.response_id, note.detail
            )
            for kind, value in note.contacts:
                self.contacts.add(kind, value)

    def _blank_items(self, row: int) -> list[str]:
        return [
            key
            for key, column in self.plan.columns.items()
            if key != COMMENT_KEY and column[row] is None
        ]


_FAULT_DETAILS = {
    "truncated_line": "line cut off mid-record: not valid JSON, must be quarantined",
    "missing_response_id": "response has no responseId: must be quarantined",
    "duplicate_line": "the same line (responseId and lastSubmittedTime) appears twice",
}
