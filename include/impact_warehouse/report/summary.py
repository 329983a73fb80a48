"""評価結果まとめ: one line per indicator in words, and the table, from ``rpt_summary``.

The warehouse keeps the summary as numbers only ("text is left to the report"); this module
is that text. Every sentence quotes N and the interval; a hidden figure reads as suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from impact_warehouse.report.cells import (
    SUPPRESSED_MARK,
    Cell,
    Column,
    ReportTable,
    clean,
    make_table,
)
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import fiscal_year, s
from impact_warehouse.report.labels import (
    indicator_title,
    indicator_type_ja,
    needs_measure_label,
    scale_measures,
)
from impact_warehouse.report.rounding import fixed
from impact_warehouse.report.rounding import percent as as_percent

# Figures that are not items (rpt_summary figure_code): strings keys figure_<code>.
FIGURE_CODES = frozenset({"partner_housework_hours", "partner_housework_share"})


@dataclass(frozen=True)
class SummaryLine:
    type_ja: str
    indicator_ja: str
    results: tuple[str, ...]


def _share(value: float) -> str:
    return f"{as_percent(value)}%"


def _interval(lower: Any, upper: Any, *, percent: bool) -> str:
    lower, upper = clean(lower), clean(upper)
    if lower is None or upper is None:
        return ""
    if percent:
        return f" [{as_percent(lower)}, {as_percent(upper)}]"
    return f" [{fixed(lower, 1, sign=True)}, {fixed(upper, 1, sign=True)}]"


def _p(value: Any) -> str:
    value = clean(value)
    if value is None:
        return ""
    return s("summary_p_small") if value < 0.001 else s("summary_p", p=fixed(value, 3))


def result_text(data: ReportData, row: Any) -> str:
    label = summary_label(data, row)
    if row.is_suppressed:
        return s("summary_hidden", label=label, mark=SUPPRESSED_MARK)
    share = row.unit == "share"
    value = _share(row.value) if share else s("hours_per_day", value=fixed(row.value, 2))
    text = s("summary_value", label=label, value=value)
    if share:
        text += _interval(row.ci_lower, row.ci_upper, percent=True)
    text += s("summary_n", n=int(row.respondents))
    baseline = clean(row.baseline_wave_type)
    if baseline is not None and clean(row.baseline_value) is not None:
        base_value = (
            _share(row.baseline_value)
            if share
            else s("hours_per_day", value=fixed(row.baseline_value, 2))
        )
        base_n = clean(row.baseline_respondents)
        base_name = s("baseline_pre") if baseline == "pre" else s("baseline_comparison")
        unit = "pt" if row.difference_unit == "points" else s("unit_hours_per_day")
        difference = f"{fixed(row.difference, 1 if unit == 'pt' else 2, sign=True)}{unit}"
        text += (
            s("summary_baseline", name=base_name, value=base_value)
            + (s("summary_n", n=int(base_n)) if base_n is not None else "")
            + s("summary_difference", difference=difference)
            + _interval(row.difference_ci_lower, row.difference_ci_upper, percent=False)
            + _p(row.p_value)
        )
    return text


def summary_lines(data: ReportData) -> list[SummaryLine]:
    lines: list[SummaryLine] = []
    ordered = summary_rows(data)
    for indicator_code, rows in ordered.groupby("indicator_code", sort=False):
        first = rows.iloc[0]
        lines.append(
            SummaryLine(
                type_ja=indicator_type_ja(first.indicator_type),
                indicator_ja=indicator_title(data, str(indicator_code)),
                results=tuple(result_text(data, row) for row in rows.itertuples(index=False)),
            )
        )
    return lines


def summary_label(data: ReportData, row: Any) -> str:
    if row.figure_code in FIGURE_CODES:
        return s(f"figure_{row.figure_code}")
    labels = dict(zip(data.items.item_code, data.items.report_label_ja, strict=True))
    label = labels.get(row.item_code, row.item_code)
    scales = dict(zip(data.items.item_code, data.items.scale_code, strict=True))
    scale_code = scales.get(row.item_code)
    if scale_code is None or not needs_measure_label(data, scale_code):
        return label
    # METRICS.md "Labels of direction": name what the share counts (anxious (5 or less)).
    measures = scale_measures(data, scale_code).set_index("measure_code")
    if row.measure not in measures.index:
        return label
    return s("item_with_measure", item=label, measure=measures.loc[row.measure].label_ja)


def summary_table(data: ReportData) -> ReportTable:
    columns = [
        Column(s("col_type")),
        Column(s("col_indicator")),
        Column(s("col_item")),
        Column(s("col_respondents_n"), "count"),
        Column(s("col_value_share"), "percent"),
        Column(s("col_value_hours"), "hours"),
        Column(s("col_value_interval"), "interval_percent"),
        Column(s("col_baseline")),
        Column(s("col_baseline_n"), "count"),
        Column(s("col_baseline_share"), "percent"),
        Column(s("col_baseline_hours"), "hours"),
        Column(s("col_difference_points"), "points"),
        Column(s("col_difference_hours"), "hours_diff"),
        Column(s("col_difference_interval"), "interval_points"),
        Column(s("col_p_value"), "p_value"),
    ]
    rows = []
    ordered = summary_rows(data)
    for row in ordered.itertuples(index=False):
        hidden = bool(row.is_suppressed)
        share = row.unit == "share"
        baseline = {"pre": "baseline_pre_same_year", "comparison": "baseline_comparison"}.get(
            clean(row.baseline_wave_type)
        )
        rows.append(
            [
                Cell.of(indicator_type_ja(row.indicator_type)),
                Cell.of(indicator_title(data, row.indicator_code)),
                Cell.of(summary_label(data, row)),
                Cell.of(row.respondents, suppressed=hidden),
                Cell.of(row.value if share else None, suppressed=hidden),
                Cell.of(None if share else row.value, suppressed=hidden),
                Cell.of((row.ci_lower, row.ci_upper) if share else (None, None), suppressed=hidden),
                Cell.of(s(baseline) if baseline else None),
                Cell.of(row.baseline_respondents, suppressed=hidden),
                Cell.of(row.baseline_value if share else None, suppressed=hidden),
                Cell.of(None if share else row.baseline_value, suppressed=hidden),
                Cell.of(
                    row.difference if row.difference_unit == "points" else None, suppressed=hidden
                ),
                Cell.of(
                    row.difference if row.difference_unit == "hours" else None, suppressed=hidden
                ),
                Cell.of((row.difference_ci_lower, row.difference_ci_upper), suppressed=hidden),
                Cell.of(row.p_value, suppressed=hidden),
            ]
        )
    return make_table(
        "summary",
        s("table_summary", fiscal_year=fiscal_year(data.fiscal_year)),
        "summary",
        columns,
        rows,
        s("note_summary"),
        keys=ordered.summary_key,
        folded=True,
    )


def summary_rows(data: ReportData) -> pd.DataFrame:
    """Summary rows in report order: indicator types in catalog order, then indicators."""
    types = data.indicators.sort_values("indicator_code").indicator_type
    order = {code: index for index, code in enumerate(dict.fromkeys(types))}
    frame = data.summary.copy()
    frame["_type_order"] = frame.indicator_type.map(order).fillna(len(order))
    return frame.sort_values(["_type_order", "indicator_code", "display_order"]).drop(
        columns="_type_order"
    )
