"""Bad operations workbooks: each kind gets its reason code and a message, the rest lands.

Issue 11: one bad row or file never blocks, loses or doubles the rest, and every workbook keeps
the balance ``received == landed + already_landed + rejected``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from operations_workbooks import OperationsInbox, Sheets, good_sheets, roster_row, write_workbook

GOOD_ROWS = 9  # good_sheets(): 5 roster rows, 1 project, 1 organisation, 2 support measures


def with_roster_row(row: list) -> Sheets:
    sheets = good_sheets()
    sheets["参加者名簿"].append(row)
    return sheets


def with_measure_date(value: object) -> Sheets:
    sheets = good_sheets()
    sheets["施策・イベント"].append([value, 2026, "懇親会", "ママボノ", "懇親会", 20])
    return sheets


def without_column(sheet_name: str, header: str) -> Sheets:
    sheets = good_sheets()
    rows = sheets[sheet_name]
    index = rows[0].index(header)
    sheets[sheet_name] = [row[:index] + row[index + 1 :] for row in rows]
    return sheets


def with_duplicate_measure() -> Sheets:
    sheets = good_sheets()
    sheets["施策・イベント"].append(list(sheets["施策・イベント"][1]))
    return sheets


def without_sheet(sheet_name: str) -> Sheets:
    sheets = good_sheets()
    del sheets[sheet_name]
    return sheets


@dataclass(frozen=True)
class RowKind:
    """A bad row in an otherwise good workbook."""

    kind: str
    sheets: Callable[[], Sheets]
    reason: str
    message: str
    rejected: int  # rows of the workbook turned away
    extra_landed: int = 0  # a flagged row that still lands


ROW_KINDS = [
    RowKind(
        "date_in_words",
        lambda: with_measure_date("来週の土曜日"),
        "unparseable_date",
        "'来週の土曜日' is not a date in a known form",
        1,
    ),
    RowKind(
        "date_not_a_calendar_day",
        lambda: with_measure_date("2026/2/30"),
        "unparseable_date",
        "'2026/2/30' names no calendar day",
        1,
    ),
    RowKind(
        "heisei_date_after_the_era",
        lambda: with_measure_date("H31.5.1"),
        "unparseable_date",
        "'H31.5.1' is not a day of the 平成 era",
        1,
    ),
    RowKind(
        "number_that_is_no_excel_date",
        lambda: with_measure_date(12),
        "unparseable_date",
        "12 is not an Excel date serial",
        1,
    ),
    RowKind(
        "blank_email",
        lambda: with_roster_row(roster_row(6, email="")),
        "missing_id",
        "メールアドレス is blank",
        1,
    ),
    RowKind(
        "cyrillic_look_alike_in_local_part",
        lambda: with_roster_row(roster_row(6, email="pers\u043en06@example.jp")),
        "suspicious_email",
        "local part mixes scripts (CYRILLIC, LATIN)",
        1,
    ),
    RowKind(
        "greek_look_alike_in_domain",
        lambda: with_roster_row(roster_row(6, email="person06@ex\u03b1mple.jp")),
        "suspicious_email",
        "domain mixes scripts (GREEK, LATIN)",
        1,
    ),
    RowKind(
        "email_without_at_sign",
        lambda: with_roster_row(roster_row(6, email="person06.example.jp")),
        "suspicious_email",
        "is not one address (it needs exactly one @)",
        1,
    ),
    RowKind(
        "duplicate_row",
        with_duplicate_measure,
        "duplicate_record",
        "same content as row 2 of the same sheet",
        1,
    ),
    RowKind(
        "unknown_cohort",
        lambda: with_roster_row([*roster_row(6)[:5], "mamabono_2099", "P01", "産休・育休中"]),
        "unknown_label",
        "cohort_code='mamabono_2099' is not in the catalog",
        0,
        extra_landed=1,
    ),
    RowKind(
        "unknown_program",
        lambda: with_measure_date_and_program("ママボノ2"),
        "unknown_label",
        "program_name_ja='ママボノ2' is not in the catalog",
        0,
        extra_landed=1,
    ),
]


def with_measure_date_and_program(program_name: str) -> Sheets:
    sheets = good_sheets()
    sheets["施策・イベント"].append([date(2026, 12, 1), 2026, "懇親会", program_name, "懇親会", 20])
    return sheets


@pytest.mark.parametrize("case", ROW_KINDS, ids=lambda case: case.kind)
def test_bad_row_is_quarantined_with_its_reason_and_the_rest_lands(
    inbox: OperationsInbox, case: RowKind
) -> None:
    inbox.write("bad.xlsx", case.sheets())

    summary = inbox.land()["bad.xlsx"]

    [record] = [r for r in inbox.quarantined("bad.xlsx") if r["reason_code"] == case.reason]
    assert case.message in record["detail"]
    assert "bad.xlsx" in record["record_ref"] and " row " in record["record_ref"]
    assert summary["rejected"] == case.rejected
    assert summary["landed"] == GOOD_ROWS + case.extra_landed
    assert summary["received"] == GOOD_ROWS + case.rejected + case.extra_landed
    assert summary["balanced"]
    assert summary["quarantined"] == {case.reason: 1}
    # A second run lands nothing twice and reports nothing new, and stays balanced.
    again = inbox.land()["bad.xlsx"]
    assert (again["landed"], again["already_landed"], again["rejected"]) == (
        0,
        GOOD_ROWS + case.extra_landed,
        case.rejected,
    )
    assert again["quarantined"] == {}


def test_suspicious_email_is_kept_only_in_the_vault(inbox: OperationsInbox) -> None:
    look_alike = "pers\u043en06@example.jp"
    inbox.write("bad.xlsx", with_roster_row(roster_row(6, email=look_alike)))

    inbox.land()

    [record] = inbox.quarantined("bad.xlsx")
    assert look_alike not in str(record) and "参加者06" not in str(record)
    [raw] = inbox.vault_files()
    assert look_alike in raw.read_text(encoding="utf-8")
    assert oct(raw.stat().st_mode & 0o777) == "0o600"
    assert len({row["participant_pseudonym"] for row in inbox.landed("roster")}) == 5


@dataclass(frozen=True)
class SheetKind:
    kind: str
    sheets: Callable[[], Sheets]
    reason: str
    message: str
    rejected_files: dict[str, int]
    landed: int


SHEET_KINDS = [
    SheetKind(
        "roster_without_email_column",
        lambda: without_column("参加者名簿", "メールアドレス"),
        "missing_column",
        "sheet '参加者名簿' lacks columns ['メールアドレス']; its 5 rows were not landed",
        {"missing_column": 1},
        GOOD_ROWS - 5,
    ),
    SheetKind(
        "measures_without_date_column",
        lambda: without_column("施策・イベント", "日付"),
        "missing_column",
        "sheet '施策・イベント' lacks columns ['日付']",
        {"missing_column": 1},
        GOOD_ROWS - 2,
    ),
    SheetKind(
        "workbook_without_measures_sheet",
        lambda: without_sheet("施策・イベント"),
        "missing_sheet",
        "no sheet named '施策・イベント'",
        {},
        GOOD_ROWS - 2,
    ),
]


@pytest.mark.parametrize("case", SHEET_KINDS, ids=lambda case: case.kind)
def test_missing_sheet_or_column_is_reported_and_the_other_sheets_land(
    inbox: OperationsInbox, case: SheetKind
) -> None:
    inbox.write("bad.xlsx", case.sheets())

    summary = inbox.land()["bad.xlsx"]

    [record] = inbox.quarantined("bad.xlsx")
    assert (record["reason_code"], case.message in record["detail"]) == (case.reason, True)
    assert summary["rejected_files"] == case.rejected_files
    assert summary["landed"] == case.landed == summary["received"]
    assert summary["balanced"]


def _truncated(inbox: OperationsInbox) -> None:
    whole = write_workbook(inbox.folder / "whole.tmp", good_sheets()).read_bytes()
    (inbox.folder / "bad.xlsx").write_bytes(whole[: len(whole) // 2])
    (inbox.folder / "whole.tmp").unlink()


def _member_damaged(inbox: OperationsInbox) -> None:
    # A valid zip whose sheet XML is cut: the damage is found only while reading rows.
    source = write_workbook(inbox.folder / "whole.tmp", good_sheets())
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(inbox.folder / "bad.xlsx", "w") as out,
    ):
        for item in original.infolist():
            content = original.read(item)
            if item.filename.startswith("xl/worksheets/sheet1"):
                content = content[: len(content) // 2]
            out.writestr(item, content)
    source.unlink()


@dataclass(frozen=True)
class FileKind:
    kind: str
    make: Callable[[OperationsInbox], None]
    file_name: str
    reason: str
    message: str


FILE_KINDS = [
    FileKind(
        "random_bytes",
        lambda inbox: (inbox.folder / "bad.xlsx").write_bytes(os.urandom(2048)),
        "bad.xlsx",
        "corrupt_file",
        "not a readable .xlsx workbook (BadZipFile",
    ),
    FileKind("truncated_zip", _truncated, "bad.xlsx", "corrupt_file", "not a readable .xlsx"),
    FileKind("damaged_sheet_xml", _member_damaged, "bad.xlsx", "corrupt_file", "not a readable"),
    FileKind(
        "csv_named_xlsx",
        lambda inbox: (inbox.folder / "bad.xlsx").write_text("氏名,メールアドレス\n", "utf-8"),
        "bad.xlsx",
        "corrupt_file",
        "not a readable .xlsx workbook",
    ),
    FileKind(
        "empty_file",
        lambda inbox: (inbox.folder / "bad.xlsx").write_bytes(b""),
        "bad.xlsx",
        "empty_file",
        "the file has 0 bytes",
    ),
    FileKind(
        "symlink_to_a_secret",
        lambda inbox: (inbox.folder / "bad.xlsx").symlink_to(inbox.folder.parent / "key.xlsx"),
        "bad.xlsx",
        "not_a_regular_file",
        "a symlink or not a file",
    ),
    FileKind(
        "excel_lock_file",
        lambda inbox: (inbox.folder / "~$good.xlsx").write_bytes(b"\x00lock"),
        "~$good.xlsx",
        "not_a_regular_file",
        "Excel lock file",
    ),
    FileKind(
        "hidden_file",
        lambda inbox: write_workbook(inbox.folder / ".old.xlsx", good_sheets(8)),
        ".old.xlsx",
        "not_a_regular_file",
        "hidden",
    ),
    FileKind(
        "workbook_saved_as_xls",
        lambda inbox: (inbox.folder / "roster.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel"),
        "roster.xls",
        "unsupported_file",
        "save it as .xlsx",
    ),
    FileKind(
        "folder_named_xlsx",
        lambda inbox: (inbox.folder / "bad.xlsx").mkdir(),
        "bad.xlsx",
        "not_a_regular_file",
        "not a file",
    ),
]


@pytest.mark.parametrize("case", FILE_KINDS, ids=lambda case: case.kind)
def test_unreadable_file_is_quarantined_and_the_good_workbook_lands(
    inbox: OperationsInbox, case: FileKind
) -> None:
    write_workbook(inbox.folder.parent / "key.xlsx", good_sheets(7))  # symlink target
    inbox.write("good.xlsx", good_sheets())
    case.make(inbox)

    summaries = inbox.land()

    bad = summaries[case.file_name]
    assert bad["rejected_files"] == {case.reason: 1}
    assert (bad["received"], bad["landed"], bad["balanced"]) == (0, 0, True)
    [record] = inbox.quarantined(case.file_name)
    assert record["reason_code"] == case.reason and case.message in record["detail"]
    good = summaries["good.xlsx"]
    assert (good["received"], good["landed"], good["balanced"]) == (GOOD_ROWS, GOOD_ROWS, True)
    assert len(inbox.landed("roster")) == 5  # nothing read from the bad entry


def test_corpus_has_at_least_twelve_kinds() -> None:
    kinds = {case.kind for case in [*ROW_KINDS, *SHEET_KINDS, *FILE_KINDS]}
    assert len(kinds) >= 12
