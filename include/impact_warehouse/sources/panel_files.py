"""Read comparison-panel deliveries as the vendor sends them: CSV (CP932, UTF-8, UTF-8 with
BOM) or XLSX, Japanese headers, one row per panel respondent."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

PANEL_SUFFIXES = (".csv", ".xlsx")

# Vendor columns that describe the respondent rather than answer a catalog item.
METADATA_HEADERS = {
    "サンプルID": "sample_id",
    "年齢": "age",
    "居住地域": "region",
    "就業形態": "employment_type",
    "回答日時": "answered_at",
}


@dataclass(frozen=True)
class PanelFile:
    path: Path
    sha256: str
    encoding: str  # "cp932", "utf-8", "utf-8-sig" or "xlsx"
    headers: list[str]
    rows: list[dict[str, str]]  # header → cell text ("" for blank)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode_csv_bytes(content: bytes) -> tuple[str, str]:
    """Return (text, encoding). Vendors in Japan send CP932 by default; some send UTF-8."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content.decode("utf-8-sig"), "utf-8-sig"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Real CP932 text is almost never valid UTF-8, so trying UTF-8 first is safe.
        return content.decode("cp932"), "cp932"


def cell_text(value: object) -> str:
    """XLSX cells come typed; render them as the CSV variant of the delivery would."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_csv(path: Path) -> tuple[str, list[str], list[dict[str, str]]]:
    text, encoding = decode_csv_bytes(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    headers = [header.strip() for header in next(reader)]
    rows = [
        dict(zip(headers, (cell.strip() for cell in row), strict=False))
        for row in reader
        if any(cell.strip() for cell in row)
    ]
    return encoding, headers, rows


def _read_xlsx(path: Path) -> tuple[str, list[str], list[dict[str, str]]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        headers = [cell_text(cell) for cell in next(values)]
        rows = [
            dict(zip(headers, (cell_text(cell) for cell in row), strict=False))
            for row in values
            if any(cell is not None and str(cell).strip() for cell in row)
        ]
    finally:
        workbook.close()
    return "xlsx", headers, rows


def read_panel_file(path: Path) -> PanelFile:
    if path.suffix.lower() == ".xlsx":
        encoding, headers, rows = _read_xlsx(path)
    elif path.suffix.lower() == ".csv":
        encoding, headers, rows = _read_csv(path)
    else:
        raise ValueError(f"{path}: panel deliveries must be .csv or .xlsx")
    return PanelFile(path, file_sha256(path), encoding, headers, rows)


def find_panel_files(inbox: Path) -> Iterator[Path]:
    folder = inbox / "panel"
    if folder.exists():
        yield from sorted(
            path
            for path in folder.iterdir()
            if path.suffix.lower() in PANEL_SUFFIXES and not path.name.startswith((".", "~$"))
        )
