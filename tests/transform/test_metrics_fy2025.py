"""The outcome figures of the FY2025 report, read from the built warehouse, and the
statistics and small-cell suppression behind them.

The demo data (seed 2025, as of 2026-11-23; the shared ``demo_warehouse_for_seed`` fixture
lands and builds it once per session) reproduce every figure of METRICS.md "Figures of the
FY2025 report". Each one is looked up in the published reporting models (or the marts they
come from) and must be within 0.1 point of the report. The intervals and p-values in
``fct_indicator_results`` and ``fct_time_use`` are recomputed here with scipy and
statsmodels from the answers behind them. Suppression is checked on a constructed table
(the macro alone), on the demo warehouse (no published cell can be recovered by
subtraction) and on a build with a larger k.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import run_dbt

YEAR = 2025
POINT = 0.1  # METRICS.md figures are checked to within 0.1 percentage point
K = 5  # var suppression_k default
ABOVE_80 = math.nextafter(80.0, 100.0)  # the report's "80%を超えている"
RECOVERY_CHECKED_MODELS = {
    # model: (columns that partition its cells into programs adding up to 'all')
    "rpt_short_term_outcomes": ["fiscal_year", "item_code"],
    "rpt_pre_post_confidence": ["fiscal_year", "population", "item_code", "wave_type"],
    "rpt_mid_term_outcomes": ["fiscal_year", "item_code", "measure"],
    "rpt_mommy_track": ["fiscal_year", "item_code"],
}


def frame(database: Path, sql: str, parameters: list[Any] | None = None) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).df()


def scalar(database: Path, sql: str, parameters: list[Any] | None = None) -> Any:
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(sql, parameters or []).fetchall()
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {sql}"
    return rows[0][0]


def percent(value: float) -> float:
    return value * 100


# --------------------------------------------------------------- FY2025 report figures


def short_term_share(warehouse: Path, item_code: str) -> float:
    return scalar(
        warehouse,
        "select share from reporting.rpt_short_term_outcomes "
        "where fiscal_year = ? and program_code = 'all' and item_code = ? and not is_suppressed",
        [YEAR, item_code],
    )


def confidence_share(warehouse: Path, item_code: str, wave_type: str, column: str) -> float:
    return scalar(
        warehouse,
        f"select {column} from reporting.rpt_pre_post_confidence "
        "where fiscal_year = ? and program_code = 'all' and population = 'respondents' "
        "and item_code = ? and wave_type = ? and not is_suppressed",
        [YEAR, item_code, wave_type],
    )


def mid_term(warehouse: Path, item_code: str, column: str) -> float:
    return scalar(
        warehouse,
        f"select {column} from reporting.rpt_mid_term_outcomes "
        "where fiscal_year = ? and program_code = 'all' and item_code = ? "
        "and is_primary_measure and not is_suppressed",
        [YEAR, item_code],
    )


def test_post_response_rates(demo_warehouse_path: Path) -> None:
    rates = frame(
        demo_warehouse_path,
        "select breakdown_code, targeted, responded from marts.fct_response_rates "
        "where fiscal_year = ? and wave_type = 'post' and breakdown_level = 'program'",
        [YEAR],
    ).set_index("breakdown_code")
    assert tuple(rates.loc["mamabono"]) == (32, 24)
    assert tuple(rates.loc["npo_mentoring"]) == (20, 20)
    published = frame(
        demo_warehouse_path,
        "select program_code, max(response_rate) as response_rate "
        "from reporting.rpt_short_term_outcomes where fiscal_year = ? group by program_code",
        [YEAR],
    ).set_index("program_code")["response_rate"]
    assert percent(published["mamabono"]) == pytest.approx(75.0, abs=POINT)
    assert percent(published["npo_mentoring"]) == pytest.approx(100.0, abs=POINT)


def test_career_confidence_and_anxiety_before_and_after(demo_warehouse_path: Path) -> None:
    # METRICS.md: these three are per-wave (unpaired) shares.
    pre = confidence_share(demo_warehouse_path, "career_confidence", "pre", "share_confident")
    post = confidence_share(demo_warehouse_path, "career_confidence", "post", "share_confident")
    anxious = confidence_share(demo_warehouse_path, "return_anxiety", "pre", "share_anxious")
    assert percent(pre) == pytest.approx(51.1, abs=POINT)
    assert percent(post) == pytest.approx(75.6, abs=POINT)
    assert percent(anxious) == pytest.approx(56.3, abs=POINT)
    strongly_anxious = scalar(
        demo_warehouse_path,
        "select respondents from reporting.rpt_pre_post_confidence where fiscal_year = ? "
        "and program_code = 'all' and population = 'paired_strongly_anxious_at_pre' "
        "and item_code = 'return_anxiety' and wave_type = 'pre'",
        [YEAR],
    )
    assert strongly_anxious == 6
    assert (
        scalar(
            demo_warehouse_path,
            "select numerator from marts.fct_indicator_results where fiscal_year = ? "
            "and program_code = 'all' and population = 'respondents' and wave_type = 'pre' "
            "and item_code = 'return_anxiety' and measure = 'strongly_anxious'",
            [YEAR],
        )
        == 6
    )


@pytest.mark.parametrize(
    ("item_code", "low", "high"),
    [
        ("perspective_broadened", 90.0, 100.0),  # ④ ≥90%
        ("learning_gained", 90.0, 100.0),
        ("skill_recognised", 87.8 - POINT, 87.8 + POINT),
        ("social_issue_interest", ABOVE_80, 100.0),  # ⑤ >80%
        ("volunteering_interest", ABOVE_80, 100.0),
        ("npo_view_changed", ABOVE_80, 100.0),
        ("anxiety_relieved", 66.7 - POINT, 66.7 + POINT),  # ⑥
        ("work_sense_regained", 65.0, 100.0),  # ⑥ ≥65%
        ("leadership_confidence", 65.0, 100.0),
        ("working_parent_practice", 16.5, 17.5),  # ⑧ 17%
        ("social_connection_felt", 95.0 - POINT, 95.0 + POINT),  # ⑨
        ("social_usefulness_felt", 83.3 - POINT, 83.3 + POINT),  # ⑨ 83%
    ],
)
def test_short_term_positive_shares(
    demo_warehouse_path: Path, item_code: str, low: float, high: float
) -> None:
    share = percent(short_term_share(demo_warehouse_path, item_code))
    assert low <= share <= high


def test_follow_up_and_comparison_sizes(demo_warehouse_path: Path) -> None:
    targeted, responded = (
        frame(
            demo_warehouse_path,
            "select targeted, responded from marts.fct_response_rates "
            "where wave_code = 'followup_2025' and breakdown_level = 'all'",
        )
        .iloc[0]
        .tolist()
    )
    assert (targeted, responded) == (126, 32)
    rate = mid_term(demo_warehouse_path, "challenged_at_work", "response_rate")
    assert percent(rate) == pytest.approx(25.4, abs=POINT)
    assert (
        scalar(
            demo_warehouse_path,
            "select max(comparison_respondents) from reporting.rpt_mid_term_outcomes "
            "where fiscal_year = ? and program_code = 'all'",
            [YEAR],
        )
        == 309
    )
    assert mid_term(demo_warehouse_path, "challenged_at_work", "respondents") == 32


@pytest.mark.parametrize(
    ("item_code", "low", "high"),
    [
        ("challenged_at_work", 35.3 - POINT, 35.3 + POINT),  # ⑪
        ("wants_challenge_at_work", 57.7 - POINT, 57.7 + POINT),
        ("challenged_in_private", 38.9 - POINT, 38.9 + POINT),  # ⑫
        ("wants_challenge_in_private", 53.5 - POINT, 53.5 + POINT),
        ("connections_widened", 44.4 - POINT, 44.4 + POINT),  # ⑭
        ("wants_wider_connections", 48.0 - POINT, 48.0 + POINT),
        ("career_confidence", 39.5, 40.5),  # ⑬ about +40
    ],
)
def test_differences_to_the_comparison_group(
    demo_warehouse_path: Path, item_code: str, low: float, high: float
) -> None:
    assert low <= mid_term(demo_warehouse_path, item_code, "difference_points") <= high


def test_follow_up_shares(demo_warehouse_path: Path) -> None:
    self_care = mid_term(demo_warehouse_path, "self_care_as_parent", "share")
    useful = mid_term(demo_warehouse_path, "social_usefulness_felt", "share")
    assert percent(self_care) == pytest.approx(90.0, abs=POINT)
    assert percent(useful) == pytest.approx(60.0, abs=POINT)


def test_partner_housework_time(demo_warehouse_path: Path) -> None:
    participants = frame(
        demo_warehouse_path,
        "select * from reporting.rpt_time_use where fiscal_year = ? "
        "and respondent_group = 'followup'",
        [YEAR],
    ).iloc[0]
    assert 0.55 <= participants["partner_difference_hours"] <= 0.65
    assert participants["partner_share_difference_points"] == pytest.approx(2.1, abs=POINT)
    reference = frame(
        demo_warehouse_path,
        "select * from reporting.rpt_time_use where fiscal_year = ? "
        "and respondent_group = 'national_reference'",
        [YEAR],
    ).iloc[0]
    assert (reference["partner_hours_mean"], reference["self_hours_mean"]) == pytest.approx(
        (114 / 60, 391 / 60)
    )
    assert "社会生活基本調査" in reference["source_ja"]
    assert "Secondary source" in reference["source_note_en"]


def test_summary_carries_the_headlines(demo_warehouse_path: Path) -> None:
    summary = frame(
        demo_warehouse_path,
        "select figure_code, measure, value, baseline_value, difference "
        "from reporting.rpt_summary where fiscal_year = ? and (baseline_wave_type is "
        "distinct from 'comparison' or figure_code <> 'career_confidence')",
        [YEAR],
    ).set_index(["figure_code", "measure"])
    confidence = summary.loc[("career_confidence", "confident")]
    assert percent(confidence["baseline_value"]) == pytest.approx(51.1, abs=POINT)
    assert percent(confidence["value"]) == pytest.approx(75.6, abs=POINT)
    assert percent(summary.loc[("skill_recognised", "agree"), "value"]) == pytest.approx(
        87.8, abs=POINT
    )
    assert summary.loc[("wants_challenge_at_work", "agree"), "difference"] == (
        pytest.approx(57.7, abs=POINT)
    )
    assert 0.55 <= summary.loc[("partner_housework_hours", "mean"), "difference"] <= 0.65
    assert summary.loc[("partner_housework_share", "partner_share"), "difference"] == (
        pytest.approx(2.1, abs=POINT)
    )
    indicators = frame(
        demo_warehouse_path,
        "select distinct indicator_code from reporting.rpt_summary where fiscal_year = ?",
        [YEAR],
    )["indicator_code"]
    assert set(indicators) == {f"I{number:02d}" for number in range(4, 16)}


# ------------------------------------------- the statistics equal scipy and statsmodels


@pytest.fixture(scope="module")
def indicator_results(demo_warehouse_path: Path) -> pd.DataFrame:
    return frame(demo_warehouse_path, "select * from marts.fct_indicator_results")


def test_shares_recount_from_the_answers(
    demo_warehouse_path: Path, indicator_results: pd.DataFrame
) -> None:
    """Numerators and denominators, recounted with METRICS.md's rules from fct_answers."""
    answers = frame(
        demo_warehouse_path,
        "select fiscal_year, program_code, wave_type, item_code, scale_code, value_numeric "
        "from marts.fct_answers where is_counted and value_numeric is not null",
    )
    rules = {
        ("likert4", "agree"): lambda v: v >= 3,
        ("yesno", "yes"): lambda v: v == 1,
        ("score10", "confident"): lambda v: v >= 6,
        ("score10", "high"): lambda v: v >= 8,
        ("anxiety10", "anxious"): lambda v: v <= 5,
        ("anxiety10", "strongly_anxious"): lambda v: v <= 3,
    }
    pooled = pd.concat(
        [answers[answers["program_code"].notna()], answers.assign(program_code="all")]
    )
    expected = {}
    for (scale_code, measure), rule in rules.items():
        on_scale = pooled[pooled["scale_code"] == scale_code]
        counts = on_scale.assign(hit=rule(on_scale["value_numeric"])).groupby(
            ["fiscal_year", "program_code", "wave_type", "item_code"]
        )["hit"]
        for key, numerator in counts.sum().items():
            expected[(*key, measure)] = (int(numerator), int(counts.size()[key]))
    shares = indicator_results[
        indicator_results["measure"].isin({m for _, m in rules})
        & (indicator_results["population"] == "respondents")
    ]
    actual = {
        (row.fiscal_year, row.program_code, row.wave_type, row.item_code, row.measure): (
            row.numerator,
            row.denominator,
        )
        for row in shares.itertuples()
    }
    assert actual == expected


def test_wilson_intervals_match_statsmodels(indicator_results: pd.DataFrame) -> None:
    shares = indicator_results[indicator_results["numerator"].notna()]
    assert len(shares) > 100
    lower, upper = proportion_confint(
        shares["numerator"].astype(float), shares["denominator"].astype(float), method="wilson"
    )
    np.testing.assert_allclose(shares["ci_lower"], lower, atol=1e-12)
    np.testing.assert_allclose(shares["ci_upper"], upper, atol=1e-12)
    np.testing.assert_allclose(shares["value"], shares["numerator"] / shares["denominator"])


def test_newcombe_and_fisher_match_scipy_and_statsmodels(
    indicator_results: pd.DataFrame,
) -> None:
    followup = indicator_results[
        (indicator_results["wave_type"] == "followup")
        & (indicator_results["measure_kind"] == "share")
    ]
    # A follow-up without a comparison wave that year (FY2024) has nothing to compare.
    compared = followup[followup["comparison_denominator"].notna()]
    assert len(compared[compared["fiscal_year"] == YEAR]) >= 16
    assert followup.loc[followup["comparison_denominator"].isna(), "p_value"].isna().all()
    for row in compared.itertuples():
        x1, n1, x2, n2 = (
            int(row.numerator),
            int(row.denominator),
            int(row.comparison_numerator),
            int(row.comparison_denominator),
        )
        lower, upper = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb")
        assert row.difference_points == pytest.approx((x1 / n1 - x2 / n2) * 100, abs=1e-9)
        assert (row.difference_ci_lower, row.difference_ci_upper) == pytest.approx(
            (lower * 100, upper * 100), abs=1e-9
        )
        fisher = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
        assert row.p_value == pytest.approx(fisher, rel=1e-12)
        assert row.test_name == "fisher_exact"


@pytest.fixture(scope="module")
def pairs(demo_warehouse_path: Path) -> pd.DataFrame:
    paired = frame(demo_warehouse_path, "select * from marts.fct_paired_scores where is_paired")
    return pd.concat([paired, paired.assign(program_code="all")])


def test_mcnemar_matches_statsmodels(indicator_results: pd.DataFrame, pairs: pd.DataFrame) -> None:
    positive = {"score10": lambda v: v >= 6, "anxiety10": lambda v: v <= 5}
    rows = indicator_results[
        (indicator_results["population"] == "paired") & indicator_results["is_primary_measure"]
    ]
    assert len(rows) > 0
    for row in rows.itertuples():
        group = pairs[
            (pairs["fiscal_year"] == row.fiscal_year)
            & (pairs["program_code"] == row.program_code)
            & (pairs["item_code"] == row.item_code)
        ]
        rule = positive[row.scale_code]
        pre, post = rule(group["pre_value"]), rule(group["post_value"])
        table = [
            [(pre & post).sum(), (pre & ~post).sum()],
            [(~pre & post).sum(), (~pre & ~post).sum()],
        ]
        assert row.p_value == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-12)
        wave = pre if row.wave_type == "pre" else post
        assert (row.numerator, row.denominator) == (wave.sum(), len(group))


def test_wilcoxon_matches_scipy(indicator_results: pd.DataFrame, pairs: pd.DataFrame) -> None:
    rows = indicator_results[indicator_results["measure"] == "mean_shift"]
    assert set(rows["wave_type"]) == {"post"}
    for row in rows.itertuples():
        differences = pairs[
            (pairs["fiscal_year"] == row.fiscal_year)
            & (pairs["program_code"] == row.program_code)
            & (pairs["item_code"] == row.item_code)
        ]["difference"].to_numpy(dtype=float)
        assert row.value == pytest.approx(differences.mean())
        assert row.denominator == len(differences)
        expected = stats.wilcoxon(differences, zero_method="pratt").pvalue
        assert row.p_value == pytest.approx(expected, rel=1e-12)
        half_width = stats.t.ppf(0.975, len(differences) - 1) * stats.sem(differences)
        assert (row.ci_lower, row.ci_upper) == pytest.approx(
            (differences.mean() - half_width, differences.mean() + half_width)
        )


def test_time_use_means_and_intervals_match_scipy(demo_warehouse_path: Path) -> None:
    hours = frame(
        demo_warehouse_path,
        "select wave_type, respondent_key, item_code, value_numeric from marts.fct_answers "
        "where fiscal_year = ? and is_counted and scale_code = 'hours'",
        [YEAR],
    ).pivot_table(
        index=["wave_type", "respondent_key"], columns="item_code", values="value_numeric"
    )
    complete = hours.dropna()
    weekly = pd.DataFrame(
        {
            "self": (
                5 * complete["housework_hours_weekday_self"]
                + 2 * complete["housework_hours_weekend_self"]
            )
            / 7,
            "partner": (
                5 * complete["housework_hours_weekday_partner"]
                + 2 * complete["housework_hours_weekend_partner"]
            )
            / 7,
        }
    )
    published = frame(
        demo_warehouse_path,
        "select * from marts.fct_time_use where fiscal_year = ?",
        [YEAR],
    ).set_index("respondent_group")
    for group in ("followup", "comparison"):
        people = weekly.loc[group]
        row = published.loc[group]
        assert row["respondents"] == len(people)
        for spouse in ("self", "partner"):
            values = people[spouse]
            half_width = stats.t.ppf(0.975, len(values) - 1) * stats.sem(values)
            assert row[f"{spouse}_hours_mean"] == pytest.approx(values.mean(), abs=1e-12)
            assert (row[f"{spouse}_hours_ci_lower"], row[f"{spouse}_hours_ci_upper"]) == (
                pytest.approx((values.mean() - half_width, values.mean() + half_width), abs=1e-6)
            )
        share = people["partner"].mean() / (people["self"].mean() + people["partner"].mean())
        assert row["partner_share"] == pytest.approx(share, abs=1e-12)
    assert len(weekly.loc["followup"]) == 29 and len(weekly.loc["comparison"]) == 308


# ------------------------------------------------------------------ small-cell suppression


def recoverable_cells(cells: pd.DataFrame, partition: list[str], k: int = K) -> list[str]:
    """Cells a reader could get back from the published ones by subtraction: a single
    suppressed program next to a published total, suppressed programs that together hold
    fewer than k people, or a suppressed total whose programs are all published."""
    problems = []
    for key, group in cells.groupby(partition):
        total = group[group["program_code"] == "all"]
        parts = group[group["program_code"] != "all"]
        hidden = parts[parts["is_suppressed"]]
        total_published = len(total) == 1 and not total["is_suppressed"].iloc[0]
        if total_published and len(hidden) == 1:
            problems.append(f"{key}: {hidden['program_code'].iloc[0]} = total − others")
        known_size = hidden["size"].notna().all()
        if total_published and known_size and 0 < hidden["size"].sum() < k:
            problems.append(f"{key}: suppressed programs hold {hidden['size'].sum()} < k")
        if len(total) == 1 and not total_published and len(parts) and hidden.empty:
            problems.append(f"{key}: suppressed total = sum of its programs")
    return problems


# The true size of each published cell, from the marts (rpt_pre_post_confidence's nested
# populations have their own test below, so only its program partition is checked).
CELL_SIZES = {
    "rpt_short_term_outcomes": (
        "select fiscal_year, item_code, program_code, denominator as size "
        "from marts.fct_indicator_results where wave_type = 'post' "
        "and population = 'respondents' and is_primary_measure"
    ),
    "rpt_mid_term_outcomes": (
        "select fiscal_year, item_code, measure, program_code, "
        "least(denominator, coalesce(comparison_denominator, denominator)) as size "
        "from marts.fct_indicator_results "
        "where wave_type = 'followup' and population = 'respondents'"
    ),
    "rpt_mommy_track": (
        "select fiscal_year, item_code, program_code, "
        "least(denominator, coalesce(comparison_denominator, denominator)) as size "
        "from marts.fct_indicator_results "
        "where wave_type = 'followup' and population = 'respondents' and is_primary_measure"
    ),
}


def suppression_cells(database: Path, model: str) -> pd.DataFrame:
    """Published flags of a reporting model next to the true size of every cell."""
    partition = RECOVERY_CHECKED_MODELS[model]
    published = frame(
        database,
        f"select {', '.join(partition)}, program_code, is_suppressed from reporting.{model}",
    )
    if model not in CELL_SIZES:
        return published.assign(size=np.nan)
    sizes = frame(database, CELL_SIZES[model])
    return published.merge(sizes, on=[*partition, "program_code"], how="left")


@pytest.mark.parametrize("model", sorted(RECOVERY_CHECKED_MODELS))
def test_no_published_cell_gives_back_a_suppressed_one(
    demo_warehouse_path: Path, model: str
) -> None:
    cells = suppression_cells(demo_warehouse_path, model)
    assert recoverable_cells(cells, RECOVERY_CHECKED_MODELS[model]) == []


@pytest.mark.parametrize(
    "model", ["rpt_short_term_outcomes", "rpt_pre_post_confidence", "rpt_mid_term_outcomes"]
)
def test_suppressed_cells_are_null_never_zero(demo_warehouse_path: Path, model: str) -> None:
    rows = frame(demo_warehouse_path, f"select * from reporting.{model} where is_suppressed")
    assert len(rows) or model != "rpt_pre_post_confidence"
    figures = rows.select_dtypes("number").drop(
        columns=["fiscal_year", "display_order"], errors="ignore"
    )
    assert figures.isna().all().all()


def test_nested_populations_never_differ_by_a_small_group(demo_warehouse_path: Path) -> None:
    """A group defined by an answer (strongly anxious at pre) is published only when the
    paired it leaves out are none or at least k, so subtracting it from the paired gives back
    no small group. The paired and the per-wave respondents are each published under their
    own k (METRICS.md "Small cells": response patterns are not a differencing group)."""
    rows = frame(
        demo_warehouse_path,
        "select fiscal_year, program_code, item_code, wave_type, population, respondents "
        "from reporting.rpt_pre_post_confidence where not is_suppressed",
    )
    sizes = rows.pivot_table(
        index=["fiscal_year", "program_code", "item_code", "wave_type"],
        columns="population",
        values="respondents",
    )
    outer, inner = "paired", "paired_strongly_anxious_at_pre"
    assert outer in sizes and inner in sizes
    left_out = (sizes[outer] - sizes[inner]).dropna()
    assert not left_out.empty
    assert not ((left_out > 0) & (left_out < K)).any(), (outer, inner)
    # The FY2025 pooled pairs differ from the respondents by fewer than k people, and are
    # published all the same.
    pooled = sizes.loc[(2025, "all")].dropna(subset=["paired"])
    assert not pooled.empty and (pooled["paired"] >= K).all()
    assert ((pooled["respondents"] - pooled["paired"]).between(1, K - 1)).any()


# The macro on its own, over constructed cells: (case, program_code, size) and the flags.
CONSTRUCTED_CELLS = [
    # A cohort of 4 next to one of 30: both hidden, the total shown.
    ("cohort_of_four", "all", 34, False),
    ("cohort_of_four", "mamabono", 30, True),
    ("cohort_of_four", "npo_mentoring", 4, True),
    # One small program among three: the next smallest is hidden too, the largest shown.
    ("one_small_of_three", "all", 50, False),
    ("one_small_of_three", "a", 3, True),
    ("one_small_of_three", "b", 40, False),
    ("one_small_of_three", "c", 7, True),
    # Two small programs holding 3 together: a third is hidden so the hidden hold ≥ k.
    ("two_small_of_three", "all", 43, False),
    ("two_small_of_three", "a", 1, True),
    ("two_small_of_three", "b", 2, True),
    ("two_small_of_three", "c", 40, True),
    # A total with a single small part: both hidden.
    ("single_part", "all", 3, True),
    ("single_part", "a", 3, True),
    # Nothing small: everything shown.
    ("nothing_small", "all", 50, False),
    ("nothing_small", "a", 20, False),
    ("nothing_small", "b", 30, False),
]


def compile_inline(sql: str, work: Path) -> str:
    run = run_dbt(
        ["compile", "--inline", sql],
        paths(),
        target_path=work / "compile-target",
        duckdb_path=work / "compile.duckdb",
        landing_dir=work / "landing",
    )
    return run.result.results[0].node.compiled_code


def test_suppression_macro_on_constructed_cells(tmp_path: Path) -> None:
    values = ", ".join(
        f"('{case}', '{program}', {size})" for case, program, size, _ in CONSTRUCTED_CELLS
    )
    sql = compile_inline(
        f"with cells as (select * from (values {values}) as t(case_code, program_code, size)) "
        "{{ suppression_flags('cells', partition_by=['case_code'], cell_key='program_code', "
        "cell_size='size') }}",
        tmp_path,
    )
    with duckdb.connect() as connection:
        flags = connection.execute(sql).df()
    flagged = {
        (row.case_code, row.program_code): (row.is_suppressed, row.suppression_reason)
        for row in flags.itertuples()
    }
    for case, program, size, suppressed in CONSTRUCTED_CELLS:
        is_suppressed, reason = flagged[(case, program)]
        assert is_suppressed == suppressed, (case, program)
        if size < K:
            assert reason == "denominator_below_k"
        elif suppressed:
            assert reason == "complementary"
    cells = pd.DataFrame(
        [(case, program, size) for case, program, size, _ in CONSTRUCTED_CELLS],
        columns=["case_code", "program_code", "size"],
    ).merge(flags[["case_code", "program_code", "is_suppressed"]])
    assert recoverable_cells(cells, ["case_code"]) == []


def test_a_distribution_category_is_never_left_alone(tmp_path: Path) -> None:
    """Categories of a distribution with a total cell: a small category drags another."""
    sql = compile_inline(
        "with cells as (select * from (values ('q1', 'total', 20), ('q1', 'agree', 12), "
        "('q1', 'somewhat', 6), ('q1', 'disagree', 2)) as t(item, category, n)) "
        "{{ suppression_flags('cells', partition_by=['item'], cell_key='category', "
        "cell_size='n', total_key='total') }}",
        tmp_path,
    )
    with duckdb.connect() as connection:
        hidden = {
            category
            for category, suppressed in connection.execute(
                f"select category, is_suppressed from ({sql}) as flags"
            ).fetchall()
            if suppressed
        }
    assert hidden == {"disagree", "somewhat"}


@pytest.fixture(scope="module")
def strict_warehouse(
    demo_warehouse_for_seed: Callable[[int], Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """The demo built with k = 21: FY2025's 20 mentoring respondents become a small cell."""
    landing = demo_warehouse_for_seed(YEAR).landing
    work = tmp_path_factory.mktemp("strict-k")
    database = work / "strict.duckdb"
    run_dbt(
        [
            *("build", "--select", "+rpt_summary", "+rpt_mommy_track"),
            *("--indirect-selection", "cautious"),
        ],
        paths(),
        target_path=work / "target",
        duckdb_path=database,
        landing_dir=landing,
        vars={"suppression_k": 21},
    )
    return database


@pytest.mark.slow
def test_suppression_k_is_configurable(strict_warehouse: Path) -> None:
    flags = frame(
        strict_warehouse,
        "select program_code, is_suppressed, suppression_reason, share "
        "from reporting.rpt_short_term_outcomes "
        "where fiscal_year = ? and item_code = 'skill_recognised'",
        [YEAR],
    ).set_index("program_code")
    # mentoring: 19 answers < 21; mamabono (22) hidden with it; 'all' (41) shown.
    assert flags.loc["npo_mentoring", "suppression_reason"] == "denominator_below_k"
    assert flags.loc["mamabono", "suppression_reason"] == "complementary"
    assert flags.loc[["npo_mentoring", "mamabono"], "share"].isna().all()
    assert not flags.loc["all", "is_suppressed"]
    # The Python model reads the same var: its primary flag follows k.
    mentoring = frame(
        strict_warehouse,
        "select is_suppressed from marts.fct_indicator_results where fiscal_year = ? "
        "and program_code = 'npo_mentoring' and wave_type = 'post' "
        "and population = 'respondents' and item_code = 'skill_recognised' "
        "and measure = 'agree'",
        [YEAR],
    )
    assert mentoring["is_suppressed"].tolist() == [True]
    for model, partition in RECOVERY_CHECKED_MODELS.items():
        cells = suppression_cells(strict_warehouse, model)
        assert recoverable_cells(cells, partition, k=21) == [], model
