"""Quarantine: every rejected or suspicious record, with a reason people can act on.

Quarantine is itself landed idempotently (keyed by reason + record), so re-running a pull
does not report the same problem twice. A rejected whole record may hold personal data the
extract step could not recognise (a truncated line, a form we have no question map for), so
its raw text goes to the restricted vault and the quarantine row keeps only a reference and
a hash: nothing is lost, and nothing personal leaves the vault.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, utc_now, write_atomically

# reason_code → plain explanation (English for engineers; staff messages are made later).
REASONS = {
    "unparseable_json": "record is not valid JSON; it cannot be read at all",
    "missing_id": "record has no responseId/sample id, so it cannot be deduplicated or linked",
    "unknown_form": "record belongs to a form that is not in the catalog (waves.csv source_ref)",
    "duplicate_record": "exact duplicate of a record in the same delivery (same id and time)",
    "out_of_scale": "answer is outside the item's scale; excluded from that item only",
    "unparseable_value": "answer cannot be read as a value of the item's scale; excluded",
    "not_on_roster": "respondent is not on the roster of the cohorts the wave targets; "
    "kept in landing, excluded from every measure",
    "unknown_label": "answer label is not in the catalog's labels for this scale; excluded",
    # Record shape (issue 11): checked per record before any use, so one bad record never
    # blocks the rest of its page.
    "malformed_record": "record does not have the shape the source's API documents "
    "(a field of the wrong type); the rest of the page still lands",
    "too_many_answers": "record has more answers than its form has questions (plus a margin)",
    "too_deep": "record is nested deeper than any real response; not read",
    "invalid_timestamp": "timestamp is not RFC 3339 with a time zone",
    "future_timestamp": "timestamp lies in the future beyond the allowed clock skew; "
    "it never moves the watermark",
    "conflicting_resend": "same id and time as a landed record but different content; "
    "both versions kept for staff",
    "unknown_question": "answer to a question id the form does not have; kept out of answers",
    "text_truncated": "free-text answer longer than the limit; cut to the limit",
    # Files (panel deliveries, operations workbooks)
    "empty_file": "file is empty or has no header row",
    "undecodable_file": "file is not UTF-8 (with or without BOM), UTF-16 with BOM or CP932",
    "corrupt_file": "file cannot be read as its format (truncated or damaged)",
    "not_a_regular_file": "inbox entry is a symlink, hidden or not a regular file; not read",
    "short_row": "row has fewer cells than the header",
    "long_row": "row has more cells than the header",
    "repeated_header": "row repeats the header row inside the file",
    "superseded": "an earlier answer of the same respondent; the latest answer time wins",
    "conflicting_rows": "same respondent and answer time, different answers; both excluded",
    # Operations workbook
    "unparseable_date": "date cannot be read as a date (西暦, 和暦, 年月日 or Excel serial)",
    "suspicious_email": "email mixes scripts or hides characters; not linked, for staff",
    # Personal data typed where it does not belong (issue 12)
    "unsupported_file": "inbox file of a type this source does not read (e.g. .xls, .txt)",
    "personal_data_in_field": "answer holds personal data; redacted before landing",
    "missing_sheet": "workbook lacks a known sheet; nothing of that kind was landed from it",
    "missing_column": "sheet lacks a column its rows need to be linked; the sheet is not landed",
}


@dataclass
class QuarantineBatch:
    source: str
    source_ref: str
    wave_code: str | None
    batch_id: str
    raw_vault_dir: Path
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        reason_code: str,
        record_ref: str,
        detail: str,
        *,
        value: str | None = None,
        sensitive_raw: str | None = None,
    ) -> None:
        """Quarantine one record or answer.

        ``value`` is an answer to a scale item (a number or label: safe to keep here);
        ``sensitive_raw`` is a whole rejected record, kept only in the vault.
        """
        if reason_code not in REASONS:
            raise ValueError(f"unknown quarantine reason {reason_code!r}")
        fingerprint = hashlib.sha256(f"{reason_code}|{record_ref}|{detail}".encode()).hexdigest()
        raw_sha256 = raw_vault_path = None
        if sensitive_raw is not None:
            raw_sha256 = hashlib.sha256(sensitive_raw.encode()).hexdigest()
            raw_vault_path = f"quarantine_raw/{self.source}/{raw_sha256}.txt"
            target = self.raw_vault_dir / raw_vault_path
            if not target.exists():
                write_atomically(target, [sensitive_raw])
                target.chmod(0o600)
        self.records.append(
            {
                KEY_FIELD: fingerprint[:40],
                "source": self.source,
                "source_ref": self.source_ref,
                "wave_code": self.wave_code,
                "record_ref": record_ref,
                "reason_code": reason_code,
                "reason": REASONS[reason_code],
                "detail": detail,
                "value": value,
                "raw_sha256": raw_sha256,
                "raw_vault_path": raw_vault_path,
                "batch_id": self.batch_id,
                "quarantined_at": utc_now(),
            }
        )

    def commit(
        self, landing_dir: Path, part_label: str, store: PartitionStore | None = None
    ) -> Counter[str]:
        """Land the batch; returns the reasons of records not quarantined before.

        Run summaries count these, so a problem seen again (a re-sent delivery, a re-pull)
        is reported once, exactly as it is stored once. A job committing page after page
        passes its ``quarantine_store`` so the landed keys are read once, not once per page.
        """
        store = store or quarantine_store(landing_dir, self.source, self.source_ref)
        landed = store.landed_among([record[KEY_FIELD] for record in self.records])
        fresh = {
            record[KEY_FIELD]: record
            for record, was_landed in zip(self.records, landed, strict=True)
            if not was_landed
        }
        store.append(list(fresh.values()), batch_id=self.batch_id, part_label=part_label)
        self.records = []
        return Counter(record["reason_code"] for record in fresh.values())


def quarantine_store(landing_dir: Path, source: str, source_ref: str) -> PartitionStore:
    """The quarantine folder of one source entity."""
    return PartitionStore(landing_dir / "quarantine" / source / source_ref)
