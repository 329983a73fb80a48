"""Every table of the report as CSV (UTF-8 with BOM, so Excel in Japan opens it) and as one
XLSX workbook with a sheet per table. Both carry the suppression mark, never 0 or a blank.

Text cells that a spreadsheet would run as a formula (a catalog label ``=HYPERLINK(…)``) are
neutralised as the OWASP CSV-injection guidance says: prefixed with ``'``. Numbers stay
numbers, so −3.5 is still a number a reader can compute with.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from impact_warehouse.report.cells import (
    NOT_APPLICABLE,
    SUPPRESSED_MARK,
    ReportTable,
    csv_values,
    xlsx_values,
)
from impact_warehouse.report.i18n import s

# A cell starting with one of these is a formula (or a DDE payload) to Excel and LibreOffice.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="EEF3F7")
SUPPRESSED_FONT = Font(color="8A4B00", bold=True)


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet shows it and never runs it: text only, numbers untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def _safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in values]


def export_headers(table: ReportTable) -> list[str]:
    return [header for column in table.columns for header in column.export_headers()]


def write_csv(table: ReportTable, directory: Path) -> Path:
    path = directory / f"{table.key}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_safe_row([s("export_row_key"), *export_headers(table)]))
        for index, row in enumerate(table.rows):
            values = [
                v
                for cell, column in zip(row, table.columns, strict=True)
                for v in csv_values(cell, column)
            ]
            key = table.row_keys[index] if table.row_keys else ""
            writer.writerow(_safe_row([key, *values]))
    return path


def write_csvs(tables: Sequence[ReportTable], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [write_csv(table, directory) for table in tables]


def _sheet_title(table: ReportTable) -> str:
    return table.key[:31]  # Excel's sheet-name limit


def write_xlsx(
    tables: Sequence[ReportTable], path: Path, *, about: Sequence[tuple[str, str]]
) -> Path:
    workbook = Workbook()
    info = workbook.active
    info.title = s("export_about")
    for label, value in about:
        info.append(_safe_row([label, value]))
    info.append([])
    info.append([s("export_mark"), s("export_meaning")])
    info.append([SUPPRESSED_MARK, s("export_suppressed")])
    info.append([NOT_APPLICABLE, s("legend_not_applicable")])
    info.append([])
    info.append([s("export_sheet"), s("export_table")])
    for table in tables:
        info.append(_safe_row([_sheet_title(table), table.title_ja]))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 90

    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table))
        sheet.append(_safe_row([table.title_ja]))
        sheet["A1"].font = Font(bold=True, size=12)
        headers = [s("export_row_key"), *export_headers(table)]
        sheet.append(_safe_row(headers))
        for cell in sheet[2]:
            cell.fill = HEADER_FILL
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for index, row in enumerate(table.rows):
            values = [
                pair
                for cell, column in zip(row, table.columns, strict=True)
                for pair in xlsx_values(cell, column)
            ]
            key = table.row_keys[index] if table.row_keys else ""
            sheet.append(_safe_row([key, *(value for value, _ in values)]))
            for offset, (value, number_format) in enumerate(values, start=2):
                target = sheet.cell(row=sheet.max_row, column=offset)
                if number_format:
                    target.number_format = number_format
                if value == SUPPRESSED_MARK:
                    target.font = SUPPRESSED_FONT
                    target.alignment = Alignment(horizontal="center")
        if table.note_ja:
            sheet.append([])
            sheet.append(_safe_row([table.note_ja]))
        sheet.freeze_panes = "B3"
        for letter_index in range(1, len(headers) + 1):
            letter = sheet.cell(row=2, column=letter_index).column_letter
            sheet.column_dimensions[letter].width = 14 if letter_index > 1 else 30
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
