"""Outcome sections against the comparison group: per item and named measure of its scale,
the participants' share against the comparison group's, the difference in points with its
interval and p-value, all as published in rpt_outcome_results (computed by the engine).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    PARTICIPANT_COLOUR,
    Chart,
    error_extent,
    hidden_slot,
    new_figure,
    pct,
    percent_axis,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.labels import (
    comparison_ja,
    indicator_title,
    lower_is_better_note,
    needs_measure_label,
    participants_ja,
    program_name,
    wave_type_ja,
)
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.report.rounding import fixed

CHART_CAPTION_KEY = "caption_comparison"


def _columns(data: ReportData, with_indicator: bool, with_wave: bool) -> list[Column]:
    participants, comparison = participants_ja(data), comparison_ja(data)
    return [
        Column(s("col_program")),
        *([Column(s("col_indicator"))] if with_indicator else []),
        *([Column(s("col_survey"))] if with_wave else []),
        Column(s("col_item")),
        Column(s("col_share_kind")),
        Column(s("col_group_n", group=participants), "count"),
        Column(s("col_group_share", group=participants), "percent"),
        Column(s("col_group_interval", group=participants), "interval_percent"),
        Column(s("col_group_n", group=comparison), "count"),
        Column(s("col_group_share", group=comparison), "percent"),
        Column(s("col_group_interval", group=comparison), "interval_percent"),
        Column(s("col_difference_points"), "points"),
        Column(s("col_difference_interval"), "interval_points"),
        Column(s("col_difference_p"), "p_value"),
    ]


def _cells(row: Any) -> list[Cell]:
    hidden = bool(row.is_suppressed)
    return [
        Cell.of(row.denominator, suppressed=hidden),
        Cell.of(row.value, suppressed=hidden),
        Cell.of((row.ci_lower, row.ci_upper), suppressed=hidden),
        Cell.of(row.comparison_denominator, suppressed=hidden),
        Cell.of(row.comparison_value, suppressed=hidden),
        Cell.of((row.comparison_ci_lower, row.comparison_ci_upper), suppressed=hidden),
        Cell.of(row.difference_points, suppressed=hidden),
        Cell.of((row.difference_ci_lower, row.difference_ci_upper), suppressed=hidden),
        Cell.of(row.p_value, suppressed=hidden),
    ]


def comparison_table(data: ReportData, section: OutcomeSection) -> ReportTable:
    rows = section.rows
    with_indicator = bool(rows.indicator_code.notna().any()) or section.anchor in set(
        data.indicators.indicator_type
    )
    wave_types = list(dict.fromkeys(rows.wave_type))
    waves = s("name_separator").join(wave_type_ja(data, wave) for wave in wave_types)
    # An item asked in two waves (e.g. at post and at follow-up) has a row for each: name the
    # wave, or the two rows could not be told apart.
    with_wave = len(wave_types) > 1
    table_rows = [
        [
            Cell.of(program_name(data, row.program_code)),
            *([Cell.of(row.indicator_symbol)] if with_indicator else []),
            *([Cell.of(wave_type_ja(data, row.wave_type))] if with_wave else []),
            Cell.of(row.report_label_ja),
            Cell.of(row.measure_label_ja),
            *_cells(row),
        ]
        for row in rows.itertuples(index=False)
    ]
    keys = [
        f"{data.fiscal_year}|{row.program_code}|{row.item_code}|{row.measure}"
        + (f"|{row.wave_type}" if with_wave else "")
        for row in rows.itertuples(index=False)
    ]
    return make_table(
        f"{section.anchor}_outcomes" if with_indicator else section.anchor,
        s(
            "table_distribution",
            title=section.title,
            fiscal_year=fiscal_year(data.fiscal_year),
            waves=waves,
        ).replace(" ）", "）"),
        section.anchor,
        _columns(data, with_indicator, with_wave),
        table_rows,
        s("note_comparison", participants=participants_ja(data), comparison=comparison_ja(data))
        + lower_is_better_note(rows),
        keys=keys,
    )


def bar_label(data: ReportData, row: Any) -> str:
    """The item, and what its share counts when the item alone does not say it."""
    if needs_measure_label(data, row.scale_code):
        return s("item_with_measure", item=row.report_label_ja, measure=row.measure_label_ja)
    return str(row.report_label_ja)


def comparison_charts(data: ReportData, section: OutcomeSection, k: int) -> list[Chart]:
    pooled = section.rows[section.rows.program_code == "all"]
    slug = section.slug.replace("_", "-")
    if pooled.indicator_code.isna().all():
        if pooled.empty:
            return []
        labels = list(dict.fromkeys(pooled.measure_label_ja))
        title = section.title + (s("title_share_of", measure=labels[0]) if len(labels) == 1 else "")
        return [
            comparison_chart(data, f"chart-{slug}", title, section.anchor, pooled, k, attributes={})
        ]
    return [
        comparison_chart(
            data,
            f"chart-{slug}-{indicator_code}",
            indicator_title(data, str(indicator_code)),
            section.anchor,
            rows,
            k,
            attributes={"data-indicator": str(indicator_code)},
        )
        for indicator_code, rows in pooled.groupby("indicator_code", sort=True)
    ]


def comparison_chart(
    data: ReportData,
    chart_id: str,
    title: str,
    section: str,
    rows: pd.DataFrame,
    k: int,
    *,
    attributes: dict[str, str],
) -> Chart:
    """Paired bars, participants against the comparison group, with the difference."""
    figure = new_figure(0.95 * len(rows) + 1.0)
    ax = figure.add_subplot()
    count = len(rows)
    for index, row in enumerate(rows.itertuples(index=False)):
        base = (count - 1 - index) * 1.0
        if row.is_suppressed:
            hidden_slot(ax, base, k)
            continue
        _draw_pair(ax, data, base, row, with_legend=index == 0)
        if clean(row.difference_points) is None:
            continue
        ax.text(1.17, base, _difference_text(row), va="center", ha="left", fontsize=8.5)
    labels = [bar_label(data, row) for row in rows.itertuples(index=False)]
    ax.set_yticks([(count - 1 - i) * 1.0 for i in range(count)], [wrap(t, 16) for t in labels])
    percent_axis(ax, limit=1.15)
    ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1.0], ["0%", "20%", "40%", "60%", "80%", "100%"])
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    return Chart(
        chart_id,
        title,
        svg_text(figure, chart_id),
        section,
        s(CHART_CAPTION_KEY) + lower_is_better_note(rows),
        {**attributes, "data-items": str(len(rows))},
        suppressed_bars=int(rows.is_suppressed.astype(bool).sum()),
    )


def _draw_pair(ax: Axes, data: ReportData, base: float, row: Any, *, with_legend: bool) -> None:
    """Participants above, the comparison group below, each with its interval and N; a group
    with no value that year is named instead of drawn."""
    for offset, value, lower, upper, n, colour, name in (
        (0.17, row.value, row.ci_lower, row.ci_upper, row.denominator, PARTICIPANT_COLOUR,
         participants_ja(data)),
        (-0.17, row.comparison_value, row.comparison_ci_lower, row.comparison_ci_upper,
         row.comparison_denominator, COMPARISON_COLOUR, comparison_ja(data)),
    ):  # fmt: skip
        y = base + offset
        if clean(value) is None:  # no comparison survey that year: nothing to compare
            ax.text(0.01, y, s("no_survey", group=name), va="center", fontsize=8, color="#555")
            continue
        ax.barh(y, value, height=0.32, color=colour, label=name if with_legend else None)
        ax.errorbar(
            value,
            y,
            xerr=error_extent(value, lower, upper),
            fmt="none",
            ecolor="#333",
            capsize=3,
            linewidth=0.8,
        )
        ax.text(upper + 0.01, y, f"{pct(value)} (N={int(n)})", va="center", fontsize=8)


def _difference_text(row: Any) -> str:
    """The difference in points with its interval, right of the pair."""
    return (
        s("difference_label", difference=fixed(row.difference_points, 1, sign=True)) + "\n"
        f"[{fixed(row.difference_ci_lower, 1, sign=True)}, "
        f"{fixed(row.difference_ci_upper, 1, sign=True)}]"
    )
