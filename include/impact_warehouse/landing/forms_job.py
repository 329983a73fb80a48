"""Land one survey wave from the Google Forms API: form definition, question map, responses.

Pages are landed one by one (each durable before the next is landed; the next is fetched
meanwhile, :mod:`impact_warehouse.sources.read_ahead`) and the watermark
moves only at the end, so a run killed mid-way is completed by the next run with nothing
lost (the old watermark is re-read) and nothing doubled (landed keys are skipped).

Every response is checked on its own (:mod:`impact_warehouse.landing.forms_records`): a bad
one is quarantined with its reason and the rest of its page lands. The watermark only ever
moves to a valid, zoned timestamp of a landed response that is not in the future, so a
record from 2099 cannot hide every later response. A landed key re-sent with other content
is quarantined as ``conflicting_resend`` (:mod:`impact_warehouse.landing.forms_resends`).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any

from impact_warehouse.catalog import Wave
from impact_warehouse.landing.answers import AnswerLander
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.emails import respondent_pseudonym
from impact_warehouse.landing.forms_answers import FormsAnswers
from impact_warehouse.landing.forms_definition import SOURCE, iter_questions, land_form_definition
from impact_warehouse.landing.forms_records import (
    CheckedResponse,
    FormsLimits,
    RecordRejected,
    check_response,
    raw_json,
)
from impact_warehouse.landing.forms_resends import (
    FINGERPRINT_FIELD,
    Resend,
    ResendIndex,
    index_entries,
)
from impact_warehouse.landing.forms_timestamps import Timestamp, now_ns, parse_timestamp
from impact_warehouse.landing.quarantine import QuarantineBatch, quarantine_store
from impact_warehouse.landing.roster_index import participants_by_cohort
from impact_warehouse.landing.store import (
    KEY_FIELD,
    EncodedRecord,
    PartitionStore,
    encoded_record,
    new_batch_id,
    utc_now,
)
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.forms_page_json import UnreadableRecord
from impact_warehouse.sources.gc_pause import cyclic_gc_paused
from impact_warehouse.sources.google_forms import FormsApiClient, ResponsePage
from impact_warehouse.sources.read_ahead import read_ahead

# SOURCE and iter_questions lived here before; other modules still import them from here.
__all__ = ["SOURCE", "iter_questions", "land_forms_wave"]

log = logging.getLogger(__name__)


def land_forms_wave(
    context: LandingContext,
    wave: Wave,
    client: FormsApiClient,
    limits: FormsLimits | None = None,
    as_of: date | None = None,
) -> SourceSummary:
    """Pull a wave's form and its new responses into landing. Returns the run summary.

    ``as_of`` is the day the run acts on (None = today); a later day moves the run's "now"
    to its end, so a replay of that day's sources is not judged to lie in the future.
    """
    form_id = wave.source_ref
    limits = limits or FormsLimits.from_env()
    batch_id = new_batch_id()
    summary = SourceSummary(SOURCE, form_id, wave.wave_code)
    question_map = land_form_definition(context, wave, client.get_form(form_id), batch_id, summary)
    roster = participants_by_cohort(context.landing_dir)
    targeted = set().union(*(roster.get(cohort, set()) for cohort in wave.target_cohorts))
    if not targeted:
        summary.notes.append("no roster landed for the targeted cohorts: linkage not checked")

    store = PartitionStore(context.landing_dir / SOURCE / "responses" / form_id)
    stored_watermark = context.watermarks.get(SOURCE, form_id)
    run = _WaveRun(context, wave, store, question_map, targeted, summary, batch_id, limits, as_of)
    since = _usable_watermark(stored_watermark, run.started_ns, summary)
    if since is None and stored_watermark is not None:
        context.watermarks.reset(
            SOURCE, form_id, None, reason=f"unusable stored watermark {stored_watermark!r}"
        )
    newest_seen = since
    # A page is some 400,000 short-lived objects without cycles: collecting while one is
    # alive only walks it again and again (it doubled the time per response). Pages and
    # requests leave no cycles (a probe collecting after every page found none), so the
    # collector waits until the pull is done; reference counting frees each page.
    with cyclic_gc_paused():
        pages = client.iter_response_pages(form_id, since=since.utc_text if since else None)
        for page in read_ahead(pages):
            newest_in_page = run.land_page(page)
            del page  # freed once landed: at most this page and the arriving one are alive
            if newest_in_page is not None and (
                newest_seen is None or newest_in_page.epoch_ns > newest_seen.epoch_ns
            ):
                newest_seen = newest_in_page
    if newest_seen is not None and newest_seen is not since:
        context.watermarks.advance(SOURCE, form_id, newest_seen.utc_text, batch_id=batch_id)
    summary.watermark = newest_seen.utc_text if newest_seen is not None else stored_watermark
    return summary


def _usable_watermark(
    stored: str | None, started_ns: int, summary: SourceSummary
) -> Timestamp | None:
    """The stored watermark if it is a valid, zoned, past timestamp; else None (pull all).

    A watermark stored before these checks (zone-less, or from a response dated 2099) would
    make every pull fail or skip every later response; pulling everything again costs time
    but loses nothing, as landed keys are skipped.
    """
    if stored is None:
        return None
    try:
        watermark = parse_timestamp(stored)
    except ValueError as error:
        problem = str(error)
    else:
        if watermark.epoch_ns <= started_ns:
            return watermark
        problem = "it lies in the future"
    log.warning("stored watermark %r is not usable (%s): pulling every response", stored, problem)
    summary.notes.append(
        f"stored watermark {stored!r} is not usable ({problem}): removed, so every response "
        "is pulled again once (landed ones are skipped)"
    )
    return None


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
        limits: FormsLimits,
        as_of: date | None = None,
    ) -> None:
        self.context = context
        self.wave = wave
        self.store = store
        self.question_map = question_map
        self.targeted = targeted
        self.summary = summary
        self.batch_id = batch_id
        self.limits = limits
        # One "now" per run: what is "in the future" must not shift between pages.
        self.started_ns = now_ns(as_of, context.catalog.organisation.zone)
        self.quarantine_store = quarantine_store(context.landing_dir, SOURCE, wave.source_ref)
        self.resends = ResendIndex(context.landing_dir, SOURCE, wave.source_ref, store)
        self.answers = FormsAnswers(
            context.catalog,
            AnswerLander(context.catalog, context.pseudonymiser),
            wave.source_ref,
            question_map,
            limits,
            summary,
        )

    def land_page(self, page: ResponsePage) -> Timestamp | None:
        """Land one page durably. Returns the newest past lastSubmittedTime landed from it."""
        context, wave, summary, store = self.context, self.wave, self.summary, self.store
        form_id = wave.source_ref
        quarantine = context.quarantine(SOURCE, form_id, wave.wave_code, self.batch_id)
        records: list[EncodedRecord] = []
        fingerprints: list[dict[str, Any]] = []
        newest: Timestamp | None = None
        # Duplicates within the page (key → content sha256); a key landed by an earlier page of
        # the run is in the store by then, so the map need not outlive the page.
        seen_in_page: dict[str, str] = {}
        for broken in page.broken_records:
            summary.received += 1
            self._reject(
                quarantine, "unparseable_json", _digest_ref(broken), "not a JSON object", broken
            )
        for unreadable in page.unreadable_records:
            summary.received += 1
            self._reject_unreadable(quarantine, unreadable)
        passed: list[CheckedResponse] = []
        for response in page.responses:
            summary.received += 1
            checked = self._passed_record_checks(response, quarantine)
            if checked is not None and not self._repeated_in_page(
                checked, quarantine, seen_in_page
            ):
                passed.append(checked)
        # One search of the landed keys for the whole page: a search per response would hand
        # the interpreter lock to the read-ahead thread (decoding the next page) every time.
        landed = self.store.landed_among([checked.key for checked in passed])
        # What each re-sent one is (the same content, or a conflict), in the order met below.
        verdicts = iter(
            self.resends.classify(
                [
                    (checked.key, checked.content_sha256)
                    for checked, was_landed in zip(passed, landed, strict=True)
                    if was_landed
                ]
            )
        )
        for checked, was_landed in zip(passed, landed, strict=True):
            # Re-pulled records are skipped before any per-answer work, so a re-run reports
            # nothing (normalisations, answer problems) about records it does not land.
            if was_landed:
                verdict = next(verdicts)
                if self._conflicts_with_landed(checked, verdict, quarantine, fingerprints):
                    continue
                summary.already_landed += 1
            else:
                records.append(self._landing_record(checked, quarantine))
                fingerprints += index_entries(checked.key, checked.content_sha256, self.batch_id)
            # Landed now or before: durable either way, so the watermark may pass it (after a
            # watermark reset, a pull of landed records only must still move it forward).
            stamp = checked.last_submitted
            # Within the allowed skew a response from a little ahead lands, but the watermark
            # waits until that time has come: moving past "now" would skip later responses.
            if stamp.epoch_ns <= self.started_ns and (
                newest is None or stamp.epoch_ns > newest.epoch_ns
            ):
                newest = stamp
        # The vault must hold a pseudonym's contact before any landed record refers to it.
        context.vault.flush()
        part_label = f"{page.page_number:05d}"
        # Quarantine before the part: a rerun skips landed records before any per-answer
        # check, so a page whose part landed must already hold its quarantine rows. Killed in
        # between, the rerun lands the part and finds the rows stored (reported once).
        summary.quarantined.update(
            quarantine.commit(context.landing_dir, part_label, store=self.quarantine_store)
        )
        summary.landed += store.append_encoded(
            records, batch_id=self.batch_id, part_label=part_label
        )
        # After the part: a run killed in between is repaired by the index backfill.
        self.resends.append(fingerprints, batch_id=self.batch_id, part_label=part_label)
        log.info(
            "wave %s form %s page %d: %d received so far, %d landed, %d rejected",
            wave.wave_code,
            form_id,
            page.page_number,
            summary.received,
            summary.landed,
            summary.rejected,
        )
        return newest

    def _reject(
        self,
        quarantine: QuarantineBatch,
        reason_code: str,
        record_ref: str,
        detail: str,
        raw: str | None,
    ) -> None:
        """Turn a whole record away; its raw text (if any) goes to the vault, never lost."""
        quarantine.add(reason_code, record_ref, detail, sensitive_raw=raw)
        self.summary.rejected += 1

    def _reject_unreadable(self, quarantine: QuarantineBatch, unreadable: UnreadableRecord) -> None:
        self._reject(
            quarantine,
            unreadable.reason_code,
            _digest_ref(unreadable.raw),
            unreadable.detail,
            unreadable.raw,
        )

    def _passed_record_checks(
        self, response: dict[str, Any], quarantine: QuarantineBatch
    ) -> CheckedResponse | None:
        """The response checked against the form and the limits, or None once rejected."""
        try:
            return check_response(
                response,
                form_id=self.wave.source_ref,
                question_count=len(self.question_map),
                limits=self.limits,
                now=self.started_ns,
            )
        except RecordRejected as rejection:
            raw = raw_json(response)
            ref = _response_ref(response, raw)
            self._reject(quarantine, rejection.reason_code, ref, rejection.detail, raw)
            return None

    def _repeated_in_page(
        self, checked: CheckedResponse, quarantine: QuarantineBatch, seen_in_page: dict[str, str]
    ) -> bool:
        """True (and rejected) when this page already sent the key; else it is remembered."""
        key, sha256 = checked.key, checked.content_sha256
        earlier_in_page = seen_in_page.get(key)
        if earlier_in_page == sha256:
            self._reject(
                quarantine,
                "duplicate_record",
                key,
                "same responseId and lastSubmittedTime twice",
                None,
            )
            return True
        if earlier_in_page is not None:
            self._reject(
                quarantine,
                "conflicting_resend",
                key,
                f"content sha256:{sha256[:16]} differs from sha256:{earlier_in_page[:16]} sent "
                "earlier in the same page under the same responseId and lastSubmittedTime; "
                "the earlier one is landed, this one is kept in the vault",
                raw_json(checked.response),
            )
            return True
        seen_in_page[key] = sha256
        return False

    def _conflicts_with_landed(
        self,
        checked: CheckedResponse,
        verdict: Resend,
        quarantine: QuarantineBatch,
        fingerprints: list[dict[str, Any]],
    ) -> bool:
        """True (and rejected) when a landed record has the key with other content."""
        key, sha256 = checked.key, checked.content_sha256
        if verdict is Resend.CONFLICTING:
            self._reject(
                quarantine,
                "conflicting_resend",
                key,
                f"content sha256:{sha256[:16]} differs from the version already landed as "
                f"record_key {key!r} in landing/{SOURCE}/responses/{self.wave.source_ref}; "
                "the landed version stays, this one is kept in the vault",
                raw_json(checked.response),
            )
            return True
        if verdict is Resend.UNFINGERPRINTED:
            # Landed before fingerprints existed: this version becomes the reference.
            fingerprints += index_entries(key, sha256, self.batch_id)
        return False

    def _landing_record(
        self, checked: CheckedResponse, quarantine: QuarantineBatch
    ) -> EncodedRecord:
        """The landing record of one checked response (answer-level problems reported),
        encoded while it is at hand (:func:`encoded_record`). A plain response's holds text
        only: its answers as text, its respondent as a pseudonym or null, the rest as sent."""
        response, response_id = checked.response, checked.response_id
        context, wave, summary = self.context, self.wave, self.summary
        payload = dict(response)

        respondent = None
        email = payload.pop("respondentEmail", None)
        if email:
            # Same rules as the roster's emails; a look-alike address lands the response unlinked.
            respondent = respondent_pseudonym(
                context.pseudonymiser, str(email), str(response_id), quarantine, summary
            )
            payload["respondentEmail"] = respondent

        payload["answers"] = self.answers.landed(response_id, response, quarantine)
        if self.targeted and respondent not in self.targeted:
            quarantine.add(
                "not_on_roster",
                response_id,
                f"respondent {respondent or '(no email)'} is not on the roster of "
                f"{', '.join(wave.target_cohorts)}",
            )
        record = {
            KEY_FIELD: checked.key,
            "form_id": wave.source_ref,
            "wave_code": wave.wave_code,
            "response_id": response_id,
            "respondent_pseudonym": respondent,
            "create_time": response.get("createTime"),
            "last_submitted_time": checked.last_submitted.text,
            "landed_at": utc_now(),
            "batch_id": quarantine.batch_id,
            FINGERPRINT_FIELD: checked.content_sha256,
            "payload": payload,
        }
        return encoded_record(record, text_only=checked.plain)


def _digest_ref(raw: str) -> str:
    # Page numbers shift between pulls; the content hash identifies the record.
    return "sha256:" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _response_ref(response: Any, raw: str) -> str:
    """The responseId when it is a usable one, else the record's content hash."""
    response_id = response.get("responseId") if isinstance(response, dict) else None
    if isinstance(response_id, str) and 0 < len(response_id) <= 256 and response_id.isprintable():
        return response_id
    return _digest_ref(raw)
