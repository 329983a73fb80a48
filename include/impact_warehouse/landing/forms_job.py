"""Land one survey wave from the Google Forms API: form definition, question map, responses.

Pages are landed one by one (each durable before the next is fetched) and the watermark
moves only at the end, so a run killed mid-way is completed by the next run with nothing
lost (the old watermark is re-read) and nothing doubled (landed keys are skipped).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from impact_warehouse.catalog import QuestionMatcher, Wave
from impact_warehouse.landing.answers import AnswerLander
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.emails import respondent_pseudonym
from impact_warehouse.landing.quarantine import QuarantineBatch, quarantine_store
from impact_warehouse.landing.roster_index import participants_by_cohort
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id, utc_now
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.google_forms import (
    FormsApiClient,
    ResponsePage,
    cyclic_gc_paused,
)

log = logging.getLogger(__name__)
SOURCE = "google_forms"


def iter_questions(form: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(question_id, title, kind) for every question, including rows of Likert grids."""
    for item in form.get("items", []):
        if "questionItem" in item:
            question = item["questionItem"]["question"]
            kind = next((k for k in question if k.endswith("Question")), "unknown")
            yield question["questionId"], item.get("title", ""), kind
        elif "questionGroupItem" in item:
            for question in item["questionGroupItem"].get("questions", []):
                title = question.get("rowQuestion", {}).get("title", "")
                yield question["questionId"], title, "gridRow"


def _land_form_definition(
    context: LandingContext, wave: Wave, form: dict[str, Any], batch_id: str, summary: SourceSummary
) -> dict[str, str | None]:
    form_id = wave.source_ref
    content_hash = hashlib.sha256(
        json.dumps(form, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    forms_store = PartitionStore(context.landing_dir / SOURCE / "forms" / form_id)
    forms_store.append(
        [
            {
                KEY_FIELD: content_hash,
                "form_id": form_id,
                "wave_code": wave.wave_code,
                "landed_at": utc_now(),
                "form": form,
            }
        ],
        batch_id=batch_id,
        part_label="form",
    )
    matcher = QuestionMatcher(context.catalog, wave.fiscal_year)
    question_map: dict[str, str | None] = {}
    map_records = []
    for question_id, title, kind in iter_questions(form):
        match = matcher.match(title, source_ref=form_id, question_id=question_id)
        question_map[question_id] = match.item_code
        if match.item_code is None:
            summary.unmatched_questions.append(f"{question_id} {title!r}")
        map_records.append(
            {
                KEY_FIELD: f"{content_hash}|{question_id}",
                "form_id": form_id,
                "wave_code": wave.wave_code,
                "fiscal_year": wave.fiscal_year,
                "form_revision": form.get("revisionId"),
                "form_content_hash": content_hash,
                "question_id": question_id,
                "question_title": title,
                "question_kind": kind,
                "item_code": match.item_code,
                "match_method": match.method,
                "landed_at": utc_now(),
            }
        )
    PartitionStore(context.landing_dir / SOURCE / "question_map" / form_id).append(
        map_records, batch_id=batch_id, part_label="map"
    )
    return question_map


def land_forms_wave(context: LandingContext, wave: Wave, client: FormsApiClient) -> SourceSummary:
    """Pull a wave's form and its new responses into landing. Returns the run summary."""
    form_id = wave.source_ref
    batch_id = new_batch_id()
    summary = SourceSummary(SOURCE, form_id, wave.wave_code)
    question_map = _land_form_definition(context, wave, client.get_form(form_id), batch_id, summary)
    roster = participants_by_cohort(context.landing_dir)
    targeted = set().union(*(roster.get(cohort, set()) for cohort in wave.target_cohorts))
    if not targeted:
        summary.notes.append("no roster landed for the targeted cohorts: linkage not checked")

    store = PartitionStore(context.landing_dir / SOURCE / "responses" / form_id)
    watermark = context.watermarks.get(SOURCE, form_id)
    newest_seen = watermark
    run = _WaveRun(context, wave, store, question_map, targeted, summary, batch_id)
    for page in client.iter_response_pages(form_id, since=watermark):
        # A page is some 400,000 short-lived objects without cycles: collecting during it
        # only walks the heap again and again (it doubled the time per response).
        with cyclic_gc_paused():
            newest_in_page = run.land_page(page)
        if newest_in_page is not None and (newest_seen is None or newest_in_page > newest_seen):
            newest_seen = newest_in_page
    if newest_seen is not None and newest_seen != watermark:
        context.watermarks.advance(SOURCE, form_id, newest_seen, batch_id=batch_id)
    summary.watermark = newest_seen
    return summary


class _WaveRun:
    """State of one wave's pull across its pages."""

    def __init__(
        self,
        context: LandingContext,
        wave: Wave,
        store: PartitionStore,
        question_map: dict[str, str | None],
        targeted: set[str],
        summary: SourceSummary,
        batch_id: str,
    ) -> None:
        self.context = context
        self.wave = wave
        self.store = store
        self.question_map = question_map
        self.targeted = targeted
        self.summary = summary
        self.batch_id = batch_id
        self.lander = AnswerLander(context.catalog, context.pseudonymiser)
        self.quarantine_store = quarantine_store(context.landing_dir, SOURCE, wave.source_ref)

    def land_page(self, page: ResponsePage) -> str | None:
        """Land one page durably. Returns the newest lastSubmittedTime landed from it."""
        context, wave, summary, store = self.context, self.wave, self.summary, self.store
        form_id = wave.source_ref
        quarantine = context.quarantine(SOURCE, form_id, wave.wave_code, self.batch_id)
        records = []
        newest: str | None = None
        # Duplicates within the page; a key landed by an earlier page of the run is already
        # in the store and skipped above as landed, so the set need not outlive the page.
        seen_in_page: set[str] = set()
        for broken in page.broken_records:
            summary.received += 1
            # Page numbers shift between pulls; the content hash identifies the record.
            digest = hashlib.sha256(broken.encode()).hexdigest()[:16]
            quarantine.add(
                "unparseable_json",
                f"sha256:{digest}",
                "not a JSON object",
                sensitive_raw=broken,
            )
        for response in page.responses:
            summary.received += 1
            # Skip re-pulled records before any per-answer work, so a re-run reports nothing
            # (quarantine, normalisations) about records it does not land.
            if store.is_landed(f"{response.get('responseId')}|{response.get('lastSubmittedTime')}"):
                summary.already_landed += 1
                continue
            record = _land_response(
                context,
                wave,
                response,
                self.question_map,
                self.targeted,
                quarantine,
                summary,
                seen_in_page,
                self.lander,
            )
            if record is None:
                continue
            records.append(record)
            last_submitted = record["last_submitted_time"]
            if newest is None or last_submitted > newest:
                newest = last_submitted
        # The vault must hold a pseudonym's contact before any landed record refers to it.
        context.vault.flush()
        summary.landed += store.append(
            records, batch_id=self.batch_id, part_label=f"{page.page_number:05d}"
        )
        summary.quarantined.update(
            quarantine.commit(
                context.landing_dir, f"{page.page_number:05d}", store=self.quarantine_store
            )
        )
        log.info(
            "wave %s form %s page %d: %d received so far, %d landed",
            wave.wave_code,
            form_id,
            page.page_number,
            summary.received,
            summary.landed,
        )
        return newest


def _land_response(
    context: LandingContext,
    wave: Wave,
    response: dict[str, Any],
    question_map: dict[str, str | None],
    targeted: set[str],
    quarantine: QuarantineBatch,
    summary: SourceSummary,
    seen_in_page: set[str],
    lander: AnswerLander,
) -> dict[str, Any] | None:
    """The landing record for one response, or None when the whole record is rejected."""
    response_id = response.get("responseId")
    last_submitted = response.get("lastSubmittedTime")
    if not response_id or not last_submitted:
        quarantine.add(
            "missing_id",
            f"createTime={response.get('createTime')}",
            "responseId or lastSubmittedTime is missing",
            sensitive_raw=json.dumps(response, ensure_ascii=False),
        )
        return None
    if response.get("formId") != wave.source_ref:
        quarantine.add(
            "unknown_form",
            response_id,
            f"formId {response.get('formId')!r} served under form {wave.source_ref!r}",
            sensitive_raw=json.dumps(response, ensure_ascii=False),
        )
        return None
    key = f"{response_id}|{last_submitted}"
    if key in seen_in_page:
        quarantine.add("duplicate_record", key, "same responseId and lastSubmittedTime twice")
        return None
    seen_in_page.add(key)

    payload = dict(response)
    respondent = None
    email = payload.pop("respondentEmail", None)
    if email:
        # Same rules as the roster's emails; a look-alike address lands the response unlinked.
        respondent = respondent_pseudonym(
            context.pseudonymiser, str(email), str(response_id), quarantine, summary
        )
        payload["respondentEmail"] = respondent
    answers = {}
    for question_id, answer in (response.get("answers") or {}).items():
        text_answers = answer.get("textAnswers", {}).get("answers", [])
        item_code = question_map.get(question_id)
        record_ref = f"{response_id}|{question_id}"
        landed_values = [
            {
                "value": lander.land(
                    item_code, str(value.get("value", "")), record_ref, quarantine, summary
                )
            }
            for value in text_answers
        ]
        answers[question_id] = {**answer, "textAnswers": {"answers": landed_values}}
    payload["answers"] = answers
    if targeted and respondent not in targeted:
        quarantine.add(
            "not_on_roster",
            response_id,
            f"respondent {respondent or '(no email)'} is not on the roster of "
            f"{', '.join(wave.target_cohorts)}",
        )
    return {
        KEY_FIELD: key,
        "form_id": wave.source_ref,
        "wave_code": wave.wave_code,
        "response_id": response_id,
        "respondent_pseudonym": respondent,
        "create_time": response.get("createTime"),
        "last_submitted_time": last_submitted,
        "landed_at": utc_now(),
        "batch_id": quarantine.batch_id,
        "payload": payload,
    }
