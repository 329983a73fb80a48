"""The report's charts in page order: the cumulative participants chart here, the outcome
charts by the module of their kind of section (see chart_kit for how a chart is drawn).
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    HIDDEN_TEXT_COLOUR,
    PARTICIPANT_COLOUR,
    SUPPRESSED_MARK,
    Chart,
    drawing_style,
    new_figure,
    svg_text,
)
from impact_warehouse.report.comparison import comparison_charts
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.distribution import distribution_charts
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.report.pre_post import pre_post_charts
from impact_warehouse.report.time_use import time_use_chart

__all__ = ["Chart", "build_charts", "cumulative_chart"]


def cumulative_chart(data: ReportData, k: int) -> Chart | None:
    rows = data.cumulative[data.cumulative.program_code == "all"].sort_values("fiscal_year")
    if rows.empty:
        return None
    figure = new_figure(3.4)
    ax = figure.add_subplot()
    years = [int(year) for year in rows.fiscal_year]
    _draw_yearly_bars(ax, rows, years, k)
    _draw_cumulative_lines(ax, rows[~rows.is_suppressed.astype(bool)])
    ax.set_xticks(years, [fiscal_year(year) for year in years])
    ax.set_ylabel(s("axis_people"))
    ax.legend(loc="upper left", frameon=False, fontsize=8.5)
    return Chart(
        "chart-cumulative",
        s("chart_cumulative", first=years[0], last=years[-1]),
        svg_text(figure, "chart-cumulative"),
        "outputs",
        s("caption_cumulative"),
        {"data-years": ",".join(str(y) for y in years)},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def _draw_yearly_bars(ax: Axes, rows: pd.DataFrame, years: list[int], k: int) -> None:
    """One bar per year's participations; a suppressed year is an empty slot with the mark."""
    for year, row in zip(years, rows.itertuples(index=False), strict=True):
        if row.is_suppressed:
            # An empty slot with the mark and the reason, never a bar with a length.
            ax.text(
                year,
                0,
                f"{SUPPRESSED_MARK}\nN<{k}",
                ha="center",
                va="bottom",
                fontsize=8,
                color=HIDDEN_TEXT_COLOUR,
            )
            continue
        ax.bar(
            year,
            row.participations,
            color=COMPARISON_COLOUR,
            width=0.6,
            label=s("legend_participations_of_year") if year == years[0] else None,
        )
        # The year's count sits at the foot of its bar: the cumulative lines start at the
        # bar's top in the first year, where labels above the bar would overlap theirs.
        ax.annotate(
            f"{int(row.participations)}",
            (year, 0),
            textcoords="offset points",
            xytext=(0, 3),
            ha="center",
            va="bottom",
            fontsize=8.5,
        )


def _draw_cumulative_lines(ax: Axes, published: pd.DataFrame) -> None:
    """Cumulative participations and participants over the published years, labelled."""
    ax.plot(
        published.fiscal_year,
        published.cumulative_participations,
        marker="o",
        color=PARTICIPANT_COLOUR,
        label=s("legend_cumulative_participations"),
    )
    ax.plot(
        published.fiscal_year,
        published.cumulative_participants,
        marker="s",
        linestyle="--",
        color="#d9653b",
        label=s("legend_cumulative_participants"),
    )
    for row in published.itertuples(index=False):
        ax.annotate(
            f"{int(row.cumulative_participations)}",
            (row.fiscal_year, row.cumulative_participations),
            textcoords="offset points",
            xytext=(-5, 5),
            ha="right",
            va="bottom",
            fontsize=8.5,
            color=PARTICIPANT_COLOUR,
        )
        ax.annotate(
            f"{int(row.cumulative_participants)}",
            (row.fiscal_year, row.cumulative_participants),
            textcoords="offset points",
            xytext=(5, -5),
            ha="left",
            va="top",
            fontsize=8.5,
            color="#d9653b",
        )


def build_charts(data: ReportData, sections: list[OutcomeSection], *, k: int) -> list[Chart]:
    # The style applies while the charts are drawn only; matplotlib's globals stay as they were.
    with drawing_style():
        charts: list[Chart | None] = [cumulative_chart(data, k)]
        for section in sections:
            charts += outcome_charts(data, section, k)
        return [chart for chart in charts if chart is not None]


def outcome_charts(data: ReportData, section: OutcomeSection, k: int) -> list[Chart | None]:
    if section.kind == "distribution":
        return list(distribution_charts(data, section, k))
    if section.kind == "comparison":
        return list(comparison_charts(data, section, k))
    if section.kind == "pre_post":
        return list(pre_post_charts(data, section, k))
    return [time_use_chart(data, section, k)]
