"""Reading the catalog's CSV files: rows with their line, and values checked as they are read.

Every error names the file, the line and the fix (a catalog is edited by staff, often in
Excel). Shared by every reader of the catalog package.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from impact_warehouse.catalog.errors import CatalogError


class Row(dict[str, str]):
    """One seed row; a column the header lacks is a catalog error, not a ``KeyError``."""

    def __init__(self, file_name: str, line: int, values: dict[str | None, str | None]) -> None:
        extra = values.pop(None, None)
        if extra:
            raise CatalogError(
                f"{file_name} line {line}: {len(extra)} more value(s) than columns in the "
                "header (a comma inside a value? put the value in double quotes)"
            )
        super().__init__({key: value or "" for key, value in values.items() if key is not None})
        self.file_name = file_name
        self.line = line

    def __missing__(self, column: str) -> str:
        raise CatalogError(
            f"{self.file_name}: column '{column}' is missing from the header line; "
            "restore it from git (the header names every column)"
        )


def read_rows(seed_dir: Path, file_name: str) -> list[tuple[int, Row]]:
    """Rows with their 1-based line number in the file (header is line 1)."""
    path = seed_dir / file_name
    if not path.exists():
        raise CatalogError(f"{path}: seed file is missing; restore it from git or create it")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows: list[tuple[int, Row]] = []
            starts = 1  # the physical line the record being read starts on
            try:
                if reader.fieldnames is None:  # reads the header; None: an empty file
                    return rows
                starts = reader.line_num + 1
                for line, row in enumerate(reader, start=2):
                    rows.append((line, Row(file_name, line, row)))
                    starts = reader.line_num + 1
            except csv.Error as error:
                # e.g. a value longer than csv's field limit: most often a double quote that
                # is never closed, so the rest of the file reads as one value.
                raise CatalogError(
                    f"{file_name} line {starts}: the file cannot be read as CSV ({error}); look "
                    "for a double quote opened on this line and never closed, or a value far "
                    "longer than a sentence"
                ) from None
            return rows
    except UnicodeDecodeError as error:
        raise CatalogError(
            f"{file_name}: byte {error.start} is not UTF-8; save the file as "
            "'CSV UTF-8' (Excel) or UTF-8 (other editors)"
        ) from error


def parse_date(file_name: str, line: int, value: str, column: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CatalogError(
            f"{file_name} line {line}: '{column}'={value!r} is not a date; use YYYY-MM-DD"
        ) from error


def whole_number(row: Row, column: str) -> int:
    value = row[column].strip()
    try:
        return int(value)
    except ValueError:
        raise CatalogError(
            f"{row.file_name} line {row.line}: '{column}'={value!r} is not a whole number; "
            "write digits only, e.g. 2025"
        ) from None


def optional_whole_number(row: Row, column: str) -> int | None:
    return whole_number(row, column) if row[column].strip() else None


def parse_float(value: str) -> float | None:
    """``value`` as a number, or None when it is not one (the caller says what to write)."""
    try:
        return float(value)
    except ValueError:
        return None


def fraction(row: Row, column: str) -> float | None:
    """An optional rate between 0 and 1; ``70%`` or ``70`` get a fix saying to write 0.70."""
    value = row[column].strip()
    if not value:
        return None
    number = parse_float(value)
    if number is None or not 0 <= number <= 1:
        raise CatalogError(
            f"{row.file_name} line {row.line}: '{column}'={value!r} is not a rate between 0 and "
            "1; write a fraction without %, e.g. 0.70 for 70%"
        )
    return number


def optional_number(row: Row, column: str) -> float | None:
    value = row[column].strip()
    if not value:
        return None
    number = parse_float(value)
    if number is None or not math.isfinite(number):  # nan, inf, 1e999 are no bound or rule
        raise CatalogError(
            f"{row.file_name} line {row.line}: '{column}'={value!r} is not a number; "
            "write digits only (e.g. 5 or 0.5), or leave it empty"
        )
    return number


def as_bool(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


def check_member(
    file_name: str, line: int, column: str, value: str, allowed: Iterable[str]
) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise CatalogError(
            f"{file_name} line {line}: '{column}'={value!r} is unknown; use one of {allowed}"
        )
