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
from impact_warehouse.report.labels import (
    indicator_title,
    indicator_type_ja,
    needs_measure_label,
    scale_measures,
)
from impact_warehouse.report.rounding import fixed
from impact_warehouse.report.rounding import percent as as_percent

FIGURE_LABEL_JA = {
    "partner_housework_hours": "配偶者の家事関連時間（週平均, 時間/日）",
    "partner_housework_share": "夫婦の家事関連時間に占める配偶者の割合",
}


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
    return "、p<0.001" if value < 0.001 else f"、p={value:.3f}"


def result_text(data: ReportData, row: Any) -> str:
    label = summary_label(data, row)
    if row.is_suppressed:
        return f"{label}：{SUPPRESSED_MARK}（非表示）"
    share = row.unit == "share"
    value = _share(row.value) if share else f"{row.value:.2f}時間/日"
    text = f"{label}：{value}"
    if share:
        text += _interval(row.ci_lower, row.ci_upper, percent=True)
    text += f"（N={int(row.respondents)}）"
    baseline = clean(row.baseline_wave_type)
    if baseline is not None and clean(row.baseline_value) is not None:
        base_value = _share(row.baseline_value) if share else f"{row.baseline_value:.2f}時間/日"
        base_n = clean(row.baseline_respondents)
        base_name = "事前" if baseline == "pre" else "比較群"
        unit = "pt" if row.difference_unit == "points" else "時間/日"
        difference = f"{fixed(row.difference, 1 if unit == 'pt' else 2, sign=True)}{unit}"
        text += (
            f"、{base_name} {base_value}"
            + (f"（N={int(base_n)}）" if base_n is not None else "")
            + f"、差 {difference}"
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
    if row.figure_code in FIGURE_LABEL_JA:
        return FIGURE_LABEL_JA[row.figure_code]
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
    return f"{label}（{measures.loc[row.measure].label_ja}）"


def summary_table(data: ReportData) -> ReportTable:
    columns = [
        Column("種別"),
        Column("指標"),
        Column("項目"),
        Column("回答者数 N", "count"),
        Column("値（割合）", "percent"),
        Column("値（時間/日）", "hours"),
        Column("値の95%信頼区間", "interval_percent"),
        Column("比較対象"),
        Column("比較対象 N", "count"),
        Column("比較対象の値（割合）", "percent"),
        Column("比較対象の値（時間/日）", "hours"),
        Column("差（ポイント）", "points"),
        Column("差（時間/日）", "hours_diff"),
        Column("差の95%信頼区間", "interval_points"),
        Column("p値", "p_value"),
    ]
    rows = []
    ordered = summary_rows(data)
    for row in ordered.itertuples(index=False):
        hidden = bool(row.is_suppressed)
        share = row.unit == "share"
        baseline = {"pre": "事前（同じ年度）", "comparison": "比較群"}.get(
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
                Cell.of(baseline),
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
        f"評価結果まとめ（{data.fiscal_year}年度）",
        "summary",
        columns,
        rows,
        "事前との比較は各回の回答者（非ペア）の割合。比較群との差には p 値を添えています。",
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
