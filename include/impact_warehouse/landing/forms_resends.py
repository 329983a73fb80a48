"""Tell an identical re-send of a landed response from a conflicting one.

A response is keyed by ``responseId|lastSubmittedTime``. Google re-sends the same key with
the same content on every overlapping pull (the watermark filter is inclusive); the same key
with *other* content is a conflict staff must see, never a silent "already landed".

Each landed response carries ``content_sha256`` (of the record as received). This index, a
separate part-file folder, holds two keys per landed response: ``key|<key>`` (the key has a
fingerprint) and ``sha|<key>|<sha256>`` (this exact content landed). It is read only for keys
that are already landed, so first pulls pay nothing for it. A landing zone written before
fingerprints existed, or a run killed between a part and its index entries, is backfilled
from the part files once per run; a response landed without any fingerprint is never called
a conflict: the first version seen again becomes its reference.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, new_batch_id

log = logging.getLogger(__name__)

FINGERPRINT_FIELD = "content_sha256"
FINGERPRINTS_FOLDER = "response_fingerprints"  # <landing>/<source>/this/<form id>


class Resend(Enum):
    IDENTICAL = "identical"
    CONFLICTING = "conflicting"
    UNFINGERPRINTED = "unfingerprinted"


def index_entries(key: str, content_sha256: str, batch_id: str) -> list[dict[str, Any]]:
    return [
        {KEY_FIELD: f"key|{key}", "batch_id": batch_id},
        {KEY_FIELD: f"sha|{key}|{content_sha256}", "batch_id": batch_id},
    ]


class ResendIndex:
    """Content fingerprints of one form's landed responses."""

    def __init__(self, landing_dir: Path, source: str, form_id: str, responses: PartitionStore):
        self.index = PartitionStore(landing_dir / source / FINGERPRINTS_FOLDER / form_id)
        self.responses = responses
        self._backfilled = False

    def classify(self, resent: Sequence[tuple[str, str]]) -> list[Resend]:
        """What each re-sent, already landed ``(key, content sha256)`` is: the index searched
        once for them all (and once more after a backfill, when one has no fingerprint)."""
        verdicts = self._looked_up(resent)
        if Resend.UNFINGERPRINTED in verdicts and self._backfill():
            verdicts = self._looked_up(resent)
        return verdicts

    def _looked_up(self, resent: Sequence[tuple[str, str]]) -> list[Resend]:
        same_content = self.index.landed_among([f"sha|{key}|{sha}" for key, sha in resent])
        fingerprinted = self.index.landed_among([f"key|{key}" for key, _ in resent])
        return [
            Resend.IDENTICAL if same else Resend.CONFLICTING if keyed else Resend.UNFINGERPRINTED
            for same, keyed in zip(same_content, fingerprinted, strict=True)
        ]

    def append(self, entries: list[dict[str, Any]], *, batch_id: str, part_label: str) -> None:
        # Entries are a key and a batch id, both text.
        self.index.append(entries, batch_id=batch_id, part_label=part_label, text_only=True)

    def _backfill(self) -> bool:
        """Index every fingerprinted landed response (once per run). Returns whether it ran."""
        if self._backfilled:
            return False
        self._backfilled = True
        # A batch id of its own: a fixed part name would overwrite an earlier backfill.
        batch_id = new_batch_id()
        entries: list[dict[str, Any]] = []
        for part in sorted(self.responses.directory.glob("part-*.jsonl")):
            with part.open(encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    record = json.loads(line)
                    if record.get(FINGERPRINT_FIELD):
                        entries += index_entries(
                            record[KEY_FIELD], record[FINGERPRINT_FIELD], batch_id
                        )
        written = self.index.append(
            entries, batch_id=batch_id, part_label="backfill", text_only=True
        )
        if written:
            log.info(
                "fingerprint index of %s: backfilled %d entries", self.index.directory, written
            )
        return True
