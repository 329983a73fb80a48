"""Read 回答日時 (a panel row's answer time) in the forms vendors export it.

Accepted (after NFKC, so full-width digits and spaces are fine): "2026/01/16 21:03:12",
"2026-01-16T21:03", "2026/1/6 9:03", with or without seconds and fractions, with a zone
("Z", "+09:00": converted to Japan time) or without (Japan time, as vendors write it),
"2026年1月16日 21時03分12秒", "2026/01/16 午後9:03", a date alone (midnight), an XLSX date
cell, and an Excel serial number (46038.5). Years outside 1990–2099 and impossible dates are
refused: the row is quarantined rather than ordered by a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

# Times without a zone are Japan time, as the vendors write them.
JAPAN = timezone(timedelta(hours=9))
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_SERIAL_RANGE = (32874, 73051)  # 1990-01-01 .. 2100-01-01
_PLAUSIBLE_YEARS = range(1990, 2100)
_DATE_TIME = re.compile(
    r"""^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?
    (?:(?:T|\s*)(?P<half>午前|午後|AM|PM)?\s*
       (?P<hour>\d{1,2})\s*[:時]\s*(?P<minute>\d{1,2})\s*分?
       (?:\s*[:]?\s*(?P<second>\d{1,2})(?:[.,](?P<fraction>\d{1,6})\d*)?\s*秒?)?
    )?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_answered_at(text: str) -> datetime | None:
    """回答日時 as a naive datetime in Japan time, or None when it cannot be read."""
    value = unicodedata.normalize("NFKC", text).strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        serial = float(value)
        if not _EXCEL_SERIAL_RANGE[0] <= serial < _EXCEL_SERIAL_RANGE[1]:
            return None
        return (_EXCEL_EPOCH + timedelta(days=serial)).replace(microsecond=0)
    match = _DATE_TIME.match(value)
    if match is None:
        return None
    parts = match.groupdict()
    hour = int(parts["hour"] or 0)
    if parts["half"]:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if parts["half"].upper() in ("午後", "PM") else 0)
    try:
        moment = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            hour,
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((parts["fraction"] or "0").ljust(6, "0")),
        )
    except ValueError:
        return None
    if moment.year not in _PLAUSIBLE_YEARS:
        return None
    zone = parts["zone"]
    if zone:
        offset = timedelta(0)
        if zone.upper() != "Z":
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            offset = -offset if zone[0] == "-" else offset
        moment = moment.replace(tzinfo=timezone(offset)).astimezone(JAPAN).replace(tzinfo=None)
    return moment
