"""Append-only, idempotent landing files.

Every landed record has a key. A part file (JSON lines) is written to a temporary name,
fsynced and renamed, so a reader or a killed run never sees half a file; its keys go to a
sidecar ``.keys`` file afterwards, then a line with both checksums to the folder's manifest
(``landing/manifest.py``). A part whose sidecar is missing (the run died between the two
renames) or damaged has its keys rebuilt from the part itself, so nothing is ever landed twice;
``impact verify`` (``landing/verify.py``) finds and repairs what the index cannot.
Writers hold the source's landing lock (``landing/lock.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

# These lived here before atomic_files.py; other modules still import them from here.
from impact_warehouse.landing.atomic_files import TEMPORARY_MARK as TEMPORARY_MARK
from impact_warehouse.landing.atomic_files import is_temporary as is_temporary
from impact_warehouse.landing.atomic_files import remove_temporaries as remove_temporaries
from impact_warehouse.landing.atomic_files import write_atomically
from impact_warehouse.landing.key_digests import KeyDigests
from impact_warehouse.landing.manifest import (
    PartEntry,
    append_entry,
    read_manifest,
    sha256_hex,
)
from impact_warehouse.landing.text_json import json_string, landed_json

KEY_FIELD = "record_key"
# Built once: json.dumps with options builds a new encoder on every call.
_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False)
_RECORD_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
log = logging.getLogger(__name__)


# The second utc_now last formatted, and its text: every landed record is stamped, and
# formatting only the microseconds costs a fifth of building and formatting a datetime.
# One tuple, replaced whole, so a thread never pairs a second with another second's text.
_LAST_SECOND: tuple[int, str] = (-1, "")


def utc_now() -> str:
    """Now in UTC as ``2025-06-01T09:30:00.123456Z`` (what ``isoformat`` writes, with Z)."""
    global _LAST_SECOND
    seconds, micros = divmod(time.time_ns() // 1000, 1_000_000)
    last_second, text = _LAST_SECOND
    if seconds != last_second:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _LAST_SECOND = (seconds, text)
    return f"{text}.{micros:06d}Z"


def new_batch_id() -> str:
    """Sortable batch id: time first so part files list in landing order."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]


def _key_digest(key: str) -> bytes:
    """What the in-memory index holds per landed key: 16 bytes however long the key (keys
    are up to ~100 characters; a million of them as strings held ~250 MB), kept in a
    :class:`~impact_warehouse.landing.key_digests.KeyDigests`. Collisions at 128 bits are
    out of reach; the keys themselves stay on disk in the sidecars."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()


class LandingIntegrityError(RuntimeError):
    """A landing file cannot be read as written. The message names the file."""


def sidecar_of(part: Path) -> Path:
    return part.with_suffix(".keys")


def _sidecar_lines(keys: Iterable[str]) -> Iterator[str]:
    # Keys may contain spaces or newlines (panel headers), so each is a JSON string.
    return (_KEY_ENCODER.encode(key) for key in keys)


class EncodedRecord(NamedTuple):
    """A record as its line of a part (:func:`encoded_record`), and its key."""

    key: str
    line: bytes


def encoded_record(record: dict[str, Any], *, text_only: bool) -> EncodedRecord:
    """A record encoded now, byte for byte as :meth:`PartitionStore.append` would encode it
    with the same ``text_only`` (see there).

    A job that lands thousands of records per part encodes each right after building it:
    then its objects are still in the CPU's caches (encoded at the end of the page, every
    one of them had to be fetched from memory again), and the page holds bytes, not trees.
    """
    if text_only:
        return EncodedRecord(record[KEY_FIELD], _text_only_line(record))
    return EncodedRecord(record[KEY_FIELD], _RECORD_ENCODER.encode(record).encode("utf-8"))


def _text_only_line(record: dict[str, Any]) -> bytes:
    """msgspec's bytes, or the stdlib's where msgspec cannot encode the record."""
    data = landed_json(record)
    return _RECORD_ENCODER.encode(record).encode("utf-8") if data is None else data


def _key_line(key: str) -> bytes:
    data = json_string(key)
    return _KEY_ENCODER.encode(key).encode("utf-8") if data is None else data


def _line_of(record: EncodedRecord) -> bytes:
    return record.line


_Item = TypeVar("_Item")


def read_part(part: Path) -> tuple[list[str], str]:
    """The keys of a part (in order) and the sha256 of its bytes. Raises
    :class:`LandingIntegrityError` naming the part and line when a line is not a record."""
    data = part.read_bytes()
    keys = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            key = record[KEY_FIELD]
        except (ValueError, KeyError, TypeError) as error:
            raise LandingIntegrityError(
                f"landing part {part} line {number} is not a landed record "
                f"({type(error).__name__}); run `impact verify`"
            ) from error
        if not isinstance(key, str):
            raise LandingIntegrityError(f"landing part {part} line {number}: key is not text")
        keys.append(key)
    return keys, sha256_hex(data)


def parse_sidecar(sidecar: Path, data: bytes) -> list[str]:
    keys = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            key = json.loads(line)
        except ValueError as error:
            raise LandingIntegrityError(
                f"key sidecar {sidecar} line {number} is not a JSON string; "
                "run `impact verify` to rebuild it from its part"
            ) from error
        if not isinstance(key, str):
            raise LandingIntegrityError(f"key sidecar {sidecar} line {number}: not a key")
        keys.append(key)
    return keys


class PartitionStore:
    """One folder of part files for one source entity (e.g. one form's responses).

    The key index is read from the sidecars once, then topped up with the parts other
    processes landed since: :meth:`append` re-lists the folder before it filters, so under
    the source's landing lock two processes can never both land a key.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._keys: KeyDigests | None = None
        self._indexed_parts: set[str] = set()

    def _part_files(self) -> list[Path]:
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob("part-*.jsonl"))

    @property
    def _landed(self) -> KeyDigests:
        """Digests of every landed key, read from the sidecars once per store."""
        if self._keys is None:
            self._keys = KeyDigests()
            self._index_new_parts()
        return self._keys

    def _index_new_parts(self) -> None:
        keys = self._landed
        new_parts = [p for p in self._part_files() if p.name not in self._indexed_parts]
        if not new_parts:
            return
        manifest = read_manifest(self.directory)
        for part in new_parts:
            keys.add_many(
                _key_digest(key) for key in self._checked_keys(part, manifest.get(part.name))
            )
            self._indexed_parts.add(part.name)

    def _checked_keys(self, part: Path, entry: PartEntry | None) -> list[str]:
        """A part's keys, repairing what a crash or damage left behind when the part allows."""
        sidecar = sidecar_of(part)
        if entry is None:
            # The run died before the manifest line (or the part predates manifests): the
            # part is complete (renamed after fsync), so it is the truth.
            keys, part_sha = read_part(part)
            keys_sha = self._ensure_sidecar(sidecar, keys)
            append_entry(
                self.directory, PartEntry(part.name, len(keys), part_sha, keys_sha, utc_now())
            )
            return keys
        if sidecar.exists():
            data = sidecar.read_bytes()
            if sha256_hex(data) == entry.keys_sha256:
                return parse_sidecar(sidecar, data)
            log.warning("key sidecar %s does not match its manifest line; rebuilding", sidecar)
        try:
            keys, part_sha = read_part(part)
        except LandingIntegrityError as error:
            raise LandingIntegrityError(
                f"key sidecar {sidecar} is missing or damaged and cannot be rebuilt: {error}"
            ) from error
        if part_sha != entry.sha256:
            raise LandingIntegrityError(
                f"landing part {part} does not match its manifest (sha256 {part_sha[:12]}…, "
                f"expected {entry.sha256[:12]}…) and its key sidecar {sidecar} is missing or "
                "damaged; run `impact verify` to repair"
            )
        keys_sha = write_atomically(sidecar, _sidecar_lines(keys))
        if keys_sha != entry.keys_sha256:
            append_entry(
                self.directory, PartEntry(part.name, len(keys), part_sha, keys_sha, utc_now())
            )
        return keys

    @staticmethod
    def _ensure_sidecar(sidecar: Path, keys: list[str]) -> str:
        """The sidecar's sha256, after rewriting it from ``keys`` if it is missing or differs."""
        if sidecar.exists():
            data = sidecar.read_bytes()
            try:
                if parse_sidecar(sidecar, data) == keys:
                    return sha256_hex(data)
            except LandingIntegrityError:
                pass
            log.warning("key sidecar %s differs from its part; rebuilding", sidecar)
        return write_atomically(sidecar, _sidecar_lines(keys))

    def is_landed(self, key: str) -> bool:
        return _key_digest(key) in self._landed

    def landed_among(self, keys: Sequence[str]) -> list[bool]:
        """:meth:`is_landed` of each key, in one search of the index for them all."""
        return self._landed.landed_mask([_key_digest(key) for key in keys])

    def append(
        self,
        records: list[dict[str, Any]],
        *,
        batch_id: str,
        part_label: str,
        text_only: bool = False,
    ) -> int:
        """Land records not landed before (by ``record_key``). Returns the number written.

        ``text_only``: the caller knows the records hold nothing but ``str``, ``None``,
        ``bool``, ``dict`` with ``str`` keys and ``list`` (no numbers), so they are encoded
        by msgspec, byte for byte as by ``json`` (:mod:`impact_warehouse.landing.text_json`).
        """
        keys = [record[KEY_FIELD] for record in records]
        if text_only:
            return self._land(records, keys, _text_only_line, _key_line, batch_id, part_label)
        return self._land(
            records, keys, _RECORD_ENCODER.encode, _KEY_ENCODER.encode, batch_id, part_label
        )

    def append_encoded(
        self, records: list[EncodedRecord], *, batch_id: str, part_label: str
    ) -> int:
        """:meth:`append` for records encoded beforehand (:func:`encoded_record`)."""
        keys = [record.key for record in records]
        return self._land(records, keys, _line_of, _key_line, batch_id, part_label)

    def _land(
        self,
        items: list[_Item],
        keys: list[str],
        line: Callable[[_Item], str] | Callable[[_Item], bytes],
        key_line: Callable[[str], str] | Callable[[str], bytes],
        batch_id: str,
        part_label: str,
    ) -> int:
        """Write the items whose keys are not landed yet as one part; their number."""
        # Parts landed by another process since the index was read (the caller holds the
        # source's landing lock, so none can appear between this and the write below).
        self._index_new_parts()
        fresh: list[_Item] = []
        fresh_keys: list[str] = []
        seen_here: set[bytes] = set()
        digests = [_key_digest(key) for key in keys]
        landed = self._landed.landed_mask(digests)  # one search: see landed_among
        for item, key, digest, was_landed in zip(items, keys, digests, landed, strict=True):
            if was_landed or digest in seen_here:
                continue
            seen_here.add(digest)
            fresh.append(item)
            fresh_keys.append(key)
        if not fresh:
            return 0
        part = self.directory / f"part-{batch_id}-{part_label}.jsonl"
        # Order matters for the crash windows: part, then sidecar, then manifest line.
        part_sha = write_atomically(part, map(line, fresh))
        keys_sha = write_atomically(sidecar_of(part), map(key_line, fresh_keys))
        append_entry(
            self.directory, PartEntry(part.name, len(fresh), part_sha, keys_sha, utc_now())
        )
        self._landed.add_many(seen_here)
        self._indexed_parts.add(part.name)
        return len(fresh)

    def read_all(self) -> list[dict[str, Any]]:
        records = []
        for part in self._part_files():
            with part.open(encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        records.append(json.loads(line))
                    except ValueError as error:
                        raise LandingIntegrityError(
                            f"landing part {part} line {number} is not JSON; run `impact verify`"
                        ) from error
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
        try:
            watermark = json.loads(path.read_text(encoding="utf-8"))["watermark"]
        except (ValueError, KeyError, TypeError) as error:
            raise LandingIntegrityError(
                f"watermark file {path} cannot be read ({type(error).__name__}); "
                "run `impact verify` to reset it"
            ) from error
        if watermark is not None and not isinstance(watermark, str):
            raise LandingIntegrityError(f"watermark file {path}: watermark is not text")
        return watermark

    def advance(self, source: str, source_ref: str, watermark: str, *, batch_id: str) -> None:
        current = self.get(source, source_ref)
        # RFC3339 UTC strings with the same precision sort chronologically.
        if current is not None and current >= watermark:
            return
        document = {"watermark": watermark, "batch_id": batch_id, "updated_at": utc_now()}
        write_atomically(self._path(source, source_ref), [json.dumps(document)])

    def reset(self, source: str, source_ref: str, watermark: str | None, *, reason: str) -> bool:
        """Move a watermark back (or remove it) so lost records are pulled again.

        Only ever backwards: a later watermark than the current one is ignored. Returns
        whether the watermark changed. Landing stays idempotent, so re-pulling records that
        are still landed only reports them as already landed.
        """
        path = self._path(source, source_ref)
        try:
            current = self.get(source, source_ref)
        except LandingIntegrityError:
            current = "unreadable"
        if current is None:
            return False
        if watermark is None:
            path.unlink(missing_ok=True)
            return True
        if current != "unreadable" and current <= watermark:
            return False
        document = {
            "watermark": watermark,
            "batch_id": None,
            "updated_at": utc_now(),
            "reset_reason": reason,
        }
        write_atomically(path, [json.dumps(document)])
        return True
