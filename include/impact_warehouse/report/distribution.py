"""Outcome sections drawn as distributions: per item, the share of every value of its scale
(a 100% stacked bar, any number of values, labelled from scale_labels) and the share of each
named measure of the scale (scale_measures), with its label and direction.

One table per scale in the section (the value columns are the scale's); one chart per
indicator and scale, programs pooled. Rows are rpt_outcome_results as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    Chart,
    category_colours,
    hidden_slot,
    interval_text,
    is_dark,
    new_figure,
    pct,
    percent_axis,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.labels import (
    WAVE_TYPE_SHORT_JA,
    high_values_are_good,
    indicator_title,
    lower_is_better_note,
    program_name,
    wave_type_ja,
)
from impact_warehouse.report.outcome_plan import OutcomeSection

GROUP_COLUMNS = ["program_code", "item_code", "wave_type"]


@dataclass(frozen=True)
class ItemRow:
    """One item of one program at one wave: its published rows by measure."""

    program_code: str
    item_code: str
    wave_type: str
    label_ja: str
    indicator_symbol: str
    respondents: Any
    response_rate: Any
    is_suppressed: bool
    by_measure: dict[str, Any]


def item_rows(rows: pd.DataFrame) -> list[ItemRow]:
    """The published rows gathered per program × item × wave, in the release's order."""
    gathered = []
    for (program, item, wave), group in rows.groupby(GROUP_COLUMNS, sort=False):
        first = group.iloc[0]
        gathered.append(
            ItemRow(
                program_code=str(program),
                item_code=str(item),
                wave_type=str(wave),
                label_ja=str(first.report_label_ja),
                indicator_symbol=str(clean(first.indicator_symbol) or ""),
                respondents=group.denominator.max(),
                response_rate=group.response_rate.max(),
                is_suppressed=bool(group.is_suppressed.astype(bool).any()),
                by_measure={str(row.measure): row for row in group.itertuples(index=False)},
            )
        )
    return gathered


def value_measures(data: ReportData, rows: pd.DataFrame, scale_code: str) -> list[tuple[str, str]]:
    """(measure, label) of each value of the scale, the good end first."""
    values = rows[(rows.scale_code == scale_code) & (rows.measure_kind == "distribution")]
    values = values.drop_duplicates("measure").sort_values("measure_display_order")
    pairs = list(zip(values.measure, values.measure_label_ja, strict=True))
    return pairs[::-1] if high_values_are_good(data, scale_code) else pairs


def share_measures(rows: pd.DataFrame, scale_code: str) -> list[tuple[str, str]]:
    """(measure, label) of the scale's named measures, the primary one first."""
    shares = rows[(rows.scale_code == scale_code) & (rows.measure_kind == "share")]
    shares = shares.drop_duplicates("measure")
    shares = shares.assign(_primary=~shares.is_primary_measure.astype(bool)).sort_values(
        ["_primary", "measure_display_order"]
    )
    return list(zip(shares.measure, shares.measure_label_ja, strict=True))


def _value(row: ItemRow, measure: str, column: str = "value") -> Any:
    found = row.by_measure.get(measure)
    return None if found is None else getattr(found, column)


def _scales(rows: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(rows.scale_code))


def distribution_tables(data: ReportData, section: OutcomeSection) -> list[ReportTable]:
    rows = section.rows
    waves = list(dict.fromkeys(rows.wave_type))
    wave_names = s("name_separator").join(wave_type_ja(data, wave) for wave in waves)
    scale_names = dict(zip(data.scales.scale_code, data.scales.label_ja, strict=True))
    scales = _scales(rows) or [None]
    tables = []
    for scale_code in scales:
        scale_rows = rows[rows.scale_code == scale_code] if scale_code else rows
        key = f"{section.anchor}_outcomes" + (f"_{scale_code}" if len(scales) > 1 else "")
        title = s(
            "table_distribution",
            title=section.title,
            fiscal_year=fiscal_year(data.fiscal_year),
            waves=wave_names,
        ).replace(" ）", "）")
        if len(scales) > 1:
            title += s("table_distribution_scale", scale=scale_names.get(scale_code, scale_code))
        tables.append(
            _distribution_table(data, section, scale_rows, scale_code, key, title, len(waves))
        )
    return tables


def _distribution_table(
    data: ReportData,
    section: OutcomeSection,
    rows: pd.DataFrame,
    scale_code: str | None,
    key: str,
    title: str,
    wave_count: int,
) -> ReportTable:
    values = value_measures(data, rows, scale_code) if scale_code else []
    measures = share_measures(rows, scale_code) if scale_code else []
    columns = [
        Column(s("col_program")),
        Column(s("col_indicator")),
        Column(s("col_item")),
        *([Column(s("col_wave"))] if wave_count > 1 else []),
        Column(s("col_respondents_n"), "count"),
        *(Column(label, "percent") for _, label in values),
    ]
    for _, label in measures:
        columns += [
            Column(label, "percent"),
            Column(s("col_interval_of", label=label), "interval_percent"),
        ]
    columns.append(Column(s("col_response_rate"), "percent"))
    table_rows = []
    keys = []
    for row in item_rows(rows):
        hidden = row.is_suppressed
        keys.append(
            f"{data.fiscal_year}|{row.program_code}|{row.item_code}"
            + (f"|{row.wave_type}" if wave_count > 1 else "")
        )
        cells = [
            Cell.of(program_name(data, row.program_code)),
            Cell.of(row.indicator_symbol or None),
            Cell.of(row.label_ja),
            *([Cell.of(wave_type_ja(data, row.wave_type))] if wave_count > 1 else []),
            Cell.of(row.respondents, suppressed=hidden),
            *(Cell.of(_value(row, measure), suppressed=hidden) for measure, _ in values),
        ]
        for measure, _ in measures:
            interval = (_value(row, measure, "ci_lower"), _value(row, measure, "ci_upper"))
            cells += [
                Cell.of(_value(row, measure), suppressed=hidden),
                Cell.of(interval, suppressed=hidden),
            ]
        cells.append(Cell.of(row.response_rate))
        table_rows.append(cells)
    note = s("note_distribution") + lower_is_better_note(rows)
    return make_table(key, title, section.anchor, columns, table_rows, note, keys=keys)


def distribution_charts(data: ReportData, section: OutcomeSection, k: int) -> list[Chart]:
    """One chart per indicator (per item section) and scale, programs pooled."""
    pooled = section.rows[section.rows.program_code == "all"]
    charts = []
    by_indicator = pooled.indicator_code.fillna("").astype(str)
    for indicator_code, rows in pooled.groupby(by_indicator, sort=True):
        for index, scale_code in enumerate(_scales(rows)):
            chart_id = f"chart-{section.slug.replace('_', '-')}" + (
                f"-{indicator_code}" if indicator_code else ""
            )
            if index:
                chart_id += f"-{scale_code}"
            title = indicator_title(data, indicator_code) if indicator_code else section.title
            charts.append(
                stacked_chart(
                    data,
                    chart_id,
                    title,
                    section.anchor,
                    rows[rows.scale_code == scale_code],
                    scale_code,
                    k,
                    attributes={"data-indicator": indicator_code} if indicator_code else {},
                )
            )
    return charts


def stacked_chart(
    data: ReportData,
    chart_id: str,
    title: str,
    section: str,
    rows: pd.DataFrame,
    scale_code: str,
    k: int,
    *,
    attributes: dict[str, str],
) -> Chart:
    """100% stacked bars of the scale's values, one bar per item (and wave)."""
    values = value_measures(data, rows, scale_code)
    measures = share_measures(rows, scale_code)
    primary = measures[0][0] if measures else None
    colours = category_colours(len(values))
    items = item_rows(rows)
    waves = len({item.wave_type for item in items})
    figure = new_figure(0.55 * len(items) + 1.2)
    ax = figure.add_subplot()
    positions = list(range(len(items)))[::-1]
    legend_drawn = False
    for y, item in zip(positions, items, strict=True):
        if item.is_suppressed:
            hidden_slot(ax, y, k)
            continue
        _draw_value_segments(ax, y, item, values, colours, with_legend=not legend_drawn)
        legend_drawn = True
        ax.text(1.02, y, _item_annotation(item, primary), va="center", fontsize=8.5)
    labels = [
        item.label_ja
        + (s("wave_suffix", wave=WAVE_TYPE_SHORT_JA.get(item.wave_type, "")) if waves > 1 else "")
        for item in items
    ]
    ax.set_yticks(positions, [wrap(label, 18) for label in labels])
    percent_axis(ax)
    if legend_drawn:
        ax.legend(
            ncols=min(len(values), 5),
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            frameon=False,
            fontsize=8.5,
        )
    return Chart(
        chart_id,
        title,
        svg_text(figure, chart_id),
        section,
        _distribution_caption(measures, rows),
        {**attributes, "data-items": str(len(items))},
        suppressed_bars=sum(item.is_suppressed for item in items),
    )


def _draw_value_segments(
    ax: Axes,
    y: float,
    item: ItemRow,
    values: list[tuple[str, str]],
    colours: list[str],
    *,
    with_legend: bool,
) -> None:
    """One bar segment per scale value, its share printed inside when there is room; only
    the first bar drawn labels the legend, so each value is listed once."""
    left = 0.0
    for (measure, label), colour in zip(values, colours, strict=True):
        share = clean(_value(item, measure)) or 0.0
        legend = label if with_legend else None
        ax.barh(y, share, left=left, height=0.6, color=colour, label=legend)
        if share >= 0.06:
            ax.text(
                left + share / 2,
                y,
                f"{share * 100:.0f}%",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if is_dark(colour) else "#222",
            )
        left += share


def _item_annotation(item: ItemRow, primary: str | None) -> str:
    """Respondents, and the primary measure with its interval when the scale names one."""
    text = f"N={int(item.respondents)}"
    if primary is not None:
        lower, upper = _value(item, primary, "ci_lower"), _value(item, primary, "ci_upper")
        text += f"  {pct(clean(_value(item, primary)))}\n" + interval_text(lower, upper)
    return text


def _distribution_caption(measures: list[tuple[str, str]], rows: pd.DataFrame) -> str:
    """The caption names the primary measure (the first named one) when there is one."""
    caption = s("caption_distribution")
    if measures:
        caption += s("caption_distribution_primary", measure=measures[0][1])
    return caption + s("sentence_end") + lower_is_better_note(rows)
