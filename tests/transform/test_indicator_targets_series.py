"""Targets and series (fct_indicator_targets, fct_indicator_series) against an independent
computation on generated per-person answers: scipy for Wilson and Newcombe, a statsmodels
logistic regression on one row per answer for the trend.

The input frames have the columns of the fct_indicator_results contract (issue 13): share
measures named by scale_measures.measure_code, a population column.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from impact_warehouse.transform.indicator_series import compute_indicator_series
from impact_warehouse.transform.indicator_targets import TARGET_COLUMNS, compute_indicator_targets

K = 5
YEARS = (2022, 2023, 2024, 2025)
PROGRAMS = ("alpha", "beta")
# Success probability per fiscal year: a rising series.
PROBABILITY = {2022: 0.45, 2023: 0.55, 2024: 0.6, 2025: 0.72}


def _people(seed: int = 7) -> pd.DataFrame:
    """One row per answer: fiscal year, program, the 0–10 score and the two measures."""
    rng = np.random.default_rng(seed)
    rows = []
    for year in YEARS:
        for program in PROGRAMS:
            size = {"alpha": 40, "beta": 25}[program]
            if (year, program) == (2023, "beta"):
                size = 3  # a small cell: below k
            confident = rng.random(size) < PROBABILITY[year]
            rows += [
                {"fiscal_year": year, "program_code": program, "confident": int(hit)}
                for hit in confident
            ]
    people = pd.DataFrame(rows)
    people["wave_type"] = "post"
    people["item_code"] = "confidence"
    return people


def _wilson(x: int, n: int) -> tuple[float, float]:
    z = stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def _results(people: pd.DataFrame) -> pd.DataFrame:
    """fct_indicator_results rows (contract columns) for the generated answers: each program
    and "all", plus a paired-population row the series and targets must ignore."""
    pooled = people.assign(program_code="all")
    counted = (
        pd.concat([people, pooled])
        .groupby(["fiscal_year", "program_code", "wave_type", "item_code"])["confident"]
        .agg(numerator="sum", denominator="count")
        .reset_index()
    )
    bounds = [_wilson(x, n) for x, n in zip(counted.numerator, counted.denominator, strict=True)]
    counted["ci_lower"] = [lower for lower, _ in bounds]
    counted["ci_upper"] = [upper for _, upper in bounds]
    counted["value"] = counted.numerator / counted.denominator
    counted = counted.assign(
        population="respondents",
        scale_code="score10",
        indicator_code="I07",
        measure="confident",
        measure_kind="share",
        is_primary_measure=True,
        good_direction="higher",
    )
    paired = counted.assign(population="paired", numerator=0, value=0.0)
    mean = counted.assign(measure="mean", measure_kind="mean", numerator=pd.NA)
    results = pd.concat([counted, paired, mean], ignore_index=True)
    results["is_suppressed"] = results.denominator < K
    results["indicator_result_key"] = (
        results[["fiscal_year", "program_code", "population", "wave_type", "item_code", "measure"]]
        .astype(str)
        .agg("|".join, axis=1)
    )
    return results


def _wordings() -> pd.DataFrame:
    # The question was reworded from FY2024 on.
    return pd.DataFrame(
        {
            "item_code": ["confidence"] * len(YEARS),
            "fiscal_year": list(YEARS),
            "valid_from_fy": [2022, 2022, 2024, 2024],
        }
    )


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return _people()


@pytest.fixture(scope="module")
def series(people: pd.DataFrame) -> pd.DataFrame:
    return compute_indicator_series(_results(people), _wordings(), K)


def test_series_has_one_row_per_program_year_of_the_respondents_share(series):
    assert len(series) == len(YEARS) * (len(PROGRAMS) + 1)
    assert series.indicator_series_key.is_unique
    assert set(series.population) == {"respondents"}
    assert set(series.measure) == {"confident"}


@pytest.mark.parametrize("program", [*PROGRAMS, "all"])
def test_each_year_difference_matches_newcombe_on_the_answers(series, people, program):
    answers = people if program == "all" else people[people.program_code == program]
    rows = series[series.program_code == program].set_index("fiscal_year")
    assert pd.isna(rows.loc[YEARS[0], "difference_points"])
    for previous_year, year in pairwise(YEARS):
        now = answers[answers.fiscal_year == year].confident
        before = answers[answers.fiscal_year == previous_year].confident
        p1, p0 = now.mean(), before.mean()
        l1, u1 = _wilson(int(now.sum()), len(now))
        l0, u0 = _wilson(int(before.sum()), len(before))
        # Newcombe (1998) method 10: hybrid score interval from the two Wilson intervals.
        lower = p1 - p0 - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
        upper = p1 - p0 + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
        row = rows.loc[year]
        assert row.previous_fiscal_year == previous_year
        assert row.value == pytest.approx(p1, abs=1e-12)
        assert row.difference_points == pytest.approx((p1 - p0) * 100, abs=1e-9)
        assert row.difference_ci_lower == pytest.approx(lower * 100, abs=1e-7)
        assert row.difference_ci_upper == pytest.approx(upper * 100, abs=1e-7)


@pytest.mark.parametrize("program", [*PROGRAMS, "all"])
def test_trend_matches_a_logistic_regression_on_one_row_per_answer(series, people, program):
    answers = people if program == "all" else people[people.program_code == program]
    rows = series[series.program_code == program].set_index("fiscal_year")
    assert rows.loc[[2022, 2023], "trend_odds_ratio"].isna().all()  # fewer than 3 years
    for year in YEARS[2:]:
        upto = answers[answers.fiscal_year <= year]
        fit = sm.Logit(upto.confident, sm.add_constant(upto.fiscal_year.astype(float))).fit(
            disp=False
        )
        lower, upper = np.exp(fit.conf_int().loc["fiscal_year"])
        row = rows.loc[year]
        assert row.trend_years == YEARS.index(year) + 1
        assert row.trend_first_fiscal_year == 2022
        assert row.trend_odds_ratio == pytest.approx(np.exp(fit.params["fiscal_year"]), rel=1e-6)
        assert row.trend_ci_lower == pytest.approx(lower, rel=1e-6)
        assert row.trend_ci_upper == pytest.approx(upper, rel=1e-6)
        assert row.trend_p_value == pytest.approx(fit.pvalues["fiscal_year"], rel=1e-5)


def test_small_cells_flag_the_value_the_differences_and_trends_using_them(series):
    beta = series[series.program_code == "beta"].set_index("fiscal_year")
    assert beta.is_suppressed.tolist() == [False, True, False, False]
    assert beta.is_difference_suppressed.tolist()[1:] == [True, True, False]
    assert beta.is_trend_suppressed.tolist()[2:] == [True, True]
    alpha = series[series.program_code == "alpha"]
    assert not alpha.is_suppressed.any() and not alpha.is_trend_suppressed.fillna(False).any()


def test_the_wording_change_is_marked_on_the_first_year_of_the_new_wording(series):
    rows = series[series.program_code == "all"].set_index("fiscal_year")
    assert rows.is_wording_changed.tolist() == [False, False, True, False]
    assert rows.wording_valid_from_fy.tolist() == [2022, 2022, 2024, 2024]


def test_a_series_where_every_answer_is_the_same_has_no_trend():
    people = _people().assign(confident=1)
    series = compute_indicator_series(_results(people), _wordings(), K)
    assert series.trend_odds_ratio.isna().all()
    assert (series[series.fiscal_year >= 2024].trend_years >= 3).all()


# -- targets --------------------------------------------------------------------------------


def _targets(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([(*row, "出所", None) for row in rows], columns=list(TARGET_COLUMNS))


WAVE_YEARS = pd.DataFrame({"fiscal_year": [*YEARS, 2026], "wave_type": "post"})


@pytest.mark.parametrize(
    ("operator", "target"), [(">=", 0.5), (">=", 0.7), ("<=", 0.6), ("<=", 0.5)]
)
def test_every_year_target_status_and_margin_match_the_answers(people, operator, target):
    targets = _targets(("I07", None, None, "post", "confidence", "confident", operator, target))
    judged = compute_indicator_targets(targets, _results(people), WAVE_YEARS, K)
    assert judged.fiscal_year.tolist() == [*YEARS, 2026]
    for row in judged[judged.fiscal_year.isin(YEARS)].itertuples():
        answers = people[people.fiscal_year == row.fiscal_year].confident
        share = answers.mean()
        meets = share >= target if operator == ">=" else share <= target
        lower, upper = _wilson(int(answers.sum()), len(answers))
        assert row.value == pytest.approx(share, abs=1e-12)
        assert row.status == ("achieved" if meets else "not_achieved")
        assert row.is_within_margin == (lower <= target <= upper)
        assert pd.isna(row.not_judged_reason)
        assert (
            row.indicator_result_key
            == f"{row.fiscal_year}|all|respondents|post|confidence|confident"
        )
    no_data = judged.set_index("fiscal_year").loc[2026]
    assert (no_data.status, no_data.not_judged_reason) == ("not_judged", "no_data")
    assert pd.isna(no_data.is_within_margin)


def test_a_year_target_replaces_the_every_year_target_and_small_cells_are_not_judged(people):
    targets = _targets(
        ("I07", None, "beta", "post", "confidence", "confident", ">=", 0.5),
        ("I07", 2025, "beta", "post", "confidence", "confident", ">=", 0.99),
    )
    judged = compute_indicator_targets(targets, _results(people), WAVE_YEARS, K)
    rows = judged.set_index("fiscal_year")
    assert rows.target_value.tolist() == [0.5, 0.5, 0.5, 0.99, 0.5]
    assert rows.is_every_year_target.tolist() == [True, True, True, False, True]
    assert (rows.loc[2023].status, rows.loc[2023].not_judged_reason) == (
        "not_judged",
        "denominator_below_k",
    )
    assert rows.loc[2025].status == "not_achieved"
    assert judged.indicator_target_key.is_unique


def test_a_row_suppressed_by_the_engine_is_not_judged(people):
    results = _results(people)
    results.loc[results.fiscal_year == 2024, "is_suppressed"] = True
    targets = _targets(("I07", 2024, "all", "post", "confidence", "confident", ">=", 0.1))
    (row,) = compute_indicator_targets(targets, results, WAVE_YEARS, K).itertuples()
    assert (row.status, row.not_judged_reason) == ("not_judged", "suppressed")


def test_no_answers_and_no_targets_give_empty_tables_with_the_contract_columns(people):
    empty = _results(people).iloc[0:0]
    series = compute_indicator_series(empty, _wordings(), K)
    assert series.empty and "indicator_series_key" in series.columns
    targets = compute_indicator_targets(_targets().iloc[0:0], empty, WAVE_YEARS, K)
    assert targets.empty and "status" in targets.columns
