"""The KPI targets' statuses for the release announcement (METRICS.md "Indicator targets").

One plain line per target of the released fiscal year, read from the published
``reporting.rpt_indicator_targets``: staff see at a glance which targets were achieved
without opening the report. Nothing is judged here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

STATUS_JA = {"achieved": "達成", "not_achieved": "未達成", "not_judged": "判定なし"}
REASON_JA = {
    "no_data": "データなし",
    "suppressed": "非表示のセル",
    "denominator_below_k": "回答者が少ない",
}
# ≧ ≦, the JIS forms: the report's embedded font (IPAexGothic) has no ≥ ≤ glyphs.
OPERATOR_JA = {">=": "≧", "<=": "≦"}


def target_status_lines(published_db: Path, fiscal_year: int) -> list[str]:
    """E.g. "⑦ 自分らしいキャリアを歩んでいけるという自信（終了後アンケート）
    目標 ≧ 70.0% → 75.6%: 達成"; empty when the release has no targets table."""
    with duckdb.connect(str(published_db), read_only=True) as connection:
        try:
            rows = connection.execute(
                """
                select indicator_symbol, report_label_ja, wave_type_ja, program_code, operator,
                       target_value, value, status, not_judged_reason, is_within_margin
                from reporting.rpt_indicator_targets
                where fiscal_year = ?
                order by indicator_code, display_order, wave_type, measure, program_code
                """,
                [fiscal_year],
            ).fetchall()
        except duckdb.CatalogException:  # a release built before targets existed
            return []
    return [_line(*row) for row in rows]


def _line(
    symbol: str,
    item_label: str,
    wave_type_ja: str,
    program_code: str,
    operator: str,
    target: float,
    value: float | None,
    status: str,
    reason: str | None,
    within_margin: bool | None,
) -> str:
    where = wave_type_ja if program_code == "all" else f"{wave_type_ja}・{program_code}"
    estimate = "—" if value is None else f"{round(value * 100, 1):.1f}%"
    verdict = STATUS_JA[status]
    if reason:
        verdict += f"（{REASON_JA.get(reason, reason)}）"
    elif within_margin:
        verdict += "（誤差の範囲内）"
    return (
        f"{symbol} {item_label}（{where}） 目標 {OPERATOR_JA[operator]} "
        f"{round(target * 100, 1):.1f}% → {estimate}: {verdict}"
    )
