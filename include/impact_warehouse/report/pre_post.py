"""The pre/post section: items on a numeric scale asked before and after the program.

Per population (every respondent of each wave, the pairs, and each group followed from its
pre answer), the shares of the scale's named measures, the mean and the distribution; on the
pairs, the tests the engine ran (McNemar on the primary measure, Wilcoxon on the score). All
as published in rpt_outcome_results.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    POST_COLOUR,
    PRE_COLOUR,
    SUPPRESSED_MARK,
    Chart,
    error_extent,
    hidden_reason,
    hidden_slot,
    interval_text,
    new_figure,
    pct,
    percent_axis,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import fiscal_year, join, s
from impact_warehouse.report.labels import (
    WAVE_TYPE_SHORT_JA,
    lower_is_better_note,
    program_name,
)
from impact_warehouse.report.outcome_plan import OutcomeSection

WAVES = ("pre", "post")
# Strings keys, not words: the columns are made in the report's language when a table is.
LABEL_COLUMN_KEYS = ("col_program", "col_population", "col_indicator", "col_item", "col_wave")


def label_columns() -> tuple[Column, ...]:
    return tuple(Column(s(key)) for key in LABEL_COLUMN_KEYS)


def _population_order(population: str) -> int:
    return {"respondents": 0, "paired": 1}.get(population, 2)


def wave_rows(rows: pd.DataFrame) -> list[tuple[tuple[str, str, str, str], pd.DataFrame]]:
    """(program, population, item, wave) groups without the shift rows, in report order."""
    measured = rows[rows.measure_kind != "shift"]
    groups = list(measured.groupby(["program_code", "population", "item_code", "wave_type"]))

    def order(entry: tuple[tuple[str, str, str, str], pd.DataFrame]) -> tuple:
        (program, population, item, wave), group = entry
        return (
            program != "all",
            program,
            int(group.display_order.iloc[0]),
            item,
            _population_order(population),
            WAVES.index(wave) if wave in WAVES else 9,
        )

    return sorted(groups, key=order)  # type: ignore[arg-type]


def _label_cells(data: ReportData, first: Any) -> list[Cell]:
    return [
        Cell.of(program_name(data, first.program_code)),
        Cell.of(first.population_label_ja),
        Cell.of(first.indicator_symbol),
        Cell.of(first.report_label_ja),
        Cell.of(WAVE_TYPE_SHORT_JA.get(first.wave_type, first.wave_type_ja)),
    ]


def _measure(group: pd.DataFrame, measure: str, column: str = "value") -> Any:
    found = group[group.measure == measure]
    return None if found.empty else found[column].iloc[0]


def _primary(group: pd.DataFrame) -> Any:
    found = group[group.is_primary_measure.astype(bool) & (group.measure_kind == "share")]
    return None if found.empty else found.iloc[0]


def _key(data: ReportData, program: str, population: str, item: str, wave: str) -> str:
    return f"{data.fiscal_year}|{program}|{population}|{item}|{wave}"


def scores_table(data: ReportData, section: OutcomeSection) -> ReportTable:
    rows = section.rows
    shares = rows[rows.measure_kind == "share"].drop_duplicates("measure")
    shares = shares.sort_values(["display_order", "measure_display_order"])
    measures = list(zip(shares.measure, shares.measure_label_ja, strict=True))
    columns = [
        *label_columns(),
        Column(s("col_respondents_n"), "count"),
        *(Column(label, "percent") for _, label in measures),
        Column(s("col_mean"), "mean"),
        Column(s("col_headline_interval"), "interval_percent"),
    ]
    table_rows, keys = [], []
    for (program, population, item, wave), group in wave_rows(rows):
        hidden = bool(group.is_suppressed.astype(bool).any())
        primary = _primary(group)
        interval = (None, None) if primary is None else (primary.ci_lower, primary.ci_upper)
        keys.append(_key(data, program, population, item, wave))
        table_rows.append(
            [
                *_label_cells(data, group.iloc[0]),
                Cell.of(group.denominator.max(), suppressed=hidden),
                *(Cell.of(_measure(group, code), suppressed=hidden) for code, _ in measures),
                Cell.of(_measure(group, "mean"), suppressed=hidden),
                Cell.of(interval, suppressed=hidden),
            ]
        )
    headline = join(dict.fromkeys(rows[rows.is_primary_measure.astype(bool)].measure_label_ja))
    return make_table(
        "pre_post_scores",
        s("table_pre_post_scores", title=section.title, fiscal_year=fiscal_year(data.fiscal_year)),
        section.anchor,
        columns,
        table_rows,
        s("note_pre_post_scores", headline=headline) + lower_is_better_note(rows),
        keys=keys,
    )


def distribution_table(data: ReportData, section: OutcomeSection) -> ReportTable:
    rows = section.rows
    values = rows[rows.measure_kind == "distribution"].drop_duplicates("measure")
    values = values.sort_values("measure_display_order")
    labels = [
        s("score_points", label=label)
        if str(label).lstrip("-").replace(".", "").isdigit()
        else str(label)
        for label in values.measure_label_ja
    ]
    columns = [*label_columns(), Column(s("col_respondents_n"), "count")]
    columns += [Column(label, "percent") for label in labels]
    table_rows, keys = [], []
    for (program, population, item, wave), group in wave_rows(rows):
        hidden = bool(group.is_suppressed.astype(bool).any())
        keys.append(_key(data, program, population, item, wave))
        table_rows.append(
            [
                *_label_cells(data, group.iloc[0]),
                Cell.of(group.denominator.max(), suppressed=hidden),
                *(Cell.of(_measure(group, code), suppressed=hidden) for code in values.measure),
            ]
        )
    return make_table(
        "pre_post_distribution",
        s(
            "table_pre_post_distribution",
            title=section.title,
            fiscal_year=fiscal_year(data.fiscal_year),
        ),
        section.anchor,
        columns,
        table_rows,
        s("note_pre_post_distribution"),
        keys=keys,
        folded=True,
    )


def tests_table(data: ReportData, section: OutcomeSection) -> ReportTable:
    columns = [
        Column(s("col_program")),
        Column(s("col_item")),
        Column(s("col_pairs_n"), "count"),
        Column(s("col_p_threshold_change"), "p_value"),
        Column(s("col_mean_shift"), "mean"),
        Column(s("col_mean_shift_interval"), "interval_mean"),
        Column(s("col_p_score_change"), "p_value"),
    ]
    paired = section.rows[section.rows.population == "paired"]
    table_rows, keys = [], []
    order = paired.assign(_all=paired.program_code != "all")
    for (_, program, _, item), pair in order.groupby(
        ["_all", "program_code", "display_order", "item_code"], sort=True
    ):
        measured = pair[pair.measure_kind != "shift"]
        # Tests are published only when both the pre and the post rows are (rpt_ docs).
        hidden = bool(measured.is_suppressed.astype(bool).any())
        tested = pair[pair.test_name == "mcnemar_exact"]
        keys.append(f"{data.fiscal_year}|{program}|paired|{item}")
        table_rows.append(
            [
                Cell.of(program_name(data, str(program))),
                Cell.of(pair.report_label_ja.iloc[0]),
                Cell.of(
                    measured[measured.wave_type == "post"].denominator.max(), suppressed=hidden
                ),
                Cell.of(tested.p_value.max() if not tested.empty else None, suppressed=hidden),
                Cell.of(_measure(pair, "mean_shift"), suppressed=hidden),
                Cell.of(
                    (
                        _measure(pair, "mean_shift", "ci_lower"),
                        _measure(pair, "mean_shift", "ci_upper"),
                    ),
                    suppressed=hidden,
                ),
                Cell.of(_measure(pair, "mean_shift", "p_value"), suppressed=hidden),
            ]
        )
    return make_table(
        "pre_post_tests",
        s("table_pre_post_tests", title=section.title, fiscal_year=fiscal_year(data.fiscal_year)),
        section.anchor,
        columns,
        table_rows,
        s("note_pre_post_tests"),
        keys=keys,
    )


def pre_post_tables(data: ReportData, section: OutcomeSection) -> list[ReportTable]:
    return [
        scores_table(data, section),
        distribution_table(data, section),
        tests_table(data, section),
    ]


def pre_post_charts(data: ReportData, section: OutcomeSection, k: int) -> list[Chart]:
    pooled = section.rows[section.rows.program_code == "all"]
    charts: list[Chart] = []
    items = pooled.sort_values(["display_order", "item_code"]).item_code
    for item_code in dict.fromkeys(items):
        rows = pooled[pooled.item_code == item_code]
        charts += [
            score_distribution_chart(data, section, str(item_code), rows, k),
            headline_chart(section, str(item_code), rows, k),
        ]
    return charts


def score_distribution_chart(
    data: ReportData, section: OutcomeSection, item_code: str, rows: pd.DataFrame, k: int
) -> Chart:
    """The share of each answer before and after (every respondent of each wave)."""
    rows = rows[rows.population == "respondents"]
    values = rows[rows.measure_kind == "distribution"].drop_duplicates("measure")
    values = values.sort_values("measure_display_order")
    positions = list(range(len(values)))
    figure = new_figure(3.0)
    ax = figure.add_subplot()
    legend, hidden = [], 0
    for offset, wave, colour in ((-0.2, "pre", PRE_COLOUR), (0.2, "post", POST_COLOUR)):
        wave_rows = rows[rows.wave_type == wave]
        if wave_rows.empty:
            continue
        name = WAVE_TYPE_SHORT_JA[wave]
        xs = [position + offset for position in positions]
        if wave_rows.is_suppressed.astype(bool).any():
            # No bar with a length: an empty, uncoloured slot keeps the legend in step.
            ax.bar(xs, [0.0] * len(xs), width=0.4, color="none")
            legend.append(f"{name}: {SUPPRESSED_MARK} {hidden_reason(k)}")
            hidden += 1
            continue
        shares = [clean(_measure(wave_rows, code)) or 0.0 for code in values.measure]
        ax.bar(xs, shares, width=0.4, color=colour)
        primary = _primary(wave_rows)
        text = f"{name}: N={int(wave_rows.denominator.max())}"
        if primary is not None:
            text += (
                f", {primary.measure_label_ja} {pct(primary.value)}"
                f" {interval_text(primary.ci_lower, primary.ci_upper)}"
            )
        legend.append(text)
    ax.legend(legend, loc="upper left", frameon=False, fontsize=8.5)
    ax.set_xticks(positions, [str(label) for label in values.measure_label_ja])
    scale_names = dict(zip(data.scales.scale_code, data.scales.label_ja, strict=True))
    scale_code = rows.scale_code.iloc[0] if not rows.empty else ""
    ax.set_xlabel(s("axis_answer", scale=scale_names.get(scale_code, scale_code)))
    ax.yaxis.set_major_formatter(lambda value, _: f"{value * 100:.0f}%")
    label = rows.report_label_ja.iloc[0] if not rows.empty else item_code
    chart_id = f"chart-{section.slug}-distribution-{item_code}"
    return Chart(
        chart_id,
        s("chart_score_distribution", label=label),
        svg_text(figure, chart_id),
        section.anchor,
        s("caption_score_distribution"),
        {"data-item": item_code},
        suppressed_bars=hidden,
    )


def headline_chart(section: OutcomeSection, item_code: str, rows: pd.DataFrame, k: int) -> Chart:
    """The primary share before and after, per population, with 95% intervals."""
    headline = rows[rows.is_primary_measure.astype(bool) & (rows.measure_kind == "share")]
    populations = sorted(dict.fromkeys(headline.population), key=_population_order)
    names = dict(zip(headline.population, headline.population_label_ja, strict=False))
    figure = new_figure(0.9 * len(populations) + 1.0)
    ax = figure.add_subplot()
    hidden = 0
    for index, population in enumerate(populations):
        base = (len(populations) - 1 - index) * 1.0
        for offset, wave, colour in ((0.18, "pre", PRE_COLOUR), (-0.18, "post", POST_COLOUR)):
            name = WAVE_TYPE_SHORT_JA[wave]
            match = headline[(headline.population == population) & (headline.wave_type == wave)]
            y = base + offset
            if match.empty:
                continue
            row = match.iloc[0]
            if row.is_suppressed:
                hidden_slot(ax, y, k, s("wave_label", wave=name), height=0.32)
                hidden += 1
                continue
            value = row.value
            ax.barh(y, value, height=0.32, color=colour, label=name if index == 0 else None)
            ax.errorbar(
                value,
                y,
                xerr=error_extent(value, row.ci_lower, row.ci_upper),
                fmt="none",
                ecolor="#333",
                capsize=3,
                linewidth=0.8,
            )
            ax.text(
                1.02,
                y,
                f"{name} {pct(value)} (N={int(row.denominator)})",
                va="center",
                fontsize=8.5,
            )
    ax.set_yticks(
        [(len(populations) - 1 - i) * 1.0 for i in range(len(populations))],
        [wrap(str(names[p]), 11) for p in populations],
    )
    percent_axis(ax)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False, fontsize=8.5)
    measure = headline.measure_label_ja.iloc[0] if not headline.empty else ""
    label = rows.report_label_ja.iloc[0] if not rows.empty else item_code
    chart_id = f"chart-{section.slug}-headline-{item_code}"
    return Chart(
        chart_id,
        s("chart_headline", label=label, measure=measure),
        svg_text(figure, chart_id),
        section.anchor,
        s("caption_headline") + lower_is_better_note(headline),
        {"data-item": item_code},
        suppressed_bars=hidden,
    )
