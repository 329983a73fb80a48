"""Quarantine: every rejected or suspicious record, with a reason people can act on.

Quarantine is itself landed idempotently (keyed by reason + record), so re-running a pull
does not report the same problem twice. Raw text is scrubbed of emails and phone numbers
before it is kept here: quarantine is outside the vault.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact_warehouse.landing.privacy import Pseudonymiser
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, utc_now

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
}


@dataclass
class QuarantineBatch:
    source: str
    source_ref: str
    wave_code: str | None
    batch_id: str
    pseudonymiser: Pseudonymiser
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(self, reason_code: str, record_ref: str, detail: str, raw: str | None = None) -> None:
        if reason_code not in REASONS:
            raise ValueError(f"unknown quarantine reason {reason_code!r}")
        scrubbed_raw = None
        if raw is not None:
            scrubbed_raw, _ = self.pseudonymiser.scrub_free_text(raw, source=self.source_ref)
        fingerprint = hashlib.sha256(f"{reason_code}|{record_ref}|{detail}".encode()).hexdigest()
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
                "raw": scrubbed_raw,
                "batch_id": self.batch_id,
                "quarantined_at": utc_now(),
            }
        )

    def counts(self) -> Counter[str]:
        return Counter(record["reason_code"] for record in self.records)

    def commit(self, landing_dir: Path, part_label: str) -> int:
        store = PartitionStore(landing_dir / "quarantine" / self.source / self.source_ref)
        written = store.append(self.records, batch_id=self.batch_id, part_label=part_label)
        self.records = []
        return written
