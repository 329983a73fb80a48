"""Suppressed cells read as suppressed (the mark —※), never as 0 or as a blank.

The demo's FY2025 release hides the per-program strongly-anxious groups (N < 5). It publishes
the paired pre/post rows although they differ from the respondents by fewer than k people:
response patterns are not a differencing group (METRICS.md "Small cells").
"""

from __future__ import annotations

import csv
import re

import matplotlib
import openpyxl
from matplotlib.patches import Rectangle

from impact_warehouse.report.cells import (
    NOT_APPLICABLE,
    SUPPRESSED_MARK,
    Cell,
    Column,
    csv_values,
    html_text,
    xlsx_values,
)
from impact_warehouse.report.chart_kit import chart_style, hidden_slot, new_figure, svg_text

FY = 2025
CONFIDENT = "自信がある（6点以上）"  # measure labels from scale_measures.csv
ANXIOUS = "不安がある（5点以下）"
VALUE_HEADERS = ("回答者数 N", CONFIDENT, ANXIOUS, "平均点", "見出しの割合の95%信頼区間")


def suppressed_pre_post_keys(published_reports) -> list[str]:
    with published_reports.database() as connection:
        rows = connection.execute(
            "select pre_post_confidence_key from reporting.rpt_pre_post_confidence"
            " where fiscal_year = ? and is_suppressed order by 1",
            [FY],
        ).fetchall()
    return [key for (key,) in rows]


def test_the_demo_has_suppressed_cells(published_reports):
    keys = suppressed_pre_post_keys(published_reports)
    assert "2025|mamabono|paired_strongly_anxious_at_pre|return_anxiety|pre" in keys
    # published under its own k (N = 38), though 7 fewer than the 45 pre respondents
    assert "2025|all|paired|career_confidence|post" not in keys


def test_suppressed_rows_show_the_mark_in_the_page(published_reports, html_tables):
    keys = suppressed_pre_post_keys(published_reports)
    table = html_tables[FY]["07_pre_post_scores"]
    for key in keys:
        for header in VALUE_HEADERS:
            cell = table.cell(key, header)
            assert cell.suppressed and cell.text == SUPPRESSED_MARK, (key, header, cell)
    published = table.cell("2025|all|respondents|career_confidence|pre", "回答者数 N")
    assert not published.suppressed and published.text == "45"
    html = published_reports.html(FY)
    assert "N&lt;5のため非表示" in html and 'id="legend"' in html


def test_no_cell_of_any_table_is_blank_or_a_hidden_zero(published_reports, html_tables):
    with published_reports.database() as connection:
        hidden_tests = connection.execute(
            "select count(*) from reporting.rpt_pre_post_confidence"
            " where fiscal_year = ? and population = 'paired' and is_suppressed",
            [FY],
        ).fetchone()[0]
    for year, tables in html_tables.items():
        for key, table in tables.items():
            for row_key, cells in table.rows.items():
                assert len(cells) == len(table.headers), (year, key, row_key)
                for cell in cells:
                    assert cell.text, f"blank cell in FY{year} {key} row {row_key}"
                    if cell.suppressed:
                        assert cell.text == SUPPRESSED_MARK
    tests = html_tables[FY]["09_pre_post_tests"]
    marked = [cells for cells in tests.rows.values() if cells[3].text == SUPPRESSED_MARK]
    assert bool(hidden_tests) == bool(marked)  # a test over a hidden pair is hidden, not 0
    pooled = [cells for key, cells in tests.rows.items() if key.split("|")[1] == "all"]
    assert pooled and all(cells[3].text != SUPPRESSED_MARK for cells in pooled)


def test_the_exports_carry_the_mark_too(published_reports):
    keys = suppressed_pre_post_keys(published_reports)
    out = published_reports.out_dir(FY)
    with (out / "tables" / "07_pre_post_scores.csv").open(encoding="utf-8-sig") as handle:
        csv_rows = {row["行キー"]: row for row in csv.DictReader(handle)}
    sheet = openpyxl.load_workbook(out / f"impact_report_fy{FY}.xlsx")["07_pre_post_scores"]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[1]
    xlsx_rows = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[2:] if row[0]}
    for key in keys:
        for header in (
            "回答者数 N",
            f"{CONFIDENT}(%)",
            "平均点",
            "見出しの割合の95%信頼区間 下限(%)",
        ):
            assert csv_rows[key][header] == SUPPRESSED_MARK, (key, header)
            assert xlsx_rows[key][header] == SUPPRESSED_MARK, (key, header)
    for path in (out / "tables").glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                assert all(value != "" for value in row[1:]), (path.name, row)


def test_a_suppressed_bar_is_an_empty_slot_with_the_reason():
    """Never a bar with a length (a hatched half bar reads as 50%): the slot holds the mark
    and the reason in words."""
    with matplotlib.rc_context(chart_style()):
        figure = new_figure(1.5)
        ax = figure.add_subplot()
        ax.barh(1, 0.7, height=0.6)
        hidden_slot(ax, 0, 5)
        svg = svg_text(figure, "chart-hidden")
    lengths = sorted(patch.get_width() for patch in ax.patches if isinstance(patch, Rectangle))
    assert lengths == [0.0, 0.7]
    (text,) = [text.get_text() for text in ax.texts]
    assert text.startswith(SUPPRESSED_MARK) and "回答者が5人未満" in text and "N<5" in text
    assert "<pattern" not in svg


def test_no_chart_of_the_report_is_hatched(published_reports):
    for year in published_reports.reports:
        for figure in re.findall(r"<figure .*?</figure>", published_reports.html(year), flags=re.S):
            assert "<pattern" not in figure and "hatch" not in figure, figure[:80]


def test_a_suppressed_zero_and_a_published_zero_differ():
    share = Column("割合", "percent")
    interval = Column("区間", "interval_percent")
    assert html_text(Cell.of(0.0), share) == "0.0%"
    assert html_text(Cell.of(0.0, suppressed=True), share) == SUPPRESSED_MARK
    assert html_text(Cell.of(None), share) == NOT_APPLICABLE
    assert csv_values(Cell.of((0.1, 0.2), suppressed=True), interval) == [SUPPRESSED_MARK] * 2
    assert xlsx_values(Cell.of(None, suppressed=True), share) == [(SUPPRESSED_MARK, None)]
    assert csv_values(Cell.of(0), Column("N", "count")) == [0]
