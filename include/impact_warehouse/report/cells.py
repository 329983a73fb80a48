"""Table cells and how each kind of figure is written in HTML, CSV and XLSX.

One place decides the units and the rounding, so the three outputs always agree. A
suppressed cell is never written as 0 or left blank: it carries :data:`SUPPRESSED_MARK`
(METRICS.md "Small cells"); a cell that does not apply carries :data:`NOT_APPLICABLE`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from impact_warehouse.report.i18n import s
from impact_warehouse.report.rounding import fixed, half_up, percent

SUPPRESSED_MARK = "—※"
NOT_APPLICABLE = "－"

Unit = Literal[
    "text",
    "year",
    "count",
    "hours_diff",
    "percent",
    "points",
    "hours",
    "p_value",
    "mean",
    "interval_percent",
    "interval_points",
    "interval_hours",
    "interval_mean",
]

_DECIMALS: dict[str, int] = {
    "percent": 1,
    "points": 1,
    "hours": 2,
    "hours_diff": 2,
    "p_value": 4,
    "mean": 2,
}
_XLSX_FORMATS: dict[str, str] = {
    "count": "0",
    "year": "0",
    "hours_diff": "+0.00;-0.00;0.00",
    "percent": "0.0%",
    "points": "+0.0;-0.0;0.0",
    "hours": "0.00",
    "p_value": "0.0000",
    "mean": "0.00",
}


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def clean(value: Any) -> Any:
    """A plain Python value (None for every kind of null)."""
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass(frozen=True)
class Column:
    label_ja: str
    unit: Unit = "text"

    @property
    def is_interval(self) -> bool:
        return self.unit.startswith("interval_")

    @property
    def base_unit(self) -> str:
        return self.unit.removeprefix("interval_")

    def export_headers(self) -> list[str]:
        """CSV/XLSX headers: an interval is two columns; units named in the header."""
        unit = {
            "percent": "unit_percent",
            "points": "unit_points",
            "hours": "unit_hours",
            "hours_diff": "unit_hours",
        }.get(self.base_unit)
        suffix = s(unit) if unit else ""
        if self.is_interval:
            return [
                s("interval_lower", label=self.label_ja, unit=suffix),
                s("interval_upper", label=self.label_ja, unit=suffix),
            ]
        return [f"{self.label_ja}{suffix}"]


@dataclass(frozen=True)
class Cell:
    """One figure. ``value`` is a number, text, a (lower, upper) pair, or None."""

    value: Any = None
    suppressed: bool = False

    @classmethod
    def of(cls, value: Any, *, suppressed: bool = False) -> Cell:
        if isinstance(value, tuple):
            value = tuple(clean(part) for part in value)
            if all(part is None for part in value):
                value = None
        else:
            value = clean(value)
        return cls(None if suppressed else value, bool(suppressed))


@dataclass(frozen=True)
class ReportTable:
    """A table of the report, exported as one CSV and one XLSX sheet."""

    key: str
    title_ja: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note_ja: str = ""
    section: str = ""
    # The reporting row each table row shows (its primary key), so a test or a reader can
    # trace a printed figure back to the release.
    row_keys: tuple[str, ...] = ()
    # Shown folded in the page (long reference tables); the exports are the same either way.
    folded: bool = False

    def __post_init__(self) -> None:
        if self.row_keys and len(self.row_keys) != len(self.rows):
            raise ValueError(f"table {self.key}: {len(self.rows)} rows, {len(self.row_keys)} keys")

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)


def _number_text(value: float, unit: str) -> str:
    if unit == "year":
        return str(int(value))
    if unit == "count":
        return f"{int(value):,}"
    if unit == "percent":
        return f"{percent(value)}%"
    if unit == "points":
        return f"{fixed(value, 1, sign=True)}pt"
    if unit == "hours_diff":
        return fixed(value, 2, sign=True)
    if unit == "p_value":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    return fixed(value, _DECIMALS.get(unit, 2))


def html_text(cell: Cell, column: Column) -> str:
    if cell.suppressed:
        return SUPPRESSED_MARK
    if cell.value is None:
        return NOT_APPLICABLE
    if column.unit == "text":
        return str(cell.value)
    if column.is_interval:
        lower, upper = cell.value
        if lower is None or upper is None:
            return NOT_APPLICABLE
        unit = column.base_unit
        if unit == "percent":
            return f"[{percent(lower)}, {percent(upper)}]"
        if unit == "points":
            return f"[{fixed(lower, 1, sign=True)}, {fixed(upper, 1, sign=True)}]"
        return f"[{_number_text(lower, unit)}, {_number_text(upper, unit)}]"
    return _number_text(cell.value, column.unit)


def _rounded(value: Any, unit: str) -> Any:
    if value is None:
        return NOT_APPLICABLE
    if unit in ("count", "year"):
        return int(value)
    if unit == "percent":
        return float(half_up(value * 100, 1))
    if unit in _DECIMALS:
        return float(half_up(value, _DECIMALS[unit]))
    return value


def csv_values(cell: Cell, column: Column) -> list[Any]:
    """Display units (percent as 0–100), rounded as in the HTML."""
    width = 2 if column.is_interval else 1
    if cell.suppressed:
        return [SUPPRESSED_MARK] * width
    if column.is_interval:
        parts = cell.value if cell.value is not None else (None, None)
        return [_rounded(part, column.base_unit) for part in parts]
    if column.unit == "text":
        return [NOT_APPLICABLE if cell.value is None else cell.value]
    return [_rounded(cell.value, column.unit)]


def xlsx_values(cell: Cell, column: Column) -> list[tuple[Any, str | None]]:
    """Full precision with an Excel number format, so a share is a real percentage."""
    width = 2 if column.is_interval else 1
    if cell.suppressed:
        return [(SUPPRESSED_MARK, None)] * width
    unit = column.base_unit
    number_format = _XLSX_FORMATS.get(unit)
    if unit == "percent" and column.is_interval:
        number_format = "0.0%"
    parts = (
        (cell.value if cell.value is not None else (None, None))
        if column.is_interval
        else (cell.value,)
    )
    return [
        (NOT_APPLICABLE, None)
        if part is None
        else (part, number_format if unit != "text" else None)
        for part in parts
    ]


def make_table(
    key: str,
    title: str,
    section: str,
    columns: Iterable[Column],
    rows: Iterable[Iterable[Cell]],
    note: str = "",
    keys: Iterable[Any] = (),
    folded: bool = False,
) -> ReportTable:
    """A table whose ``key`` the report numbers later (``06_`` + key) in page order."""
    return ReportTable(
        key=key,
        title_ja=title,
        columns=tuple(columns),
        rows=tuple(tuple(row) for row in rows),
        note_ja=note,
        section=section,
        row_keys=tuple(str(key) for key in keys),
        folded=folded,
    )
