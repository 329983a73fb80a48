"""Paging the demo Forms API's responses as Google does: the sorted index, filters, tokens.

A responses file is indexed once per change (sort keys and byte positions, not the lines), so
a page of a million-response file is one seek and one read; ``filter`` and ``pageToken`` are
parsed and checked as Google's API does. Used by :mod:`impact_warehouse.demo.forms_api_server`.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import BinaryIO

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 5000

_FILTER = re.compile(r"\s*timestamp\s*(?P<op>>=|>)\s*(?P<value>\S+)\s*")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)
# Sort keys are found by regex instead of json.loads: fully parsing a million lines on the
# first request takes ~11 s, the keys alone ~3 s. Lines are validated as JSON per page instead.
_LAST_SUBMITTED = re.compile(rb'"lastSubmittedTime"\s*:\s*"([^"\\]*)"')
# Google always writes UTC with a "Z"; those need no date arithmetic to become a sort key.
_ZULU_STAMP = re.compile(rb"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")
_RESPONSE_ID = re.compile(rb'"responseId"\s*:\s*"([^"\\]*)"')

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_rfc3339_ns(text: str) -> int:
    """Nanoseconds since the Unix epoch for an RFC3339 timestamp; ``ValueError`` if malformed.

    Timestamps are compared as instants, not as text, because ``...05Z`` sorts after
    ``...05.5Z`` as text and offsets other than ``Z`` are legal RFC3339.
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        raise ValueError(f"not an RFC3339 timestamp: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz
    )
    whole_seconds = int(moment.timestamp())
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    return whole_seconds * 1_000_000_000 + nanos


class ApiError(Exception):
    """An error the handler turns into a Google-style JSON error response."""

    def __init__(self, code: int, status: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message


@dataclass
class FormResponses:
    """Index of one responses file, sorted for paging.

    Only sort keys and byte positions are kept, not the lines: a million responses are about a
    gigabyte of JSON, while this index is a few dozen megabytes. Parallel arrays, not objects
    per row, for the same reason.
    """

    stamp: tuple[int, int, int]
    timestamps: list[bytes]  # sort keys, see sort_key_from_ns
    offsets: array[int]
    lengths: array[int]

    def read_lines(self, handle: BinaryIO, start: int, stop: int) -> list[bytes]:
        """Lines ``start:stop`` in sorted order, reading each contiguous run of the file once."""
        lines: list[bytes] = []
        index = start
        while index < stop:
            run_end = self._contiguous_run_end(index, stop)
            handle.seek(self.offsets[index])
            chunk = handle.read(self._end_offset(run_end - 1) - self.offsets[index])
            position = 0
            for row in range(index, run_end):
                lines.append(chunk[position : position + self.lengths[row]].strip())
                position += self.lengths[row]
            index = run_end
        return lines

    def _end_offset(self, row: int) -> int:
        return self.offsets[row] + self.lengths[row]

    def _contiguous_run_end(self, index: int, stop: int) -> int:
        # A chronologically written file makes a whole page one run, i.e. one read() call.
        end = index + 1
        while end < stop and self.offsets[end] == self._end_offset(end - 1):
            end += 1
        return end


def sort_key_from_ns(timestamp_ns: int) -> bytes:
    """Fixed-width UTC text (nanosecond precision) whose byte order is chronological order."""
    seconds, nanos = divmod(timestamp_ns, 1_000_000_000)
    # Epoch arithmetic instead of fromtimestamp(): the latter fails before 1970 on some OSes.
    m = _EPOCH + timedelta(seconds=seconds)
    text = f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
    return f"{text}.{nanos:09d}".encode("ascii")


def _timestamp_sort_key(stamp: bytes) -> bytes | None:
    zulu = _ZULU_STAMP.fullmatch(stamp)
    if zulu is not None:
        return zulu.group(1) + b"." + (zulu.group(2) or b"").ljust(9, b"0")
    try:
        return sort_key_from_ns(parse_rfc3339_ns(stamp.decode("ascii")))
    except (UnicodeDecodeError, ValueError, OverflowError, OSError):
        return None


def _record_sort_key(line: bytes, previous: bytes) -> tuple[bytes, bytes]:
    stamp = _LAST_SUBMITTED.search(line)
    key = _timestamp_sort_key(stamp.group(1)) if stamp is not None else None
    response_id = _RESPONSE_ID.search(line)
    # A record without a readable timestamp keeps its place after the record before it.
    return key or previous, response_id.group(1) if response_id else b""


def index_responses(handle: BinaryIO, stamp: tuple[int, int, int], path: Path) -> FormResponses:
    rows: list[tuple[bytes, bytes, int, int]] = []
    previous = b""
    offset = 0
    handle.seek(0)
    for raw in handle:
        line = raw.strip()
        if line:
            timestamp_key, response_id = _record_sort_key(line, previous)
            previous = timestamp_key
            # The offset doubles as a tie-breaker that keeps duplicate keys in file order.
            rows.append((timestamp_key, response_id, offset, len(raw)))
        offset += len(raw)
    rows.sort()
    logger.info("Indexed %d responses in %s", len(rows), path)
    return FormResponses(
        stamp=stamp,
        timestamps=[row[0] for row in rows],
        offsets=array("q", (row[2] for row in rows)),
        lengths=array("q", (row[3] for row in rows)),
    )


def as_array_element(line: bytes) -> bytes:
    """The JSON array element for one stored line: the line itself, or its text if corrupted."""
    try:
        parsed = json.loads(line)
    except RecursionError:
        # An object nested deeper than Python's parser goes: served as stored, as Google
        # would serve whatever it holds; the client must cope with it record by record.
        return line if line.startswith(b"{") and line.endswith(b"}") else _as_text(line)
    except ValueError:  # includes UnicodeDecodeError
        parsed = None
    return line if isinstance(parsed, dict) else _as_text(line)


def _as_text(line: bytes) -> bytes:
    text = line.decode("utf-8", errors="replace")
    return json.dumps(text, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class ResponseFilter:
    op: str
    timestamp_ns: int

    @property
    def canonical(self) -> str:
        return f"{self.op}{self.timestamp_ns}"

    @property
    def sort_key(self) -> bytes:
        return sort_key_from_ns(self.timestamp_ns)


def parse_filter(text: str | None) -> ResponseFilter | None:
    if text is None or not text.strip():
        return None
    match = _FILTER.fullmatch(text)
    if match is None:
        raise ApiError(
            400,
            "INVALID_ARGUMENT",
            f"Invalid filter {text!r}: expected 'timestamp > N' or 'timestamp >= N' "
            "with N an RFC3339 timestamp.",
        )
    try:
        timestamp_ns = parse_rfc3339_ns(match.group("value"))
    except ValueError as exc:
        raise ApiError(
            400, "INVALID_ARGUMENT", f"Invalid timestamp in filter {text!r}: {exc}."
        ) from exc
    return ResponseFilter(op=match.group("op"), timestamp_ns=timestamp_ns)


def parse_page_size(text: str | None) -> int:
    if text is None or text == "":
        return MAX_PAGE_SIZE
    try:
        size = int(text)
    except ValueError as exc:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid pageSize {text!r}.") from exc
    if size < 0:
        raise ApiError(400, "INVALID_ARGUMENT", f"pageSize must not be negative, got {size}.")
    # Google treats 0 as "unspecified" and silently clamps anything above the maximum.
    return MAX_PAGE_SIZE if size == 0 else min(size, MAX_PAGE_SIZE)


def encode_page_token(offset: int, flt: ResponseFilter | None) -> str:
    payload = json.dumps({"o": offset, "f": flt.canonical if flt else ""}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode_page_token(token: str, flt: ResponseFilter | None) -> int:
    invalid = ApiError(400, "INVALID_ARGUMENT", f"Invalid pageToken {token!r}.")
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise invalid from exc
    if not isinstance(payload, dict):
        raise invalid
    offset, token_filter = payload.get("o"), payload.get("f")
    if not isinstance(offset, int) or offset < 0 or not isinstance(token_filter, str):
        raise invalid
    if token_filter != (flt.canonical if flt else ""):
        raise ApiError(
            400,
            "INVALID_ARGUMENT",
            f"pageToken {token!r} was issued for a different filter than this request's.",
        )
    return offset
