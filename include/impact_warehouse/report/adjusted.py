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
import pandas as pd

from impact_warehouse.report.cells import Cell, Column, ReportTable, clean, make_table
from impact_warehouse.report.chart_kit import (
    COMPARISON_COLOUR,
    PARTICIPANT_COLOUR,
    Chart,
    drawing_style,
    new_figure,
    svg_text,
    wrap,
)
from impact_warehouse.report.data import _has_table
from impact_warehouse.report.i18n import s

SECTION = "adjusted"
# Keys of strings_<lang>.yaml: page.py writes them with s() when it builds the page.
TITLE = "adjusted_title"
ASMD_LIMIT = 0.1
LEAD = "adjusted_lead"
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
    return (symbol or "") + s(
        "item_with_measure", item=row.report_label_ja, measure=row.measure_label_ja
    )


def comparison_table(adjusted: AdjustedData) -> ReportTable | None:
    rows = adjusted.comparison
    if rows.empty:
        return None
    columns = [
        Column(s("col_item")),
        *(
            column
            for name in (s(f"adjusted_estimate_{estimate}") for estimate in _ESTIMATES)
            for column in (
                Column(s("adjusted_col_difference", estimate=name), "points"),
                Column(s("adjusted_col_interval", estimate=name), "interval_points"),
                Column(s("adjusted_col_participants_n", estimate=name), "count"),
            )
        ),
        Column(s("adjusted_col_comparison_effective_n"), "mean"),
        Column(s("adjusted_col_trust")),
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
        s("adjusted_table_comparison"),
        SECTION,
        columns,
        table_rows,
        s(
            "adjusted_note_comparison",
            min_effective_n=f"{adjusted.min_effective_n:g}",
            asmd_limit=ASMD_LIMIT,
        ),
        keys=keys,
    )


def trust_text(row: Any, min_effective_n: float) -> str:
    if row is None or bool(row.is_suppressed):
        return "—"
    reasons = []
    if bool(row.is_effective_n_low):
        reasons.append(s("adjusted_trust_effective_n_low", min_effective_n=f"{min_effective_n:g}"))
    if bool(row.is_imbalanced):
        reasons.append(s("adjusted_trust_imbalanced", max_asmd=f"{row.max_asmd_after:.2f}"))
    if not reasons:
        return s("adjusted_trust_ok")
    return s("adjusted_trust_caution", reasons=s("adjusted_trust_separator").join(reasons))


def nonresponse_table(adjusted: AdjustedData) -> ReportTable | None:
    rows = adjusted.shares
    if rows.empty:
        return None
    columns = [
        Column(s("col_item")),
        Column(s("adjusted_col_respondents_n"), "count"),
        Column(s("adjusted_col_share"), "percent"),
        Column(s("adjusted_col_weighted_share"), "percent"),
        Column(s("adjusted_col_weighted_interval"), "interval_percent"),
        Column(s("adjusted_col_effective_n"), "mean"),
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
        s(
            "adjusted_table_nonresponse",
            targeted=int(first.targeted_n),
            respondents=int(first.respondents_n),
        ),
        SECTION,
        columns,
        table_rows,
        s("adjusted_note_nonresponse", min_effective_n=f"{adjusted.min_effective_n:g}"),
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
    labels = [
        s("adjusted_love_level", covariate=row.covariate_ja, level=row.level_label_ja)
        for row in shown.itertuples(index=False)
    ]
    with drawing_style():
        figure = new_figure(0.28 * len(shown) + 1.2)
        ax = figure.add_subplot()
        positions = list(range(len(shown)))[::-1]
        ax.scatter(
            shown.asmd_before,
            positions,
            color=COMPARISON_COLOUR,
            label=s("adjusted_love_before"),
            zorder=3,
        )
        ax.scatter(
            shown.asmd_after,
            positions,
            color=PARTICIPANT_COLOUR,
            label=s("adjusted_love_after"),
            marker="D",
            zorder=3,
        )
        ax.axvline(ASMD_LIMIT, color="#d9653b", linestyle="--", linewidth=1)
        ax.set_yticks(positions, [wrap(label, 22) for label in labels], fontsize=8)
        ax.set_xlabel(s("adjusted_love_axis"))
        ax.set_xlim(
            0, max(0.5, float(pd.concat([shown.asmd_before, shown.asmd_after]).max()) * 1.1)
        )
        ax.legend(loc="lower right", frameon=False, fontsize=8.5)
        svg = svg_text(figure, "chart-adjusted-love-plot")
    return Chart(
        "chart-adjusted-love-plot",
        s("adjusted_chart_love_plot"),
        svg,
        SECTION,
        s("adjusted_note_love_plot", asmd_limit=ASMD_LIMIT),
        {"data-levels": str(len(shown))},
    )


def adjusted_content(adjusted: AdjustedData) -> tuple[list[ReportTable], list[Chart]]:
    tables = [t for t in (comparison_table(adjusted), nonresponse_table(adjusted)) if t]
    charts = [c for c in (love_plot(adjusted),) if c]
    return tables, charts
