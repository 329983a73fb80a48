"""METRICS.md "Adjusted estimates": the non-response weights and the adjusted comparison
against independent computations, and seeded simulations with a known selection mechanism
(the weighted estimates cover the truth, the raw ones do not)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from adjusted_fixtures import comparison_sample, nonresponse_sample, yesno_rules

from impact_warehouse.transform.comparison_adjustment import (
    _locator,
    compute_comparison_adjustment,
    compute_covariate_balance,
)
from impact_warehouse.transform.nonresponse import baseline_profiles, compute_nonresponse
from impact_warehouse.transform.weighting import MISSING, kish_n, rake, trimmed, wilson

SIMULATIONS = 100
# The simulation refits the weights in every resample as the build does, with fewer resamples
# than the published 1,000 so that 100 simulations stay within a minute or two.
SIMULATION_RESAMPLES = 200


def test_nonresponse_weights_match_a_direct_statsmodels_fit() -> None:
    frames, _ = nonresponse_sample(np.random.default_rng(7), 240)
    balance, shares = compute_nonresponse(**frames, rules=yesno_rules(), min_effective_n=30)
    targets = frames["wave_targets"]
    responded = targets["participant_key"].isin(frames["responses"]["participant_key"])
    answers = frames["answers"]
    pre = answers[answers.wave_type == "pre"].set_index("respondent_key")["value_numeric"]
    employment = frames["participation"].set_index("participant_key")["employment_status_code"]
    # The same model written out by hand: intercept + non-reference level indicators.
    design = np.column_stack(
        [
            np.ones(len(targets)),
            (targets["program_code"] != targets["program_code"].mode()[0]).to_numpy(float),
            (employment.loc[targets["participant_key"]].to_numpy() != employment.mode()[0]).astype(
                float
            ),
            (
                pre.loc[targets["participant_key"]].to_numpy()
                != (pre.loc[targets["participant_key"]].mode()[0])
            ).astype(float),
        ]
    )
    p = sm.Logit(responded.to_numpy(float), design).fit(disp=0).predict(design)
    w = 1 / p[responded.to_numpy()]
    w = np.minimum(w, 5 * w.mean())
    outcome = frames["answers"].query("wave_type == 'followup'").set_index("respondent_key")
    y = (outcome.loc[targets["participant_key"][responded], "value_numeric"] == 1).to_numpy()
    row = shares.iloc[0]
    assert row["weighting_method"] == "logistic"
    assert row["weighted_value"] == pytest.approx((w * y).sum() / w.sum(), rel=1e-6)
    assert row["effective_n"] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-6)
    assert row["value"] == pytest.approx(y.mean())
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx(
        wilson(row["weighted_value"], row["effective_n"])
    )
    assert set(balance["variable"]) == {"program", "cohort_year", "employment_status", "pre:base"}
    before = balance.set_index(["variable", "level"]).loc[("pre:base", "yes")]
    shares_r = before["respondent_share"], before["nonrespondent_share"]
    spread = np.sqrt(sum(s * (1 - s) for s in shares_r) / 2)
    assert before["smd"] == pytest.approx((shares_r[0] - shares_r[1]) / spread)


def test_primitives_against_their_formulas() -> None:
    weights = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_n(weights) == pytest.approx(64 / 22)
    assert trimmed(np.array([1.0] * 9 + [100.0])).max() == pytest.approx(5 * 10.9)
    # Wilson on an integer n equals statsmodels' Wilson interval.
    from statsmodels.stats.proportion import proportion_confint

    assert wilson(0.3, 50) == pytest.approx(proportion_confint(15, 50, method="wilson"))
    import pandas as pd

    frame = pd.DataFrame({"a": ["x", "x", "y", "y"], "b": ["u", "v", "u", "u"]})
    raked = rake(
        frame,
        ["a", "b"],
        {"a": pd.Series({"x": 0.5, "y": 0.5}), "b": pd.Series({"u": 0.7, "v": 0.3})},
    )
    assert raked[frame.a == "x"].sum() / raked.sum() == pytest.approx(0.5)
    assert raked[frame.b == "v"].sum() / raked.sum() == pytest.approx(0.3)


def test_adjusted_comparison_equals_post_stratification_on_one_covariate() -> None:
    """One categorical covariate: the logistic model is saturated, so the odds weights are
    exactly the cell ratios and the adjusted panel share is the panel's share per band
    averaged over the follow-up respondents' band distribution."""
    answers, covariates = comparison_sample(np.random.default_rng(3), 120, 260)
    result, balance = compute_comparison_adjustment(
        answers, covariates, yesno_rules(), min_effective_n=30, resamples=50
    )
    pivot = answers.pivot_table(
        index=["wave_type", "respondent_key"], columns="item_code", values="value_numeric"
    ).reset_index()
    follow, panel = pivot[pivot.wave_type == "followup"], pivot[pivot.wave_type == "comparison"]
    distribution = follow["band"].value_counts(normalize=True)
    per_band = panel.groupby("band")["outcome"].mean()
    expected = float((distribution * per_band).sum())
    rows = result.set_index("estimate_type")
    assert rows.loc["adjusted", "comparison_value"] == pytest.approx(expected, rel=1e-6)
    assert rows.loc["adjusted", "difference_points"] == pytest.approx(
        (follow["outcome"].mean() - expected) * 100, rel=1e-6
    )
    counts = panel["band"].value_counts()
    w = (distribution / counts).loc[panel["band"]].to_numpy()
    assert rows.loc["adjusted", "comparison_effective_n"] == pytest.approx(kish_n(w), rel=1e-6)
    assert rows.loc["raw", "difference_points"] == pytest.approx(
        (follow["outcome"].mean() - panel["outcome"].mean()) * 100
    )
    like = follow[follow["band"].isin([1, 2])]
    assert rows.loc["like_for_like", "followup_denominator"] == len(like)
    assert balance["asmd_after"].max() == pytest.approx(0, abs=1e-9)
    assert bool(rows.loc["adjusted", "is_trustworthy"])


def test_a_panel_missing_a_participant_level_is_flagged_not_trustworthy() -> None:
    answers, covariates = comparison_sample(np.random.default_rng(5), 80, 120)
    answers = answers[
        ~(
            (answers.wave_type == "comparison")
            & answers.respondent_key.isin(
                answers.query("item_code == 'band' and value_numeric == 3").respondent_key
            )
        )
    ]
    result, balance = compute_comparison_adjustment(
        answers, covariates, yesno_rules(), min_effective_n=30, resamples=50
    )
    adjusted = result.set_index("estimate_type").loc["adjusted"]
    assert bool(adjusted["is_imbalanced"]) and not bool(adjusted["is_trustworthy"])
    assert balance.set_index("level").loc["3", "asmd_after"] >= 0.1


def test_nonresponse_weighting_covers_the_true_share_where_raw_does_not() -> None:
    rng = np.random.default_rng(2025)
    weighted_hits = raw_hits = 0
    for _ in range(SIMULATIONS):
        frames, truth = nonresponse_sample(rng, 400)
        _, shares = compute_nonresponse(**frames, rules=yesno_rules(), min_effective_n=30)
        row = shares.iloc[0]
        weighted_hits += row["ci_lower"] <= truth <= row["ci_upper"]
        raw_low, raw_high = wilson(row["value"], row["denominator"])
        raw_hits += raw_low <= truth <= raw_high
    print(
        f"non-response: weighted coverage {weighted_hits}/{SIMULATIONS}, "
        f"raw coverage {raw_hits}/{SIMULATIONS}"
    )
    assert weighted_hits >= 0.9 * SIMULATIONS
    assert raw_hits <= 0.5 * SIMULATIONS


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_adjusted_comparison_covers_the_true_difference_where_raw_does_not() -> None:
    rng = np.random.default_rng(15)
    adjusted_hits = raw_hits = 0
    truth = 10.0  # points: participants answer yes 0.1 more often than panel members alike
    for simulation in range(SIMULATIONS):
        answers, covariates = comparison_sample(rng, 150, 300, effect=truth / 100)
        result, _ = compute_comparison_adjustment(
            answers,
            covariates,
            yesno_rules(),
            min_effective_n=30,
            resamples=SIMULATION_RESAMPLES,
            seed=simulation,
        )
        rows = result.set_index("estimate_type")
        adjusted_hits += (
            rows.loc["adjusted", "difference_ci_lower"]
            <= truth
            <= rows.loc["adjusted", "difference_ci_upper"]
        )
        raw_hits += (
            rows.loc["raw", "difference_ci_lower"]
            <= truth
            <= rows.loc["raw", "difference_ci_upper"]
        )
    print(
        f"comparison: adjusted coverage {adjusted_hits}/{SIMULATIONS}, "
        f"raw coverage {raw_hits}/{SIMULATIONS}"
    )
    assert adjusted_hits >= 0.9 * SIMULATIONS
    assert raw_hits <= 0.5 * SIMULATIONS


def test_too_few_respondents_for_a_model_rake_to_the_targeted_margins() -> None:
    frames, _ = nonresponse_sample(np.random.default_rng(11), 12)
    balance, shares = compute_nonresponse(**frames, rules=yesno_rules(), min_effective_n=30)
    assert set(balance.weighting_method) == {"raking"}
    program = balance[balance.variable == "program"]
    assert program.weighted_respondent_share.to_numpy() == pytest.approx(
        program.targeted_share.to_numpy()
    )
    assert bool(shares.iloc[0]["is_effective_n_low"])


def _with_extra_columns_reordered(frame, rng: np.random.Generator):
    """``frame`` led by a column the computations do not read, in random order, and its other
    columns shuffled: what a caller handing a whole table (not a projection) would pass. Were
    the unread column sorted on, the rows would be summed in another order."""
    widened = frame.assign(unread_note=rng.permutation(len(frame)).astype(str))
    return widened[["unread_note", *rng.permutation(frame.columns)]]


def _assert_same_nonresponse(handed: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """The non-response tables from the sample's frames, and from each frame (the waves
    aside) as ``handed`` gives it, are equal to the last bit."""
    frames, _ = nonresponse_sample(np.random.default_rng(7), 240)
    other = {name: handed(frame) if name != "waves" else frame for name, frame in frames.items()}
    for left, right in zip(
        compute_nonresponse(**frames, rules=yesno_rules(), min_effective_n=30),
        compute_nonresponse(**other, rules=yesno_rules(), min_effective_n=30),
        strict=True,
    ):
        pd.testing.assert_frame_equal(left, right, check_exact=True)


def _assert_same_comparison(
    answers: pd.DataFrame, other: pd.DataFrame, covariates: pd.DataFrame
) -> None:
    """The adjusted comparison and its balance from ``answers`` and from ``other`` are equal
    to the last bit."""
    for left, right in zip(
        compute_comparison_adjustment(answers, covariates, yesno_rules(), 30, resamples=20),
        compute_comparison_adjustment(other, covariates, yesno_rules(), 30, resamples=20),
        strict=True,
    ):
        pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_columns_not_read_and_column_order_do_not_change_the_figures() -> None:
    """The DuckDB models read only the columns the computations name (duckdb_frames); the
    other engines hand whole tables. Both must give the same figures."""
    rng = np.random.default_rng(11)
    _assert_same_nonresponse(lambda frame: _with_extra_columns_reordered(frame, rng))
    answers, covariates = comparison_sample(np.random.default_rng(3), 120, 260)
    wide_answers = _with_extra_columns_reordered(answers, rng)
    _assert_same_comparison(answers, wide_answers, covariates)
    pd.testing.assert_frame_equal(
        compute_covariate_balance(answers, covariates, yesno_rules()),
        compute_covariate_balance(wide_answers, covariates, yesno_rules()),
    )


def _text_typed(frame: pd.DataFrame, kind: str, rng: np.random.Generator) -> pd.DataFrame:
    """``frame``'s rows shuffled, its text columns as plain ``object`` strings or as
    categoricals whose categories are in reverse text order."""
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.infer_dtype(values, skipna=True) != "string":
            continue
        if kind == "object":
            frame[column] = values.astype(object).where(values.notna(), None)
        else:
            reverse = pd.Index(values.dropna().unique()).sort_values(ascending=False)
            frame[column] = values.astype(pd.CategoricalDtype(reverse))
    return frame


@pytest.mark.parametrize("kind", ["object", "category"])
def test_text_as_strings_or_categories_in_any_row_order_gives_the_same_figures(kind) -> None:
    """A DuckDB model hands its text as categoricals (duckdb_frames), PL/Python and Spark as
    strings, in no set row order: the computations sort every text by the text itself
    (weighting.in_stable_order), whatever order a categorical's categories came in."""
    rng = np.random.default_rng(5)
    _assert_same_nonresponse(lambda frame: _text_typed(frame, kind, rng))

    answers, covariates = comparison_sample(np.random.default_rng(3), 120, 260)
    # A third of the follow-up respondents answered the outcome again, the other way, in a
    # second follow-up wave of the year: which answer is the last one counted goes by the
    # wave codes' text order, not by the order a categorical's categories came in.
    again = answers[(answers.wave_type == "followup") & (answers.item_code == "outcome")]
    again = again.iloc[::3].assign(
        wave_code="followup_2025_second", value_numeric=lambda a: 1.0 - a.value_numeric
    )
    answers = pd.concat([answers, again], ignore_index=True)
    _assert_same_comparison(answers, _text_typed(answers, kind, rng), covariates)


@pytest.mark.parametrize("kind", ["object", "category"])
def test_every_target_gets_its_cohort_year_and_employment_level_or_missing(kind: str) -> None:
    """baseline_profiles looks the levels up for all targets at once: the same level as one
    lookup per target, 'missing' where the cohort or the participation row is unknown."""
    targets = pd.DataFrame(
        {
            "participant_key": ["p1", "p2", "p3", "p4"],
            "cohort_code": ["c1", "c2", "c1", "unknown"],
            "program_code": ["mamabono"] * 4,
        }
    ).astype(kind)
    cohorts = pd.DataFrame({"cohort_code": ["c1", "c2"], "fiscal_year": [2024.0, np.nan]})
    participation = pd.DataFrame(
        {
            "participant_key": ["p1", "p1", "p2", "p4"],
            "cohort_code": ["c1", "c1", "c2", "unknown"],
            "employment_status_code": ["on_leave", "returned", None, "returned"],
        }
    ).astype(kind)
    answers = pd.DataFrame(
        columns=["wave_type", "is_counted", "participant_key", "cohort_code", "item_code"]
    )
    profile = baseline_profiles(targets, cohorts, participation, answers, yesno_rules())
    assert profile.index.tolist() == ["p1", "p2", "p3", "p4"]
    assert profile["cohort_year"].tolist() == ["2024", MISSING, "2024", MISSING]
    # p1's first participation row counts; p2's status is unknown; p3 has no row.
    assert profile["employment_status"].tolist() == ["on_leave", MISSING, MISSING, "returned"]


def test_units_are_found_the_same_for_text_or_categories_and_an_outsider_is_refused() -> None:
    units = pd.Index(["b", "a", "d"])
    position = pd.Series(range(len(units)), index=units)
    keys = pd.Series(["a", "b", "c", "d", "a"])
    as_categories = keys.astype(pd.CategoricalDtype(["a", "b", "c", "d"]))
    subset = [0, 1, 3, 4]  # every key but the outsider "c"
    for given in (keys, as_categories):
        locate = _locator(position, given)
        assert locate(given.iloc[subset]).tolist() == [1, 0, 2, 1]
        with pytest.raises(KeyError):
            locate(given)
