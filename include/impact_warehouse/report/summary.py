"""評価結果まとめ in words: one line per indicator, written from ``rpt_summary`` numbers.

The warehouse keeps the summary as numbers only ("text is left to the report"); this module
is that text. Every sentence quotes N and the interval; a hidden figure reads as suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from impact_warehouse.report.cells import SUPPRESSED_MARK, clean
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.tables import indicator_title, summary_label, summary_rows


@dataclass(frozen=True)
class SummaryLine:
    type_ja: str
    indicator_ja: str
    results: tuple[str, ...]


def _share(value: float) -> str:
    return f"{value * 100:.1f}%"


def _interval(lower: Any, upper: Any, *, percent: bool) -> str:
    lower, upper = clean(lower), clean(upper)
    if lower is None or upper is None:
        return ""
    if percent:
        return f" [{round(lower * 100, 1) + 0.0:.1f}, {round(upper * 100, 1) + 0.0:.1f}]"
    return f" [{lower:+.1f}, {upper:+.1f}]"


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
        difference = (
            f"{row.difference:+.1f}{unit}" if unit == "pt" else f"{row.difference:+.2f}{unit}"
        )
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
                type_ja="短期アウトカム"
                if first.indicator_type == "short_term"
                else "中期アウトカム",
                indicator_ja=indicator_title(data, str(indicator_code)),
                results=tuple(result_text(data, row) for row in rows.itertuples(index=False)),
            )
        )
    return lines
