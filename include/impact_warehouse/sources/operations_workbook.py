"""Read the operations workbook staff keep per fiscal year: roster, projects, supported
organisations, and support measures (study sessions, reflection meetings, events).

Staff write dates as they would on paper (``2026年10月4日``, ``R8.10.4``, full-width
digits) or as Excel date cells; every form becomes an ISO date here, or the row is reported
(issue 11). A file that is not a readable workbook is reported, never raised: one bad file
must not stop the other workbooks or the survey waves planned after them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
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
# Without these a sheet's rows cannot be linked or counted, so the sheet is not landed.
REQUIRED_HEADERS: dict[str, tuple[str, ...]] = {
    "参加者名簿": ("メールアドレス", "プログラム", "年度", "コホート"),
    "プロジェクト": ("プロジェクトID", "プログラム"),
    "支援先団体": ("団体ID",),
    "施策・イベント": ("日付", "種別", "プログラム"),
}
DATE_FIELDS = frozenset({"held_on"})


@dataclass(frozen=True)
class SheetRow:
    row_number: int  # as Excel numbers it, header = 1
    fields: dict[str, str]  # field name → cell text (dates as ISO)
    date_errors: dict[str, str] = field(default_factory=dict)  # field → the text as written


@dataclass(frozen=True)
class SheetRows:
    entity: str
    sheet_name: str
    rows: list[SheetRow]
    unknown_headers: list[str]
    missing_headers: list[str]

    @property
    def missing_required_headers(self) -> list[str]:
        return [h for h in REQUIRED_HEADERS[self.sheet_name] if h in self.missing_headers]


@dataclass(frozen=True)
class OperationsWorkbook:
    path: Path
    sha256: str
    sheets: list[SheetRows]
    unknown_sheets: list[str]

    @property
    def missing_sheets(self) -> list[str]:
        present = {sheet.sheet_name for sheet in self.sheets}
        return [name for name in SHEETS if name not in present]


@dataclass(frozen=True)
class UnreadableWorkbook:
    """An inbox entry that is not read: the quarantine reason code and why, in English."""

    path: Path
    reason_code: str  # not_a_regular_file | empty_file | corrupt_file
    detail: str


# -- dates ---------------------------------------------------------------------------------

# Era name → (first day, first romaji letter). 元年 is year 1 of an era.
ERAS: dict[str, tuple[date, str]] = {
    "令和": (date(2019, 5, 1), "R"),
    "平成": (date(1989, 1, 8), "H"),
    "昭和": (date(1926, 12, 25), "S"),
}
_ERA_BY_LETTER = {letter: name for name, (_start, letter) in ERAS.items()}
_ERA_END = {"平成": date(2019, 4, 30), "昭和": date(1989, 1, 7), "令和": date.max}
# A trailing weekday 「(土)」 or time 「0:00:00」, as Excel or a calendar app writes them.
_TRAILER = r"\s*(?:\([月火水木金土日]\)|[月火水木金土日]曜日?)?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?"
_WESTERN = re.compile(
    r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?" + _TRAILER
)
_JAPANESE_ERA = re.compile(
    r"(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})"
    r"\s*日?" + _TRAILER
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Excel serial days counted from 1899-12-30 (Excel's 1900 leap-year bug included); the
# range accepts 1927–2173, far wider than any program date, narrower than a typo'd count.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = range(10_000, 100_000)


class UnparseableDate(ValueError):
    """The cell cannot be read as a date; the message says what was tried."""


def parse_japanese_date(value: object) -> str:
    """An ISO date (``2026-10-04``) for a date as Japanese staff write it, else raises."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        raise UnparseableDate(f"{value!r} is not a date")
    if isinstance(value, int | float):
        return _from_serial(value)
    # NFKC: full-width digits and the era ligatures ㋿ ㍻ become ASCII and 令和 平成.
    text = unicodedata.normalize("NFKC", str(value)).strip().upper()
    if re.fullmatch(r"\d+(?:\.0+)?", text) and len(text.split(".")[0]) == 5:
        return _from_serial(float(text))
    if match := _COMPACT.fullmatch(text):
        return _checked(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _WESTERN.fullmatch(text):
        return _checked(int(match[1]), int(match[2]), int(match[3]), text)
    if match := _JAPANESE_ERA.fullmatch(text):
        era = _ERA_BY_LETTER.get(match[1], match[1])
        era_year = 1 if match[2] == "元" else int(match[2])
        start = ERAS[era][0]
        iso = _checked(start.year + era_year - 1, int(match[3]), int(match[4]), text)
        if not start <= date.fromisoformat(iso) <= _ERA_END[era]:
            raise UnparseableDate(f"{text!r} is not a day of the {era} era")
        return iso
    raise UnparseableDate(
        f"{text!r} is not a date in a known form (2026-10-04, 2026/10/4, 2026年10月4日, "
        "R8.10.4, 令和8年10月4日, H31.4.30, or an Excel date)"
    )


def _checked(year: int, month: int, day: int, text: str) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise UnparseableDate(f"{text!r} names no calendar day") from None


def _from_serial(serial: float) -> str:
    if not float(serial).is_integer() or int(serial) not in _SERIAL_RANGE:
        raise UnparseableDate(f"{serial!r} is not an Excel date serial of a plausible day")
    return (_EXCEL_EPOCH + timedelta(days=int(serial))).isoformat()


# -- files -----------------------------------------------------------------------------------


def scan_operations_inbox(inbox: Path) -> Iterator[Path | UnreadableWorkbook]:
    """Workbooks to read, and the ``.xlsx`` entries that must not be read, in name order.

    Only regular files directly in the folder are read: a symlink could point anywhere (the
    pseudonym key), and ``~$x.xlsx`` is Excel's lock file of a workbook someone has open.
    """
    folder = inbox / "operations"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() != ".xlsx":
            if not path.name.startswith(".") and not path.is_symlink() and path.is_file():
                # Reported, not skipped in silence: a roster saved as .xls or .csv is still
                # a roster someone expects to see landed.
                yield UnreadableWorkbook(
                    path, "unsupported_file", "not an .xlsx workbook; save it as .xlsx"
                )
            continue
        if path.is_symlink() or not path.is_file():
            yield UnreadableWorkbook(path, "not_a_regular_file", "a symlink or not a file")
        elif path.name.startswith(("~$", ".")):
            yield UnreadableWorkbook(
                path, "not_a_regular_file", "a hidden or Excel lock file (~$): not a workbook"
            )
        elif path.stat().st_size == 0:
            yield UnreadableWorkbook(path, "empty_file", "the file has 0 bytes")
        else:
            yield path


def read_operations_workbook(path: Path) -> OperationsWorkbook | UnreadableWorkbook:
    """The workbook's known sheets, or why it cannot be read (never raises for bad content)."""
    try:
        return _read(path)
    # openpyxl raises whatever its zip and XML layers raise for a damaged file (BadZipFile,
    # KeyError, ParseError, EOFError, zlib.error, ...): each means the same thing here.
    except Exception as error:
        return UnreadableWorkbook(
            path, "corrupt_file", f"not a readable .xlsx workbook ({type(error).__name__}: {error})"
        )


def _read(path: Path) -> OperationsWorkbook:
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
            headers = [unicodedata.normalize("NFKC", cell_text(cell)) for cell in next(values, ())]
            rows = []
            for row_number, row in enumerate(values, start=2):
                cells = {
                    columns[header]: cell
                    for header, cell in zip(headers, row, strict=False)
                    if header in columns
                }
                if any(cell_text(cell) for cell in cells.values()):
                    rows.append(_sheet_row(row_number, cells))
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


def _sheet_row(row_number: int, cells: dict[str, object]) -> SheetRow:
    fields: dict[str, str] = {}
    date_errors: dict[str, str] = {}
    for name, cell in cells.items():
        if name in DATE_FIELDS and cell_text(cell):
            try:
                fields[name] = parse_japanese_date(cell)
            except UnparseableDate as error:
                fields[name] = cell_text(cell)
                date_errors[name] = str(error)
        else:
            fields[name] = cell_text(cell)
    return SheetRow(row_number, fields, date_errors)
