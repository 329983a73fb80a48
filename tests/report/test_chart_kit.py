"""svg_text: a chart is drawn once at its figure's size, and around everything (tight) only when
something reaches past the figure's edge, such as a legend of long catalog labels. Error bars
of an interval whose bound sits a rounding error on the wrong side of its value."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import matplotlib
import pytest
from matplotlib.figure import Figure

from impact_warehouse.report import chart_kit
from impact_warehouse.report.chart_kit import (
    WIDTH_INCHES,
    chart_style,
    error_extent,
    new_figure,
    svg_text,
)

POINTS_PER_INCH = 72


@pytest.fixture(autouse=True)
def report_style() -> Iterator[None]:
    """The report's font, which has the Japanese glyphs of the labels."""
    with matplotlib.rc_context(chart_style()):
        yield


def _view_box(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    return float(width), float(height)


def _bars(figure: Figure, labels: list[str]) -> None:
    ax = figure.subplots()
    for position, label in enumerate(labels):
        ax.barh([0], [position + 1], label=label)
    # As the distribution chart places it: above the axes, one column per label.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(labels), frameon=False)


def test_a_chart_that_fits_is_drawn_once_at_its_size(monkeypatch) -> None:
    saved: list[dict] = []
    original = chart_kit._saved_svg
    monkeypatch.setattr(
        chart_kit,
        "_saved_svg",
        lambda figure, **options: saved.append(options) or original(figure, **options),
    )
    figure = new_figure(2.0)
    _bars(figure, ["yes", "no"])

    svg = svg_text(figure, "chart-fits")

    assert saved == [{}]
    assert _view_box(svg) == (WIDTH_INCHES * POINTS_PER_INCH, 2.0 * POINTS_PER_INCH)


def test_a_legend_wider_than_the_figure_is_not_cut_off() -> None:
    figure = new_figure(2.0)
    labels = [f"とてもそう思う・回答の選択肢 {number}" for number in range(5)]
    _bars(figure, labels)

    width, _height = _view_box(svg_text(figure, "chart-wide-legend"))

    legend = figure.axes[0].get_legend().get_window_extent()
    assert legend.width / figure.dpi > WIDTH_INCHES  # the legend itself is wider than the page
    assert width > legend.width / figure.dpi * POINTS_PER_INCH  # and all of it is drawn


def test_a_bound_a_rounding_error_inside_its_value_draws_no_bar() -> None:
    """A release built before the statistics clipped the Wilson bounds holds 28 of 28 with
    an upper bound of 1 − 1.1e-16: matplotlib refuses the negative bar that made."""
    upper = 1 - 1.1102230246251565e-16
    assert error_extent(1.0, 0.88, upper) == [[1.0 - 0.88], [0.0]]
    figure = new_figure(2)
    figure.subplots().errorbar(1.0, 0, xerr=error_extent(1.0, 0.88, upper), fmt="none")
    assert "<svg" in svg_text(figure, "chart-rounding")


def test_the_embedded_font_is_the_same_bytes_for_the_same_page() -> None:
    """fontTools stamps a saved font with the time of saving unless told not to: the same
    report rendered a second later carried a different font, so no two renderings compared
    equal (report/chart_worker.py's tests compare them)."""
    from impact_warehouse.report.fonts import subset_font_face

    first = subset_font_face("インパクト報告 2025")
    time.sleep(1.1)  # into the next second: the resolution of the font's timestamp
    assert subset_font_face("インパクト報告 2025") == first
