"""CSV/XLSX exports: a text cell a spreadsheet would run as a formula is neutralised with a
leading apostrophe (OWASP CSV injection); numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from impact_warehouse.report.cells import Cell, Column, ReportTable
from impact_warehouse.report.exports import neutralise, write_csv, write_xlsx

FORMULA_LABEL = '=HYPERLINK("http://x","y")'


def _table() -> ReportTable:
    return ReportTable(
        key="labels",
        title_ja="ラベルの表",
        columns=(Column("項目"), Column("差(ポイント)", "points")),
        rows=(
            (Cell.of(FORMULA_LABEL), Cell.of(-3.5)),
            (Cell.of("@SUM(A1:A2)"), Cell.of(2.0)),
            (Cell.of("ふつうのラベル"), Cell.of(-12.25)),
        ),
        row_keys=("+cmd|' /C calc'!A0", "k2", "k3"),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81", "'+81"),
        ("-x", "'-x"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("ふつう", "ふつう"),
        ("", ""),
        (-3.5, -3.5),
        (0, 0),
        (None, None),
    ],
)
def test_neutralise(value, expected) -> None:
    assert neutralise(value) == expected


def test_a_formula_label_is_not_live_in_the_xlsx(tmp_path: Path) -> None:
    path = write_xlsx([_table()], tmp_path / "report.xlsx", about=[("=about", "-x")])
    sheet = load_workbook(path)["labels"]
    cells = {(cell.row, cell.column): cell for row in sheet.iter_rows() for cell in row}
    formula = cells[(3, 2)]
    assert formula.data_type == "s"
    assert formula.value == "'" + FORMULA_LABEL
    assert cells[(3, 1)].data_type == "s"  # the row key
    assert cells[(4, 2)].data_type == "s" and cells[(4, 2)].value.startswith("'@")
    negative = cells[(3, 3)]
    assert negative.data_type == "n" and negative.value == -3.5
    assert cells[(5, 3)].value == -12.25
    assert not [
        cell.coordinate
        for row in load_workbook(path).worksheets
        for line in row.iter_rows()
        for cell in line
        if cell.data_type == "f"
    ]


def test_a_formula_label_is_not_raw_in_the_csv(tmp_path: Path) -> None:
    path = write_csv(_table(), tmp_path)
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    assert rows[1][1] == "'" + FORMULA_LABEL
    assert rows[1][0].startswith("'+")
    assert rows[2][1] == "'@SUM(A1:A2)"
    assert float(rows[1][2]) == -3.5  # a number, not '-3.5
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
