"""Display rounding is half up everywhere the report prints a number (METRICS.md)."""

from __future__ import annotations

from impact_warehouse.report.cells import Cell, Column, html_text
from impact_warehouse.report.chart_kit import points
from impact_warehouse.report.rounding import fixed, half_up, percent


def test_half_up_not_half_even() -> None:
    assert percent(27 / 48) == "56.3"  # 56.25: Python's round() gives 56.2
    assert percent(18 / 32) == "56.3"
    assert str(half_up(2.675, 2)) == "2.68"  # binary 2.67499…: rounded from its repr
    assert fixed(35.25, 1, sign=True) == "+35.3"
    assert fixed(-0.04, 1) == "0.0"  # never "-0.0"
    assert fixed(0.0, 1, sign=True) == "+0.0"


def test_charts_and_tables_print_the_same_rounding() -> None:
    assert points(27 / 48) == "56.3"
    assert html_text(Cell(27 / 48), Column("割合", "percent")) == "56.3%"
    assert html_text(Cell(35.25), Column("差", "points")) == "+35.3pt"
    assert html_text(Cell((0.5625, 0.80125)), Column("区間", "interval_percent")) == "[56.3, 80.1]"
