"""Every kind of dirt the demo generator injects ends in quarantine with its reason, or is
normalised and counted; valid records around it still land."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

# Dirt kind (demo manifest) → quarantine reason it must produce for its record.
QUARANTINED_AS = {
    "out_of_range": "out_of_scale",
    "unparseable_value": "unparseable_value",
    "duplicate_line": "duplicate_record",
    "duplicate_row": "duplicate_record",
    "missing_response_id": "missing_id",
    "unknown_form": "unknown_form",
    "truncated_line": "unparseable_json",
    "unknown_respondent": "not_on_roster",
}


def _read_parts(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for part in sorted(folder.rglob("part-*.jsonl"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]


@pytest.fixture
def landed(settings, api_config, run_ingest) -> dict[str, Any]:
    summary = run_ingest(settings, api_config())
    return {
        "summary": summary,
        "quarantine": _read_parts(settings.landing / "quarantine"),
        "responses": _read_parts(settings.landing / "google_forms" / "responses"),
        "question_map": _read_parts(settings.landing / "google_forms" / "question_map"),
    }


def test_manifest_lists_every_kind_of_dirt_the_issue_names(manifest):
    kinds = {entry["kind"] for entry in manifest["dirt"]}
    assert (
        set(QUARANTINED_AS)
        | {
            "resubmission",
            "fullwidth_digits",
            "blank_answer",
            "email_variant",
            "wording_change",
            "unmatched_question",
            "contact_in_free_text",
        }
        <= kinds
    )


def test_rejected_dirt_is_quarantined_with_its_reason(manifest, landed):
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in landed["quarantine"]:
        by_source[record["wave_code"]].append(record)
    for entry in manifest["dirt"]:
        reason = QUARANTINED_AS.get(entry["kind"])
        if reason is None:
            continue
        candidates = [r for r in by_source[entry["wave_code"]] if r["reason_code"] == reason]
        assert candidates, f"{entry} produced no {reason} quarantine record"
        assert all(record["reason"] for record in candidates)
        # Forms dirt names its responseId; panel dirt names a file row (sample ids are
        # pseudonymised), so for panel rows the reason in that wave is the evidence.
        if isinstance(entry["response_id_or_row"], str) and entry["kind"] not in (
            "truncated_line",
            "missing_response_id",
        ):
            refs = {record["record_ref"].split("|")[0] for record in candidates}
            assert entry["response_id_or_row"] in refs, entry


def test_answer_level_problems_keep_the_rest_of_the_response(manifest, landed):
    landed_ids = {record["response_id"] for record in landed["responses"]}
    for entry in manifest["dirt"]:
        kind = entry["kind"]
        if kind in ("out_of_range", "unparseable_value", "unknown_respondent") and isinstance(
            entry["response_id_or_row"], str
        ):
            assert entry["response_id_or_row"] in landed_ids, entry


def test_normalised_dirt_is_counted_and_not_quarantined(manifest, landed):
    summary = landed["summary"]
    kinds = Counter(entry["kind"] for entry in manifest["dirt"])
    assert summary["normalised"]["nfkc_or_whitespace"] >= kinds["fullwidth_digits"]
    assert summary["normalised"]["email_case_or_whitespace"] >= 1
    assert summary["normalised"]["contact_details_scrubbed"] >= 2  # an address and a phone
    quarantined_refs = {record["record_ref"].split("|")[0] for record in landed["quarantine"]}
    for entry in manifest["dirt"]:
        if entry["kind"] in ("fullwidth_digits", "email_variant"):
            assert entry["response_id_or_row"] not in quarantined_refs, entry


def test_resubmissions_keep_both_versions_in_landing(manifest, landed):
    landed_ids = {record["response_id"] for record in landed["responses"]}
    resubmissions = [entry for entry in manifest["dirt"] if entry["kind"] == "resubmission"]
    assert resubmissions
    for entry in resubmissions:
        assert entry["response_id_or_row"] in landed_ids
        later_id = entry["detail"].split()[2].rstrip(",")
        assert later_id in landed_ids


def test_changed_wording_and_unmatched_questions_are_mapped_or_reported(manifest, landed):
    for entry in manifest["dirt"]:
        if entry["kind"] == "wording_change":
            mapped = {
                (row["item_code"], row["match_method"])
                for row in landed["question_map"]
                if row["form_id"] == entry["source_ref"]
            }
            assert ("career_confidence", "wording") in mapped
        if entry["kind"] == "unmatched_question":
            reported = landed["summary"]["unmatched_questions"]
            assert any(line.startswith(entry["source_ref"] + ":") for line in reported), entry


def test_free_text_contact_details_are_replaced_by_pseudonyms(manifest, landed):
    entry = next(e for e in manifest["dirt"] if e["kind"] == "contact_in_free_text")
    response = next(
        r for r in landed["responses"] if r["response_id"] == entry["response_id_or_row"]
    )
    texts = [
        value["value"]
        for answer in response["payload"]["answers"].values()
        for value in answer["textAnswers"]["answers"]
    ]
    assert any("[email_" in text and "[phone_" in text for text in texts)
