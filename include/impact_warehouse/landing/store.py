"""Append-only, idempotent landing files.

Every landed record has a key. A part file (JSON lines) is written to a temporary name,
fsynced and renamed, so a reader or a killed run never sees half a file; its keys go to a
sidecar ``.keys`` file afterwards. A part whose sidecar is missing (the run died between the
two renames) has its keys rebuilt from the part itself, so nothing is ever landed twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KEY_FIELD = "record_key"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def new_batch_id() -> str:
    """Sortable batch id: time first so part files list in landing order."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path: Path, lines: Iterable[str]) -> None:
    """Write text lines to ``path`` so that it appears complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    with temporary.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _key_digest(key: str) -> bytes:
    """What the in-memory index holds per landed key: 16 bytes however long the key (keys
    are up to ~100 characters; a million of them as strings held ~250 MB). Collisions at
    128 bits are out of reach; the keys themselves stay on disk in the sidecars."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


class PartitionStore:
    """One folder of part files for one source entity (e.g. one form's responses)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._keys: set[bytes] | None = None

    def _part_files(self) -> list[Path]:
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob("part-*.jsonl"))

    @property
    def _landed(self) -> set[bytes]:
        """Digests of every landed key, read from the sidecars once per store."""
        if self._keys is None:
            self._keys = set()
            for part in self._part_files():
                sidecar = part.with_suffix(".keys")
                if not sidecar.exists():
                    self._rebuild_sidecar(part, sidecar)
                with sidecar.open(encoding="utf-8") as handle:
                    self._keys.update(
                        _key_digest(json.loads(line)) for line in handle if line.strip()
                    )
        return self._keys

    @staticmethod
    def _rebuild_sidecar(part: Path, sidecar: Path) -> None:
        with part.open(encoding="utf-8") as handle:
            keys = [json.loads(line)[KEY_FIELD] for line in handle if line.strip()]
        write_atomically(sidecar, (json.dumps(key, ensure_ascii=False) for key in keys))

    def is_landed(self, key: str) -> bool:
        return _key_digest(key) in self._landed

    def append(self, records: list[dict[str, Any]], *, batch_id: str, part_label: str) -> int:
        """Land records not landed before (by ``record_key``). Returns the number written."""
        fresh: list[dict[str, Any]] = []
        seen_here: set[bytes] = set()
        landed = self._landed
        for record in records:
            digest = _key_digest(record[KEY_FIELD])
            if digest in landed or digest in seen_here:
                continue
            seen_here.add(digest)
            fresh.append(record)
        if not fresh:
            return 0
        part = self.directory / f"part-{batch_id}-{part_label}.jsonl"
        write_atomically(
            part, (json.dumps(record, ensure_ascii=False, sort_keys=True) for record in fresh)
        )
        # Keys may contain spaces or newlines (panel headers), so each is a JSON string.
        write_atomically(
            part.with_suffix(".keys"),
            (json.dumps(record[KEY_FIELD], ensure_ascii=False) for record in fresh),
        )
        landed.update(seen_here)
        return len(fresh)

    def read_all(self) -> list[dict[str, Any]]:
        records = []
        for part in self._part_files():
            with part.open(encoding="utf-8") as handle:
                records.extend(json.loads(line) for line in handle if line.strip())
        return records


class Watermarks:
    """Per-source high-water marks, moved only after the data they cover is durable."""

    def __init__(self, state_dir: Path) -> None:
        self.directory = state_dir / "watermarks"

    def _path(self, source: str, source_ref: str) -> Path:
        return self.directory / source / f"{source_ref}.json"

    def get(self, source: str, source_ref: str) -> str | None:
        path = self._path(source, source_ref)
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))["watermark"]

    def advance(self, source: str, source_ref: str, watermark: str, *, batch_id: str) -> None:
        current = self.get(source, source_ref)
        # RFC3339 UTC strings with the same precision sort chronologically.
        if current is not None and current >= watermark:
            return
        document = {"watermark": watermark, "batch_id": batch_id, "updated_at": utc_now()}
        write_atomically(self._path(source, source_ref), [json.dumps(document)])
