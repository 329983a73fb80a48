"""The manifest of one landing folder: per part file its row count and checksums.

One JSON line per part, appended after the part and its key sidecar are durable, so the order
of a landing is part → sidecar → manifest line. Each crash window leaves a state the next run
repairs from the part itself (a renamed part is complete: it was fsynced before the rename):
no sidecar → rebuilt from the part; no manifest line → computed from the part. A line cut by a
crash or a full disk is skipped on reading and reported by ``impact verify``.

The manifest is how ``impact verify`` tells a deleted or damaged part (listed, but missing or
with another checksum) from a part that was never written.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.jsonl"


@dataclass(frozen=True)
class PartEntry:
    part: str  # file name of the part, in the manifest's folder
    rows: int
    sha256: str  # of the part file's bytes
    keys_sha256: str  # of the key sidecar's bytes
    written_at: str

    def to_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class Manifest:
    entries: dict[str, PartEntry]  # by part file name; a later line for a part wins
    torn_lines: list[int]  # 1-based numbers of lines that could not be read

    def get(self, part_name: str) -> PartEntry | None:
        return self.entries.get(part_name)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST_NAME
    manifest = Manifest({}, [])
    if not path.exists():
        return manifest
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                document = json.loads(raw)
                entry = PartEntry(
                    part=str(document["part"]),
                    rows=int(document["rows"]),
                    sha256=str(document["sha256"]),
                    keys_sha256=str(document["keys_sha256"]),
                    written_at=str(document["written_at"]),
                )
            except (ValueError, KeyError, TypeError):
                manifest.torn_lines.append(number)
                continue
            manifest.entries[entry.part] = entry
    return manifest


def append_entry(directory: Path, entry: PartEntry) -> None:
    """Append one line durably. A tail cut by an earlier crash is closed first, so the new
    line is never glued to a broken one."""
    path = directory / MANIFEST_NAME
    line = entry.to_line().encode("utf-8") + b"\n"
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                line = b"\n" + line
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(descriptor, line)
        if written != len(line):
            raise OSError(f"short write to {path}: {written} of {len(line)} bytes")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def rewrite_manifest(directory: Path, entries: list[PartEntry]) -> None:
    """Replace the manifest whole (``impact verify`` dropping lost parts or torn lines)."""
    from impact_warehouse.landing.store import write_atomically

    ordered = sorted(entries, key=lambda entry: entry.part)
    write_atomically(directory / MANIFEST_NAME, (entry.to_line() for entry in ordered))
