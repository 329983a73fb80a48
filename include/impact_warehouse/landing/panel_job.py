"""Land comparison-panel deliveries (CSV in UTF-8/UTF-16 with BOM, UTF-8 or CP932, or XLSX).

What lands and what does not (METRICS.md "Which answers count"; README "Panel deliveries"):

- Each distinct row lands once, keyed by wave, pseudonymous sample id, 回答日時 and answers:
  the same delivery sent again (CSV, then XLSX, or a re-send) lands nothing new, while a
  later answer of the same respondent lands as a new record. Which row counts (the latest
  回答日時) is decided in dbt (``stg_panel_file__responses.row_status``), across deliveries;
  earlier rows stay in landing as superseded.
- In one delivery, rows of one sample with the same 回答日時: identical copies are one record
  (the others ``duplicate_record``); different answers are ``conflicting_rows``, all of them
  quarantined (raw rows in the vault). A row conflicting with one landed from an earlier
  delivery lands, is reported ``conflicting_rows`` and both are excluded downstream.
- A file that cannot be read at all, or an inbox entry that is not a regular file, is
  quarantined whole (``rejected_files``); a damaged row is rejected alone. One bad file
  never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import QuestionMatcher, Wave
from impact_warehouse.landing.answers import AnswerLander
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.quarantine import QuarantineBatch
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id, utc_now
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.panel_answer_time import parse_answered_at
from impact_warehouse.sources.panel_files import (
    ANSWERED_AT_HEADER,
    METADATA_HEADERS,
    SAMPLE_ID_HEADER,
    PanelFile,
    PanelFileError,
    PanelRow,
    find_panel_files,
    read_panel_file,
)

log = logging.getLogger(__name__)
SOURCE = "panel_file"


@dataclass(frozen=True)
class _Candidate:
    row: PanelRow
    sample: str
    answered_at_local: str  # ISO 8601, Japan time, no zone
    answered: dict[str, str]  # answer column → non-blank cell text
    answers_sha256: str
    key: str


def wave_for_file(context: LandingContext, path: Path) -> Wave | None:
    """Deliveries are named after the wave's source_ref (e.g. ``comparison_2025_macromill.csv``)."""
    candidates = [
        wave
        for wave in context.catalog.waves.values()
        if wave.source_system == SOURCE and path.name.startswith(wave.source_ref)
    ]
    return max(candidates, key=lambda wave: len(wave.source_ref), default=None)


def land_panel_deliveries(context: LandingContext) -> list[SourceSummary]:
    summaries = []
    for entry in find_panel_files(context.inbox_dir):
        name = entry.path.name
        if entry.refusal is not None:
            summaries.append(_refuse_file(context, name, None, entry.reason_code, entry.refusal))
            continue
        wave = wave_for_file(context, entry.path)
        if wave is None:
            detail = "file name matches no panel wave's source_ref in waves.csv; not landed"
            summaries.append(_refuse_file(context, name, None, "unknown_form", detail))
            continue
        try:
            delivery = read_panel_file(entry.path)
        except PanelFileError as error:
            summaries.append(
                _refuse_file(context, name, wave.wave_code, error.reason_code, error.detail)
            )
            continue
        except Exception as error:
            # Parsing is input-driven: an unforeseen failure is this file's problem, and the
            # other deliveries of the run must still land.
            log.exception("panel file %s could not be read", name)
            detail = f"unexpected error while reading ({type(error).__name__}: {error})"
            summaries.append(_refuse_file(context, name, wave.wave_code, "corrupt_file", detail))
            continue
        summaries.append(land_panel_file(context, wave, delivery))
    return summaries


def _refuse_file(
    context: LandingContext, name: str, wave_code: str | None, reason_code: str, detail: str
) -> SourceSummary:
    """A whole file (or inbox entry) not read: quarantined by name, counted in rejected_files."""
    summary = SourceSummary(SOURCE, name, wave_code)
    summary.rejected_files[reason_code] += 1
    summary.notes.append(f"{reason_code}: {detail}")
    quarantine = context.quarantine(SOURCE, name, wave_code, new_batch_id())
    quarantine.add(reason_code, name, detail)
    summary.quarantined.update(quarantine.commit(context.landing_dir, "file"))
    log.warning("panel file %s refused (%s): %s", name, reason_code, detail)
    return summary


def _land_question_map(
    context: LandingContext, wave: Wave, delivery: PanelFile, summary: SourceSummary, batch: str
) -> dict[str, str | None]:
    matcher = QuestionMatcher(context.catalog, wave.fiscal_year)
    question_map: dict[str, str | None] = {}
    map_records = []
    for header in delivery.headers:
        if header in METADATA_HEADERS or not header:
            continue
        match = matcher.match(header, source_ref=wave.source_ref, question_id=header)
        question_map[header] = match.item_code
        if match.item_code is None:
            summary.unmatched_questions.append(
                repr(context.shown_to_staff(header, delivery.path.name))
            )
        map_records.append(
            {
                KEY_FIELD: f"{wave.wave_code}|{header}",
                "wave_code": wave.wave_code,
                "fiscal_year": wave.fiscal_year,
                "question_id": header,
                "question_title": header,
                "item_code": match.item_code,
                "match_method": match.method,
                "landed_at": utc_now(),
            }
        )
    PartitionStore(context.landing_dir / SOURCE / "question_map" / wave.wave_code).append(
        map_records, batch_id=batch, part_label="map"
    )
    return question_map


def _sha256(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _landed_keys(store: PartitionStore) -> dict[tuple[str, str], set[str]]:
    """(sample, 回答日時) → keys landed by earlier deliveries. A key hashes the time and the
    answers, so two keys for one (sample, time) mean two different sets of answers."""
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in store.read_all():
        moment = record.get("answered_at_local")
        if moment:
            keys[(record["sample_pseudonym"], moment)].add(record[KEY_FIELD])
    return keys


def _record(
    context: LandingContext,
    wave: Wave,
    delivery: PanelFile,
    candidate: _Candidate,
    question_map: dict[str, str | None],
    lander: AnswerLander,
    quarantine: QuarantineBatch,
    summary: SourceSummary,
) -> dict[str, Any]:
    cells = candidate.row.cells
    answers = {
        header: lander.land(
            question_map[header], value, f"{candidate.sample}|{header}", quarantine, summary
        )
        for header, value in candidate.answered.items()
    }
    return {
        KEY_FIELD: candidate.key,
        "wave_code": wave.wave_code,
        "sample_pseudonym": candidate.sample,
        "age": cells.get("年齢") or None,
        "region": cells.get("居住地域") or None,
        "employment_type": cells.get("就業形態") or None,
        "answered_at": cells.get(ANSWERED_AT_HEADER) or None,
        "answered_at_local": candidate.answered_at_local,
        "answers": answers,
        "source_file": delivery.path.name,
        "source_file_sha256": delivery.sha256,
        "source_encoding": delivery.encoding,
        "row_number": candidate.row.row_number,
        "landed_at": utc_now(),
    }


def land_panel_file(context: LandingContext, wave: Wave, delivery: PanelFile) -> SourceSummary:
    batch_id = new_batch_id()
    name = delivery.path.name
    summary = SourceSummary(SOURCE, name, wave.wave_code)
    summary.notes.append(f"encoding {delivery.encoding}")
    summary.received = delivery.received
    question_map = _land_question_map(context, wave, delivery, summary, batch_id)
    quarantine = context.quarantine(SOURCE, name, wave.wave_code, batch_id)

    def reject(row_number: int, reason: str, detail: str, raw: str) -> None:
        quarantine.add(reason, f"{name} row {row_number}", detail, sensitive_raw=raw)
        summary.rejected += 1

    for problem in delivery.problems:
        reject(problem.row_number, problem.reason_code, problem.detail, problem.raw)
    groups = _group_rows(context, wave, delivery, question_map, reject)
    store = PartitionStore(context.landing_dir / SOURCE / "responses" / wave.wave_code)
    landed_keys = _landed_keys(store)
    lander = AnswerLander(context.catalog, context.pseudonymiser)
    records = []
    for (sample, local), candidates in groups.items():
        first = _one_of(sample, local, candidates, reject)
        if first is None:
            continue
        if store.is_landed(first.key):
            summary.already_landed += 1
            continue
        if landed_keys.get((sample, local), set()) - {first.key}:
            quarantine.add(
                "conflicting_rows",
                f"{name} row {first.row.row_number}",
                f"sample {sample} answered at {local} with other answers in an earlier "
                "delivery; landed, and both rows are excluded downstream",
                sensitive_raw=first.row.raw,
            )
        record = _record(context, wave, delivery, first, question_map, lander, quarantine, summary)
        records.append({**record, "batch_id": batch_id})
    superseded = _superseded_answers(groups, landed_keys)
    if superseded:
        summary.notes.append(
            f"{superseded} earlier answer(s) of respondents who answered again: kept in "
            "landing as superseded; only the latest 回答日時 counts"
        )
    context.vault.flush()
    # Quarantine first: a re-read of a landed delivery skips its rows before any check, so a
    # killed run must not leave landed rows without their quarantine notes.
    summary.quarantined.update(quarantine.commit(context.landing_dir, "rows"))
    summary.landed = store.append(records, batch_id=batch_id, part_label="rows")
    log.info(
        "panel %s (%s): %d rows, %d landed, %d already landed, %d rejected",
        name,
        wave.wave_code,
        summary.received,
        summary.landed,
        summary.already_landed,
        summary.rejected,
    )
    return summary


Reject = Callable[[int, str, str, str], None]  # row number, reason code, detail, raw row


def _group_rows(
    context: LandingContext,
    wave: Wave,
    delivery: PanelFile,
    question_map: dict[str, str | None],
    reject: Reject,
) -> dict[tuple[str, str], list[_Candidate]]:
    """Read every row; group the readable ones by respondent and answer time."""
    groups: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    for row in delivery.rows:
        sample_id = row.cells.get(SAMPLE_ID_HEADER, "")
        if not sample_id:
            reject(row.row_number, "missing_id", f"{SAMPLE_ID_HEADER} is blank", row.raw)
            continue
        sample = context.pseudonymiser.pseudonym("panel_id", sample_id, source=wave.source_ref)
        answered_at_text = row.cells.get(ANSWERED_AT_HEADER, "")
        moment = parse_answered_at(answered_at_text)
        if moment is None:
            detail = (
                f"sample {sample}: {ANSWERED_AT_HEADER} {answered_at_text[:40]!r} cannot be "
                "read as a date and time, so the latest answer cannot be told"
            )
            reject(row.row_number, "unparseable_date", detail, row.raw)
            continue
        answered = {h: v for h, v in row.cells.items() if h in question_map and v != ""}
        answers_sha256 = _sha256(answered)
        local = moment.isoformat()
        # Keyed on time and content: the same delivery sent again (CSV, then XLSX) is
        # recognised before any per-answer work; a later answer is a new record.
        key_hash = _sha256({"answered_at": local, "answers": answers_sha256})
        key = f"{wave.wave_code}|{sample}|{key_hash[:16]}"
        groups[(sample, local)].append(
            _Candidate(row, sample, local, answered, answers_sha256, key)
        )
    return groups


def _one_of(
    sample: str, local: str, candidates: list[_Candidate], reject: Reject
) -> _Candidate | None:
    """The row to land of one respondent at one answer time: copies are duplicates, rows with
    different answers are a conflict and none lands."""
    if len({candidate.answers_sha256 for candidate in candidates}) > 1:
        rows = ", ".join(str(candidate.row.row_number) for candidate in candidates)
        for candidate in candidates:
            detail = (
                f"sample {sample} answered at {local} in rows {rows} with different "
                "answers; all excluded"
            )
            reject(candidate.row.row_number, "conflicting_rows", detail, candidate.row.raw)
        return None
    first, *copies = candidates
    for copy in copies:
        detail = f"sample {sample}: same answer time and answers as row {first.row.row_number}"
        reject(copy.row.row_number, "duplicate_record", detail, copy.row.raw)
    return first


def _superseded_answers(
    groups: dict[tuple[str, str], list[_Candidate]],
    landed_keys: dict[tuple[str, str], set[str]],
) -> int:
    """Earlier answers of the respondents of this delivery who answered more than once (in
    landing or here, conflicting times excluded)."""
    samples_here = {sample for sample, _ in groups}
    times_per_sample: dict[str, set[str]] = defaultdict(set)
    for sample, moment in landed_keys:
        if sample in samples_here:
            times_per_sample[sample].add(moment)
    for (sample, local), candidates in groups.items():
        if len({candidate.answers_sha256 for candidate in candidates}) == 1:
            times_per_sample[sample].add(local)
    return sum(len(times) - 1 for times in times_per_sample.values() if len(times) > 1)
