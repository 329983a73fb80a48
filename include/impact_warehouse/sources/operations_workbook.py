"""Read the operations workbook staff keep per fiscal year: roster, projects, supported
organisations, and support measures (study sessions, reflection meetings, events)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from impact_warehouse.sources.panel_files import cell_text, file_sha256

# Sheet name → (landing entity, {Japanese header → field name}).
SHEETS: dict[str, tuple[str, dict[str, str]]] = {
    "参加者名簿": (
        "roster",
        {
            "氏名": "name",
            "メールアドレス": "email",
            "電話番号": "phone",
            "プログラム": "program_name_ja",
            "年度": "fiscal_year",
            "コホート": "cohort_code",
            "チーム・プロジェクト": "project_id",
            "参加時の就業状況": "employment_status_ja",
        },
    ),
    "プロジェクト": (
        "projects",
        {
            "プロジェクトID": "project_id",
            "プログラム": "program_name_ja",
            "年度": "fiscal_year",
            "プロジェクト名": "project_name",
            "支援先団体ID": "organisation_id",
            "参加人数": "team_size",
            "形態": "team_form_ja",
        },
    ),
    "支援先団体": (
        "organisations",
        {
            "団体ID": "organisation_id",
            "団体名": "organisation_name",
            "所在地": "prefecture",
            "分野": "field_ja",
        },
    ),
    "施策・イベント": (
        "support_measures",
        {
            "日付": "held_on",
            "年度": "fiscal_year",
            "種別": "support_measure_type_ja",
            "プログラム": "program_name_ja",
            "名称": "title",
            "参加者数": "attendees",
        },
    ),
}


@dataclass(frozen=True)
class SheetRows:
    entity: str
    sheet_name: str
    rows: list[tuple[int, dict[str, str]]]  # (row number in the sheet, field → text)
    unknown_headers: list[str]
    missing_headers: list[str]


@dataclass(frozen=True)
class OperationsWorkbook:
    path: Path
    sha256: str
    sheets: list[SheetRows]
    unknown_sheets: list[str]


def read_operations_workbook(path: Path) -> OperationsWorkbook:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets: list[SheetRows] = []
        unknown_sheets: list[str] = []
        for sheet in workbook.worksheets:
            if sheet.title not in SHEETS:
                unknown_sheets.append(sheet.title)
                continue
            entity, columns = SHEETS[sheet.title]
            values = sheet.iter_rows(values_only=True)
            headers = [cell_text(cell) for cell in next(values, ())]
            rows = []
            for row_number, row in enumerate(values, start=2):
                cells = dict(zip(headers, (cell_text(cell) for cell in row), strict=False))
                if not any(cells.values()):
                    continue
                rows.append((row_number, {columns[h]: v for h, v in cells.items() if h in columns}))
            sheets.append(
                SheetRows(
                    entity=entity,
                    sheet_name=sheet.title,
                    rows=rows,
                    unknown_headers=[h for h in headers if h and h not in columns],
                    missing_headers=[h for h in columns if h not in headers],
                )
            )
    finally:
        workbook.close()
    return OperationsWorkbook(path, file_sha256(path), sheets, unknown_sheets)


def find_operations_workbooks(inbox: Path) -> Iterator[Path]:
    folder = inbox / "operations"
    if folder.exists():
        yield from sorted(
            path
            for path in folder.iterdir()
            if path.suffix.lower() == ".xlsx" and not path.name.startswith((".", "~$"))
        )
