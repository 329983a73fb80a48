"""A wave's form definition and question map, landed before its responses.

Each distinct revision of a form is landed once (keyed by its content hash), with the
question → catalog item map of that revision; the response checks use its question ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from impact_warehouse.catalog import QuestionMatcher, Wave
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, utc_now
from impact_warehouse.landing.summary import SourceSummary

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


def land_form_definition(
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
            summary.unmatched_questions.append(
                f"{question_id} {context.shown_to_staff(title, form_id)!r}"
            )
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
