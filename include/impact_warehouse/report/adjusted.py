"""The report section on adjusted estimates (METRICS.md "Adjusted estimates"): the raw,
like-for-like and covariate-adjusted differences against the comparison group side by side,
the follow-up shares re-weighted for non-response, and the love plot of covariate balance.
Every figure is read from the published rpt_ tables (rpt_comparison_adjusted,
rpt_nonresponse_weighted_shares, rpt_covariate_balance); nothing is recomputed here. A
release without those tables, or a year without rows, has no such section.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import duckdb
import matplotlib
import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    PARTICIPANT_COLOUR,
    Chart,
    chart_style,
    new_figure,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import _has_table

SECTION = "adjusted"
TITLE = "比較の補正と回答の偏り（参考）"
ASMD_LIMIT = 0.1
LEAD = (
    "追跡調査に回答したのは対象者の一部です。比較調査がある年は、その回答者も参加者とは条件の違う人たちです。"
    "この節では、こうした偏りが結果をどれだけ動かしうるかを、公表値と並べて示します。"
    "ここの数字は参考値で、公表値を置き換えるものではありません。"
)
_ESTIMATES = ("raw", "like_for_like", "adjusted")
_QUERIES = {
    "comparison": """select * from reporting.rpt_comparison_adjusted where fiscal_year = ?
        order by indicator_symbol nulls last, display_order, item_code,
                 measure_display_order, measure""",
    "shares": """select * from reporting.rpt_nonresponse_weighted_shares where fiscal_year = ?
        order by indicator_symbol nulls last, display_order, item_code, measure""",
    "balance": """select * from reporting.rpt_covariate_balance where fiscal_year = ?
        order by display_order, item_code, level""",
}


@dataclass(frozen=True)
class AdjustedData:
    comparison: pd.DataFrame
    shares: pd.DataFrame
    balance: pd.DataFrame
    min_effective_n: float

    def without_items(self, item_codes: set[str]) -> AdjustedData:
        """Leave out items that are not outcomes (e.g. the voices' quote-consent item, which
        the engine weights like any follow-up share but the report never presents)."""

        def keep(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty or "item_code" not in frame:
                return frame
            return frame[~frame.item_code.isin(item_codes)].reset_index(drop=True)

        return replace(self, comparison=keep(self.comparison), shares=keep(self.shares))


def load_adjusted(
    connection: duckdb.DuckDBPyConnection, fiscal_year: int, min_effective_n: float = 30
) -> AdjustedData:
    """The year's published rows; empty frames when the release predates these tables."""
    frames = {}
    for name, query in _QUERIES.items():
        table = query.split("from ", 1)[1].split()[0]
        frames[name] = (
            connection.execute(query, [fiscal_year]).df()
            if _has_table(connection, table)
            else pd.DataFrame()
        )
    return AdjustedData(**frames, min_effective_n=min_effective_n)


def _label(row: Any) -> str:
    symbol = clean(row.indicator_symbol)
    return f"{symbol or ''}{row.report_label_ja}（{row.measure_label_ja}）"


def comparison_table(adjusted: AdjustedData) -> ReportTable | None:
    rows = adjusted.comparison
    if rows.empty:
        return None
    columns = [
        Column("項目"),
        *(
            column
            for name in ("単純比較（公表値）", "条件をそろえた比較", "属性で補正した比較")
            for column in (
                Column(f"{name} 差（ポイント）", "points"),
                Column(f"{name} 95%信頼区間", "interval_points"),
                Column(f"{name} 参加者N", "count"),
            )
        ),
        Column("補正後の比較群の実効N", "mean"),
        Column("補正の信頼性"),
    ]
    table_rows, keys = [], []
    for (item_code, measure), group in rows.groupby(["item_code", "measure"], sort=False):
        by_type = {row.estimate_type: row for row in group.itertuples(index=False)}
        cells = [Cell.of(_label(group.iloc[0]))]
        for estimate in _ESTIMATES:
            row = by_type.get(estimate)
            hidden = row is None or bool(row.is_suppressed)
            cells += [
                Cell.of(None if row is None else row.difference_points, suppressed=hidden),
                Cell.of(
                    None if row is None else (row.difference_ci_lower, row.difference_ci_upper),
                    suppressed=hidden,
                ),
                Cell.of(None if row is None else row.followup_denominator, suppressed=hidden),
            ]
        adjusted_row = by_type.get("adjusted")
        cells += [
            Cell.of(
                None if adjusted_row is None else adjusted_row.comparison_effective_n,
                suppressed=adjusted_row is None or bool(adjusted_row.is_suppressed),
            ),
            Cell.of(trust_text(adjusted_row, adjusted.min_effective_n)),
        ]
        table_rows.append(cells)
        keys.append(f"{group.iloc[0].fiscal_year}|{item_code}|{measure}")
    return make_table(
        # Numbered after the summary table (13) like the targets table (15): page order.
        "14_adjusted_comparison",
        "比較群との差：単純比較・条件をそろえた比較・属性で補正した比較",
        SECTION,
        columns,
        table_rows,
        "単純比較は前の節の公表値と同じ数字です。条件をそろえた比較は、比較群の条件（居住地域・就業形態など）"
        "に当てはまる回答者だけを比較群と比べた差です。属性で補正した比較は、比較群の一人ひとりに重みを付けて、"
        "属性の構成を回答者と同じにしてから比べた差です（95%信頼区間はブートストラップ法）。"
        "実効Nは、重み付けの後に比較群が何人分の情報を持つかの目安です。"
        f"「注意」は、実効Nが{adjusted.min_effective_n:g}未満か、重み付けの後も属性の差（ASMD）が"
        f"{ASMD_LIMIT}以上残る属性があることを示し、その補正値は参考にとどめてください。",
        keys=keys,
    )


def trust_text(row: Any, min_effective_n: float) -> str:
    if row is None or bool(row.is_suppressed):
        return "—"
    reasons = []
    if bool(row.is_effective_n_low):
        reasons.append(f"実効N {min_effective_n:g} 未満")
    if bool(row.is_imbalanced):
        reasons.append(f"属性の差が残る（最大ASMD {row.max_asmd_after:.2f}）")
    return "注意：" + "・".join(reasons) if reasons else "目安を満たす"


def nonresponse_table(adjusted: AdjustedData) -> ReportTable | None:
    rows = adjusted.shares
    if rows.empty:
        return None
    columns = [
        Column("項目"),
        Column("回答者N", "count"),
        Column("回答者の割合（公表値）", "percent"),
        Column("回答の偏りを補正した割合", "percent"),
        Column("補正後の95%信頼区間", "interval_percent"),
        Column("実効N", "mean"),
    ]
    table_rows = [
        [
            Cell.of(_label(row)),
            Cell.of(row.denominator, suppressed=bool(row.is_suppressed)),
            Cell.of(row.value, suppressed=bool(row.is_suppressed)),
            Cell.of(row.weighted_value, suppressed=bool(row.is_suppressed)),
            Cell.of((row.ci_lower, row.ci_upper), suppressed=bool(row.is_suppressed)),
            Cell.of(row.effective_n, suppressed=bool(row.is_suppressed)),
        ]
        for row in rows.itertuples(index=False)
    ]
    first = rows.iloc[0]
    return make_table(
        "14_adjusted_nonresponse",
        f"追跡調査の回答の偏りを補正した割合（対象 {int(first.targeted_n)} 人、"
        f"回答 {int(first.respondents_n)} 人）",
        SECTION,
        columns,
        table_rows,
        "回答した人としなかった人では、参加したプログラム・年度・参加時の就業状況・事前や事後の回答が違うことがあります。"
        "その違いから一人ひとりの「回答しやすさ」を推定し、回答しにくい人ほど重く数えた割合が「補正した割合」です"
        "（重みは平均の5倍で頭打ち）。公表値との差が大きい項目ほど、回答の偏りの影響を受けている可能性があります。"
        f"実効Nが{adjusted.min_effective_n:g}未満の項目は幅が広く、参考にとどめてください。",
        keys=[row.nonresponse_share_key for row in rows.itertuples(index=False)],
    )


def love_plot(adjusted: AdjustedData) -> Chart | None:
    """ASMD before and after weighting per covariate level (suppressed levels left out)."""
    rows = adjusted.balance
    if rows.empty:
        return None
    shown = rows[~rows.is_suppressed.astype(bool)]
    if shown.empty:
        return None
    labels = [f"{row.covariate_ja}：{row.level_label_ja}" for row in shown.itertuples(index=False)]
    with matplotlib.rc_context(chart_style()):
        figure = new_figure(0.28 * len(shown) + 1.2)
        ax = figure.add_subplot()
        positions = list(range(len(shown)))[::-1]
        ax.scatter(shown.asmd_before, positions, color=COMPARISON_COLOUR, label="補正前", zorder=3)
        ax.scatter(
            shown.asmd_after,
            positions,
            color=PARTICIPANT_COLOUR,
            label="補正後",
            marker="D",
            zorder=3,
        )
        ax.axvline(ASMD_LIMIT, color="#d9653b", linestyle="--", linewidth=1)
        ax.set_yticks(positions, [wrap(label, 22) for label in labels], fontsize=8)
        ax.set_xlabel("属性の差（ASMD、絶対値）")
        ax.set_xlim(
            0, max(0.5, float(pd.concat([shown.asmd_before, shown.asmd_after]).max()) * 1.1)
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8.5)
        svg = svg_text(figure, "chart-adjusted-love-plot")
    return Chart(
        "chart-adjusted-love-plot",
        "属性ごとの差：比較群の重み付けの前と後（ラブプロット）",
        svg,
        SECTION,
        "点が左にあるほど、参加者（追跡調査の回答者）と比較群の構成が近いことを示します。"
        f"破線は目安の {ASMD_LIMIT}。"
        "補正後も破線より右に残る属性は、比較群に当てはまる人がいない・少ないため補正しきれない違いです。"
        "回答者が少なく非表示の区分は点を省いています。",
        {"data-levels": str(len(shown))},
    )


def adjusted_content(adjusted: AdjustedData) -> tuple[list[ReportTable], list[Chart]]:
    tables = [t for t in (comparison_table(adjusted), nonresponse_table(adjusted)) if t]
    charts = [c for c in (love_plot(adjusted),) if c]
    return tables, charts
