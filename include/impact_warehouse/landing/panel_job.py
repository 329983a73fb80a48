"""Land comparison-panel deliveries (CSV in CP932/UTF-8/UTF-8-BOM, or XLSX).

A vendor often sends the same delivery twice (CSV and XLSX, or a re-send): rows are keyed by
wave, pseudonymous sample id and answer content, so the second copy lands nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from impact_warehouse.catalog import QuestionMatcher, Wave
from impact_warehouse.landing.answers import AnswerLander
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id, utc_now
from impact_warehouse.landing.summary import SourceSummary
from impact_warehouse.sources.panel_files import (
    METADATA_HEADERS,
    PanelFile,
    find_panel_files,
    read_panel_file,
)

log = logging.getLogger(__name__)
SOURCE = "panel_file"


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
    for path in find_panel_files(context.inbox_dir):
        wave = wave_for_file(context, path)
        if wave is None:
            summary = SourceSummary(SOURCE, path.name)
            summary.notes.append(
                "file name matches no panel wave's source_ref in waves.csv; not landed"
            )
            quarantine = context.quarantine(SOURCE, path.name, None, new_batch_id())
            quarantine.add("unknown_form", path.name, "no wave in waves.csv for this file name")
            summary.quarantined.update(quarantine.commit(context.landing_dir, "file"))
            summaries.append(summary)
            continue
        summaries.append(land_panel_file(context, wave, read_panel_file(path)))
    return summaries


def land_panel_file(context: LandingContext, wave: Wave, delivery: PanelFile) -> SourceSummary:
    batch_id = new_batch_id()
    summary = SourceSummary(SOURCE, delivery.path.name, wave.wave_code)
    summary.notes.append(f"encoding {delivery.encoding}")
    matcher = QuestionMatcher(context.catalog, wave.fiscal_year)
    question_map: dict[str, str | None] = {}
    map_records = []
    for header in delivery.headers:
        if header in METADATA_HEADERS or not header:
            continue
        match = matcher.match(header, source_ref=wave.source_ref, question_id=header)
        question_map[header] = match.item_code
        if match.item_code is None:
            summary.unmatched_questions.append(repr(header))
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
        map_records, batch_id=batch_id, part_label="map"
    )

    quarantine = context.quarantine(SOURCE, delivery.path.name, wave.wave_code, batch_id)
    store = PartitionStore(context.landing_dir / SOURCE / "responses" / wave.wave_code)
    samples_in_file: set[str] = set()
    lander = AnswerLander(context.catalog, context.pseudonymiser)
    records = []
    for row_number, row in enumerate(delivery.rows, start=2):
        summary.received += 1
        sample_id = row.get("サンプルID", "")
        if not sample_id:
            quarantine.add(
                "missing_id", f"{delivery.path.name} row {row_number}", "サンプルID is blank"
            )
            continue
        sample = context.pseudonymiser.pseudonym("panel_id", sample_id, source=wave.source_ref)
        if sample in samples_in_file:
            quarantine.add(
                "duplicate_record",
                f"{delivery.path.name} row {row_number}",
                f"sample {sample} appears more than once in this delivery",
            )
            continue
        samples_in_file.add(sample)
        answered = {h: v for h, v in row.items() if h in question_map and v != ""}
        # Keyed on the delivered content: the same delivery sent again (CSV, then XLSX) is
        # recognised before any per-answer work, so it is neither landed nor reported twice.
        content = hashlib.sha256(
            json.dumps(answered, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        key = f"{wave.wave_code}|{sample}|{content[:16]}"
        if store.is_landed(key):
            summary.already_landed += 1
            continue
        answers = {
            header: lander.land(
                question_map[header], value, f"{sample}|{header}", quarantine, summary
            )
            for header, value in answered.items()
        }
        records.append(
            {
                KEY_FIELD: key,
                "wave_code": wave.wave_code,
                "sample_pseudonym": sample,
                "age": row.get("年齢") or None,
                "region": row.get("居住地域") or None,
                "employment_type": row.get("就業形態") or None,
                "answered_at": row.get("回答日時") or None,
                "answers": answers,
                "source_file": delivery.path.name,
                "source_file_sha256": delivery.sha256,
                "source_encoding": delivery.encoding,
                "row_number": row_number,
                "batch_id": batch_id,
                "landed_at": utc_now(),
            }
        )
    context.vault.flush()
    summary.landed = store.append(records, batch_id=batch_id, part_label="rows")
    summary.quarantined.update(quarantine.commit(context.landing_dir, "rows"))
    log.info(
        "panel %s (%s): %d rows, %d landed",
        delivery.path.name,
        wave.wave_code,
        summary.received,
        summary.landed,
    )
    return summary
