"""The adjusted-estimates section (report/adjusted.py) from published rows: three estimates
side by side, the trust flag in words, the love plot as SVG, nothing without rows."""

from __future__ import annotations

import pandas as pd

from impact_warehouse.report.adjusted import AdjustedData, adjusted_content, trust_text


def _comparison() -> pd.DataFrame:
    common = {
        "fiscal_year": 2025, "item_code": "q", "measure": "yes", "indicator_symbol": "⑪",
        "report_label_ja": "挑戦した", "measure_label_ja": "「はい」", "max_asmd_after": 0.4,
    }  # fmt: skip
    return pd.DataFrame(
        [
            {**common, "estimate_type": "raw", "difference_points": 35.3,
             "difference_ci_lower": 17.3, "difference_ci_upper": 50.6,
             "followup_denominator": 32, "comparison_effective_n": 309.0,
             "is_suppressed": False, "is_effective_n_low": None, "is_imbalanced": None},
            {**common, "estimate_type": "like_for_like", "difference_points": None,
             "difference_ci_lower": None, "difference_ci_upper": None,
             "followup_denominator": None, "comparison_effective_n": None,
             "is_suppressed": True, "is_effective_n_low": None, "is_imbalanced": None},
            {**common, "estimate_type": "adjusted", "difference_points": 30.1,
             "difference_ci_lower": 12.0, "difference_ci_upper": 48.0,
             "followup_denominator": 32, "comparison_effective_n": 25.5,
             "is_suppressed": False, "is_effective_n_low": True, "is_imbalanced": True},
        ]
    )  # fmt: skip


def _balance() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"covariate_ja": "年齢", "level_label_ja": "30-34歳", "asmd_before": 0.5,
             "asmd_after": 0.02, "is_suppressed": False},
            {"covariate_ja": "地域", "level_label_ja": "その他", "asmd_before": None,
             "asmd_after": None, "is_suppressed": True},
        ]
    )  # fmt: skip


def test_three_estimates_in_one_row_with_the_trust_flag_and_a_love_plot() -> None:
    data = AdjustedData(_comparison(), pd.DataFrame(), _balance(), min_effective_n=30)
    tables, charts = adjusted_content(data)
    (table,) = tables
    (row,) = table.rows
    assert row[0].value == "⑪挑戦した（「はい」）"
    assert (row[1].value, row[2].value, row[3].value) == (35.3, (17.3, 50.6), 32)
    assert row[4].suppressed and row[7].value == 30.1
    assert "実効N 30 未満" in row[-1].value and "ASMD 0.40" in row[-1].value
    (chart,) = charts
    assert chart.svg.startswith("<svg") and chart.attributes["data-levels"] == "1"


def test_trust_text_says_when_the_adjusted_estimate_meets_both_targets() -> None:
    row = _comparison().iloc[2].copy()
    row["is_effective_n_low"], row["is_imbalanced"] = False, False
    assert trust_text(row, 30) == "目安を満たす"


def test_no_rows_no_content() -> None:
    empty = AdjustedData(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), min_effective_n=30)
    assert adjusted_content(empty) == ([], [])
