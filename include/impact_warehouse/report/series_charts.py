"""The report's 経年の推移: one small-multiple chart per indicator across fiscal years.

Each panel is one measure of one item and wave type (the scale's primary measure where the
release says which one it is), programs pooled: the share per fiscal year with its Wilson
95% interval, a dashed line where the item's wording changed, and the trend (odds ratio per
year) once the series has three years. Suppressed years are drawn as a grey mark, never as
a point at 0 (METRICS.md "Small cells"). Every figure comes from rpt_indicator_series.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from impact_warehouse.report.cells import SUPPRESSED_MARK, ReportTable, clean
from impact_warehouse.report.chart_kit import (
    WIDTH_INCHES,
    Chart,
    drawing_style,
    error_extent,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import s
from impact_warehouse.report.labels import indicator_title, program_name
from impact_warehouse.report.rounding import fixed, percent
from impact_warehouse.report.targets import TargetsSeriesData, measure_text, targets_table

SECTION = "series"
LINE_COLOUR = "#1f5f8b"
SUPPRESSED_COLOUR = "#888888"
WORDING_COLOUR = "#d9653b"
PANELS_PER_ROW = 3
PANEL = ["item_code", "wave_type", "measure"]


def series_charts(
    data: TargetsSeriesData,
    indicator_titles: dict[str, str],
    indicators: Collection[str] | None = None,
) -> list[Chart]:
    """One chart per indicator with a pooled ('all') series, in indicator order; none when
    there is no series. ``indicators``: only these (the report's worker draws some)."""
    charts = []
    with drawing_style():
        for code, rows in _pooled_by_indicator(data):
            if indicators is None or code in indicators:
                charts.append(indicator_chart(data, code, indicator_titles.get(code, code), rows))
    return charts


def series_indicator_codes(data: TargetsSeriesData) -> tuple[str, ...]:
    """The indicators :func:`series_charts` draws a chart for, in its order."""
    return tuple(code for code, _rows in _pooled_by_indicator(data))


def _pooled_by_indicator(data: TargetsSeriesData) -> list[tuple[str, pd.DataFrame]]:
    pooled = data.series[(data.series.program_code == "all") & data.series.indicator_code.notna()]
    if "is_primary_measure" in pooled.columns and pooled.is_primary_measure.notna().any():
        pooled = pooled[pooled.is_primary_measure.fillna(False).astype(bool)]
    return [(str(code), rows) for code, rows in pooled.groupby("indicator_code", sort=True)]


def indicator_chart(
    data: TargetsSeriesData, indicator_code: str, title: str, rows: pd.DataFrame
) -> Chart:
    panels = [panel for _key, panel in rows.groupby(PANEL, sort=False)]
    columns = min(PANELS_PER_ROW, len(panels))
    lines = math.ceil(len(panels) / columns)
    figure = Figure(figsize=(WIDTH_INCHES, 2.6 * lines + 0.3), layout="constrained")
    axes = figure.subplots(lines, columns, squeeze=False)
    years = list(range(int(rows.fiscal_year.min()), data.fiscal_year + 1))
    suppressed = changes = 0
    for index, panel in enumerate(panels):
        ax = axes[index // columns][index % columns]
        drawn = draw_panel(data, ax, panel.sort_values("fiscal_year"), years)
        suppressed += drawn["suppressed"]
        changes += drawn["wording_changes"]
    for index in range(len(panels), lines * columns):
        axes[index // columns][index % columns].set_visible(False)
    chart_id = f"chart-series-{indicator_code}"
    return Chart(
        chart_id,
        s("chart_series", title=title),
        svg_text(figure, chart_id),
        SECTION,
        s("caption_series"),
        {
            "data-indicator": indicator_code,
            "data-panels": str(len(panels)),
            "data-wording-changes": str(changes),
        },
        suppressed_bars=suppressed,
    )


def draw_panel(
    data: TargetsSeriesData, ax: Axes, panel: pd.DataFrame, years: list[int]
) -> dict[str, int]:
    first = panel.iloc[0]
    shown = panel[~panel.is_suppressed.astype(bool)]
    ax.plot(shown.fiscal_year, shown.value, color=LINE_COLOUR, linewidth=1, marker="o")
    for row in shown.itertuples(index=False):
        ax.errorbar(
            row.fiscal_year,
            row.value,
            yerr=error_extent(row.value, row.ci_lower, row.ci_upper),
            fmt="none",
            ecolor=LINE_COLOUR,
            capsize=3,
            linewidth=0.8,
        )
        ax.annotate(
            f"{percent(row.value)}%",
            (row.fiscal_year, row.ci_upper),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            fontsize=7,
        )
    hidden = panel[panel.is_suppressed.astype(bool)]
    for row in hidden.itertuples(index=False):
        ax.text(row.fiscal_year, 0.5, SUPPRESSED_MARK, ha="center", color=SUPPRESSED_COLOUR)
    changed = panel[panel.is_wording_changed.fillna(False).astype(bool)]
    for row in changed.itertuples(index=False):
        ax.axvline(row.fiscal_year - 0.5, color=WORDING_COLOUR, linestyle="--", linewidth=1)
        ax.text(
            row.fiscal_year - 0.45,
            0.04,
            s("wording_changed"),
            color=WORDING_COLOUR,
            fontsize=7,
            ha="left",
        )
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    ax.set_xticks(years, [f"{year}" for year in years], fontsize=7)
    ax.set_ylim(0, 1.12)
    ax.set_yticks([0, 0.5, 1.0], ["0%", "50%", "100%"], fontsize=7)
    measure = measure_text(data, first.scale_code, str(first.measure))
    ax.set_title(
        # Three panels share a row: each title line wraps to the panel's width, or the
        # titles of neighbouring panels run into each other.
        f"{wrap(str(first.report_label_ja), 14)}\n"
        + wrap(s("series_panel_detail", wave=first.wave_type_ja, measure=measure), 14),
        fontsize=8,
    )
    ax.set_xlabel(trend_text(panel.iloc[-1]), fontsize=7)
    return {"suppressed": len(hidden), "wording_changes": len(changed)}


def trend_text(latest: Any) -> str:
    """The trend up to the latest year shown, or why there is none."""
    if clean(latest.trend_years) is None:
        return s("trend_too_short")
    if bool(clean(latest.is_trend_suppressed)):
        return s("trend_hidden", mark=SUPPRESSED_MARK)
    odds_ratio = clean(latest.trend_odds_ratio)
    if odds_ratio is None:
        return s("trend_not_estimated")
    return s(
        "trend_odds",
        odds=fixed(odds_ratio, 2),
        lower=fixed(latest.trend_ci_lower, 2),
        upper=fixed(latest.trend_ci_upper, 2),
    )


def targets_tables(report: ReportData, data: TargetsSeriesData) -> list[ReportTable]:
    """The targets section's table (none without targets), labelled from the report's
    catalog frames."""
    table = targets_table(
        data,
        scale_codes=dict(zip(report.items.item_code, report.items.scale_code, strict=True)),
        program_names={code: program_name(report, code) for code in data.targets.program_code},
    )
    return [table] if table is not None else []


def series_titles(report: ReportData) -> dict[str, str]:
    """The series charts' titles, by indicator, from the report's catalog frames."""
    return {code: indicator_title(report, code) for code in report.indicators.indicator_code}
