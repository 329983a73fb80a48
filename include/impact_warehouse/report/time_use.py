"""The time-use section: hours per day of the respondent and the partner, participants
against the comparison group and a national reference (rpt_time_use), present when the
catalog has items on the hours scale.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    PARTICIPANT_COLOUR,
    Chart,
    hidden_slot,
    new_figure,
    pct,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.labels import respondent_group_ja
from impact_warehouse.report.outcome_plan import OutcomeSection


def time_use_table(data: ReportData, section: OutcomeSection) -> ReportTable:
    columns = [
        Column(s("col_group")),
        Column(s("col_respondents_n"), "count"),
        Column(s("col_self"), "hours"),
        Column(s("col_self_interval"), "interval_hours"),
        Column(s("col_partner"), "hours"),
        Column(s("col_partner_interval"), "interval_hours"),
        Column(s("col_partner_share"), "percent"),
        Column(s("col_partner_difference"), "hours_diff"),
        Column(s("col_share_difference"), "points"),
        Column(s("col_source")),
    ]
    rows = []
    for row in data.time_use.itertuples(index=False):
        hidden = bool(row.is_suppressed)
        rows.append(
            [
                Cell.of(respondent_group_ja(data, row.respondent_group)),
                Cell.of(row.respondents, suppressed=hidden),
                Cell.of(row.self_hours_mean, suppressed=hidden),
                Cell.of((row.self_hours_ci_lower, row.self_hours_ci_upper), suppressed=hidden),
                Cell.of(row.partner_hours_mean, suppressed=hidden),
                Cell.of(
                    (row.partner_hours_ci_lower, row.partner_hours_ci_upper), suppressed=hidden
                ),
                Cell.of(row.partner_share, suppressed=hidden),
                Cell.of(row.partner_difference_hours, suppressed=hidden),
                Cell.of(row.partner_share_difference_points, suppressed=hidden),
                Cell.of(row.source_ja),
            ]
        )
    return make_table(
        "time_use",
        s("table_time_use", title=section.title, fiscal_year=fiscal_year(data.fiscal_year)),
        section.anchor,
        columns,
        rows,
        s("note_time_use"),
        keys=data.time_use.time_use_key,
    )


def time_use_chart(data: ReportData, section: OutcomeSection, k: int) -> Chart | None:
    rows = data.time_use
    if rows.empty:
        return None
    figure = new_figure(0.7 * len(rows) + 1.2)
    ax = figure.add_subplot()
    limit = max(
        (clean(r.self_hours_mean) or 0) + (clean(r.partner_hours_mean) or 0)
        for r in rows.itertuples(index=False)
    )
    limit = max(limit, 1.0) * 1.35
    for index, row in enumerate(rows.itertuples(index=False)):
        y = len(rows) - 1 - index
        if row.is_suppressed:
            hidden_slot(ax, y, k)
            continue
        _draw_group_bar(ax, y, row, with_legend=index == 0)
    names = [wrap(respondent_group_ja(data, group), 14) for group in rows.respondent_group]
    ax.set_yticks(range(len(rows))[::-1], names)
    ax.set_xlim(0, limit)
    ax.set_xlabel(s("axis_housework"))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    source = rows.source_ja.dropna()
    return Chart(
        "chart-time-use",
        s("chart_time_use"),
        svg_text(figure, "chart-time-use"),
        section.anchor,
        s("caption_time_use")
        + (s("caption_time_use_source", source=source.iloc[0]) if not source.empty else ""),
        {"data-groups": str(len(rows))},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def _draw_group_bar(ax: Axes, y: float, row: Any, *, with_legend: bool) -> None:
    """One respondent group: own hours then the partner's, stacked, each labelled inside, and
    the partner's share with N at the end; only the first bar labels the legend."""
    ax.barh(
        y,
        row.self_hours_mean,
        height=0.55,
        color=COMPARISON_COLOUR,
        label=s("col_self") if with_legend else None,
    )
    ax.barh(
        y,
        row.partner_hours_mean,
        left=row.self_hours_mean,
        height=0.55,
        color=PARTICIPANT_COLOUR,
        label=s("col_partner") if with_legend else None,
    )
    ax.text(
        row.self_hours_mean / 2,
        y,
        f"{row.self_hours_mean:.2f}h",
        ha="center",
        va="center",
        fontsize=8.5,
    )
    ax.text(
        row.self_hours_mean + row.partner_hours_mean / 2,
        y,
        f"{row.partner_hours_mean:.2f}h",
        ha="center",
        va="center",
        fontsize=8.5,
        color="white",
    )
    n = clean(row.respondents)
    ax.text(
        row.self_hours_mean + row.partner_hours_mean + 0.1,
        y,
        s("partner_share_text", share=pct(row.partner_share)) + (f"  N={int(n)}" if n else ""),
        va="center",
        fontsize=8.5,
    )
