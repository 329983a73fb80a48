"""METRICS.md "Adjusted estimates" on the FY2025 demo warehouse: raw, like-for-like and
adjusted rows for every compared measure, the raw one exactly the published difference, and
the non-response tables for the follow-up wave."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

YEAR = 2025


def frame(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, [YEAR] * sql.count("?")).df()


@pytest.mark.timeout(900)
def test_fy2025_comparison_has_three_estimates_raw_equal_to_published(
    demo_warehouse_path: Path,
) -> None:
    published = frame(
        demo_warehouse_path,
        """select item_code, measure, indicator_symbol, difference_points, denominator
           from reporting.rpt_outcome_results
           where fiscal_year = ? and wave_type = 'followup' and program_code = 'all'
             and population = 'respondents' and measure_kind = 'share'
             and difference_points is not null""",
    )
    adjusted = frame(
        demo_warehouse_path,
        "select * from reporting.rpt_comparison_adjusted where fiscal_year = ?",
    )
    assert set(published.indicator_symbol) >= {"⑪", "⑫", "⑬", "⑭"}
    per_measure = adjusted.groupby(["item_code", "measure"])["estimate_type"].apply(set)
    for row in published.itertuples(index=False):
        assert per_measure[(row.item_code, row.measure)] == {"raw", "like_for_like", "adjusted"}
    raw = adjusted[adjusted.estimate_type == "raw"].merge(
        published, on=["item_code", "measure"], suffixes=("", "_published")
    )
    assert len(raw) == len(published)
    assert raw.difference_points.to_numpy() == pytest.approx(
        raw.difference_points_published.to_numpy(), abs=1e-9
    )
    assert (raw.followup_denominator == raw.denominator).all()
    estimates = adjusted[adjusted.estimate_type == "adjusted"]
    assert (estimates.resamples >= 1000).all()
    assert (estimates.difference_ci_lower <= estimates.difference_ci_upper).all()
    # The panel is screened (metro, full time, …) and some respondents are not: the
    # like-for-like group is smaller than the raw one.
    like = adjusted[adjusted.estimate_type == "like_for_like"]
    assert (like.followup_denominator.dropna() < raw.followup_denominator.max()).all()
    balance = frame(
        demo_warehouse_path, "select * from marts.fct_covariate_balance where fiscal_year = ?"
    )
    assert balance.asmd_before.max() >= 0.1
    printable = adjusted.pivot_table(
        index=["indicator_symbol", "item_code", "measure"],
        columns="estimate_type",
        values=["difference_points", "comparison_effective_n"],
    )
    print(printable.round(1).to_string())
    print(
        "max ASMD before",
        round(balance.asmd_before.max(), 3),
        "after",
        round(balance.asmd_after.max(), 3),
    )


def test_fy2025_nonresponse_tables(demo_warehouse_path: Path) -> None:
    shares = frame(
        demo_warehouse_path,
        "select * from reporting.rpt_nonresponse_weighted_shares where fiscal_year = ?",
    )
    published = frame(
        demo_warehouse_path,
        """select item_code, measure, numerator, denominator from reporting.rpt_outcome_results
           where fiscal_year = ? and wave_type = 'followup' and program_code = 'all'
             and population = 'respondents' and measure_kind = 'share'""",
    )
    merged = shares.merge(published, on=["item_code", "measure"], suffixes=("", "_published"))
    assert len(merged) == len(published) > 0
    assert (merged.denominator == merged.denominator_published).all()
    assert (merged.numerator == merged.numerator_published).all()
    assert (shares.targeted_n == 126).all() and (shares.respondents_n == 32).all()
    balance = frame(
        demo_warehouse_path,
        "select * from marts.fct_nonresponse_balance where fiscal_year = ?",
    )
    assert {"program", "cohort_year", "employment_status"} <= set(balance.variable)
    print(
        shares[["item_code", "measure", "value", "weighted_value", "effective_n"]]
        .round(3)
        .to_string()
    )
