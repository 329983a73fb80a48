"""The statistics engine measures whatever the scale catalog declares, not Mamabono's scales.

A catalog the code has never seen: ``lonely5`` (1–5, lonely = 4 or more, lower is better,
the paired group lonely at pre followed) and ``recommend11`` (0–10, promoter = 9 or more).
Every figure is checked against scipy/statsmodels called directly on the raw answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from impact_warehouse.transform.indicator_results import COLUMNS, compute_indicator_results
from impact_warehouse.transform.outcome_rules import scale_rules

SCALES = pd.DataFrame(
    [
        ("lonely5", "code", 1, 5, 1),
        ("recommend11", "integer", 0, 10, 1),
        ("note", "text", None, None, None),
    ],
    columns=["scale_code", "value_type", "min_value", "max_value", "step"],
)
SCALE_MEASURES = pd.DataFrame(
    [
        ("lonely5", "lonely", ">=", 4, "lower", True, True),
        ("recommend11", "promoter", ">=", 9, "higher", True, False),
        ("recommend11", "detractor", "<=", 6, "lower", False, False),
    ],
    columns=[
        "scale_code",
        "measure_code",
        "operator",
        "threshold",
        "good_direction",
        "is_primary",
        "follow_group_at_pre",
    ],
)
SCALE_LABELS = pd.DataFrame(
    [("lonely5", code, f"label {code}") for code in range(1, 6)],
    columns=["scale_code", "value_code", "label_en"],
)
RNG = np.random.default_rng(13)
PEOPLE = 40


def _answers() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-answer rows (pre, post, followup, comparison) and the pairs of the pre/post item."""
    rows = []
    pre = RNG.integers(1, 6, PEOPLE)
    post = np.clip(pre - RNG.integers(0, 3, PEOPLE), 1, 5)
    programs = np.where(np.arange(PEOPLE) < 25, "alpha", "beta")
    for person in range(PEOPLE):
        for wave_type, value in (("pre", pre[person]), ("post", post[person])):
            rows.append((wave_type, programs[person], f"p{person}", "lonely", "lonely5", value))
    for person in range(30):
        rows.append(
            ("followup", "alpha", f"f{person}", "recommend", "recommend11", RNG.integers(0, 11))
        )
    for person in range(60):
        rows.append(
            ("comparison", None, f"c{person}", "recommend", "recommend11", RNG.integers(0, 11))
        )
    answers = pd.DataFrame(
        rows,
        columns=[
            "wave_type",
            "program_code",
            "participant",
            "item_code",
            "scale_code",
            "value_numeric",
        ],
    ).assign(fiscal_year=2030, is_counted=True, indicator_code="K1")
    answers["value_numeric"] = answers["value_numeric"].astype(float)
    # An invalid answer and a free-text answer count nowhere.
    extra = pd.DataFrame(
        [
            ("post", "alpha", "x", "lonely", "lonely5", np.nan, False),
            ("post", "alpha", "x", "wish", "note", np.nan, True),
        ],
        columns=[
            "wave_type",
            "program_code",
            "participant",
            "item_code",
            "scale_code",
            "value_numeric",
            "is_counted",
        ],
    ).assign(fiscal_year=2030, indicator_code=None)
    answers = pd.concat([answers, extra], ignore_index=True)
    answers["answer_key"] = answers.index.astype(str)
    pairs = pd.DataFrame(
        {
            "paired_score_key": [f"p{i}" for i in range(PEOPLE)],
            "fiscal_year": 2030,
            "program_code": programs,
            "item_code": "lonely",
            "scale_code": "lonely5",
            "pre_value": pre.astype(float),
            "post_value": post.astype(float),
            "is_paired": True,
        }
    )
    return answers, pairs


RESPONSE_RATES = pd.DataFrame(
    [
        (2030, "post", "program", "alpha", 25, 30, 25 / 30),
        (2030, "post", "program", "beta", 15, 15, 1.0),
        (2030, "post", "all", "all", 40, 45, 40 / 45),
    ],
    columns=[
        "fiscal_year",
        "wave_type",
        "breakdown_level",
        "breakdown_code",
        "responded",
        "targeted",
        "response_rate",
    ],
)


@pytest.fixture(scope="module")
def computed() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    answers, pairs = _answers()
    results = compute_indicator_results(
        answers, pairs, RESPONSE_RATES, SCALES, SCALE_MEASURES, SCALE_LABELS, suppression_k=5
    )
    return results.set_index("indicator_result_key"), answers, pairs


def test_contract_columns_and_grain(computed) -> None:
    results, _, _ = computed
    assert list(results.reset_index().columns) == list(COLUMNS)
    assert results.index.is_unique
    assert set(results["scale_code"]) == {"lonely5", "recommend11"}
    assert set(results["population"]) == {"respondents", "paired", "paired_lonely_at_pre"}
    assert set(results["measure_kind"]) == {"share", "distribution", "mean", "shift"}
    recommend = results[results["item_code"] == "recommend"]
    assert {f"value_{v}" for v in range(11)} <= set(recommend["measure"])
    lonely = results[results["item_code"] == "lonely"]
    assert {f"value_{v}" for v in range(1, 6)} <= set(lonely["measure"])
    share = results.loc["2030|all|respondents|post|lonely|lonely"]
    assert (share["good_direction"], share["is_primary_measure"]) == ("lower", True)


def test_shares_and_wilson_intervals(computed) -> None:
    results, answers, _ = computed
    counted = answers[answers["is_counted"] & answers["value_numeric"].notna()]
    for program in ("alpha", "beta", "all"):
        post = counted[(counted["wave_type"] == "post") & (counted["item_code"] == "lonely")]
        if program != "all":
            post = post[post["program_code"] == program]
        x, n = int((post["value_numeric"] >= 4).sum()), len(post)
        row = results.loc[f"2030|{program}|respondents|post|lonely|lonely"]
        assert (row["numerator"], row["denominator"]) == (x, n)
        lower, upper = proportion_confint(x, n, method="wilson")
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lower, upper), abs=1e-12)
        two = results.loc[f"2030|{program}|respondents|post|lonely|value_2"]
        assert two["numerator"] == int((post["value_numeric"] == 2).sum())
    assert results.loc["2030|all|respondents|post|lonely|lonely", "response_rate"] == (
        pytest.approx(40 / 45)
    )


def test_means_with_t_intervals(computed) -> None:
    results, answers, _ = computed
    values = answers.loc[
        (answers["wave_type"] == "followup") & (answers["item_code"] == "recommend"),
        "value_numeric",
    ].to_numpy()
    row = results.loc["2030|alpha|respondents|followup|recommend|mean"]
    lower, upper = stats.t.interval(0.95, len(values) - 1, values.mean(), stats.sem(values))
    assert row["value"] == pytest.approx(values.mean())
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lower, upper))


def test_every_share_measure_is_compared_with_newcombe_and_fisher(computed) -> None:
    results, answers, _ = computed
    followup = answers[answers["wave_type"] == "followup"]["value_numeric"]
    comparison = answers[answers["wave_type"] == "comparison"]["value_numeric"]
    for measure, rule in (("promoter", lambda v: v >= 9), ("detractor", lambda v: v <= 6)):
        x1, n1 = int(rule(followup).sum()), len(followup)
        x2, n2 = int(rule(comparison).sum()), len(comparison)
        row = results.loc[f"2030|all|respondents|followup|recommend|{measure}"]
        assert (row["comparison_numerator"], row["comparison_denominator"]) == (x2, n2)
        lower, upper = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb")
        assert row["difference_points"] == pytest.approx((x1 / n1 - x2 / n2) * 100)
        assert (row["difference_ci_lower"], row["difference_ci_upper"]) == pytest.approx(
            (lower * 100, upper * 100)
        )
        fisher = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
        assert (row["p_value"], row["test_name"]) == (pytest.approx(fisher), "fisher_exact")


def test_paired_mcnemar_wilcoxon_and_the_followed_group(computed) -> None:
    results, _, pairs = computed
    for program in ("alpha", "all"):
        group = pairs if program == "all" else pairs[pairs["program_code"] == program]
        pre, post = group["pre_value"] >= 4, group["post_value"] >= 4
        table = [
            [(pre & post).sum(), (pre & ~post).sum()],
            [(~pre & post).sum(), (~pre & ~post).sum()],
        ]
        expected = mcnemar(table, exact=True).pvalue
        for wave_type in ("pre", "post"):
            row = results.loc[f"2030|{program}|paired|{wave_type}|lonely|lonely"]
            assert (row["p_value"], row["test_name"]) == (pytest.approx(expected), "mcnemar_exact")
        differences = (group["post_value"] - group["pre_value"]).to_numpy()
        shift = results.loc[f"2030|{program}|paired|post|lonely|mean_shift"]
        assert shift["value"] == pytest.approx(differences.mean())
        wilcoxon = stats.wilcoxon(differences, zero_method="pratt").pvalue
        assert shift["p_value"] == pytest.approx(wilcoxon)
        followed = group[pre]
        row = results.loc[f"2030|{program}|paired_lonely_at_pre|post|lonely|lonely"]
        assert row["denominator"] == len(followed)
        assert row["numerator"] == int((followed["post_value"] >= 4).sum())


def test_counts_in_give_the_same_rows_as_answers(computed) -> None:
    """The DuckDB model passes counts per value and per pair; the figures must not change."""
    results, answers, pairs = computed
    groups = ["fiscal_year", "program_code", "wave_type", "item_code", "scale_code"]
    grouped = (
        answers.groupby([*groups, "indicator_code", "is_counted", "value_numeric"], dropna=False)
        .size()
        .rename("answer_count")
        .reset_index()
    )
    pair_groups = [
        "fiscal_year",
        "program_code",
        "item_code",
        "scale_code",
        "pre_value",
        "post_value",
    ]
    counted_pairs = pairs.groupby(pair_groups).size().rename("pair_count").reset_index()
    again = compute_indicator_results(
        grouped, counted_pairs, RESPONSE_RATES, SCALES, SCALE_MEASURES, SCALE_LABELS, 5
    ).set_index("indicator_result_key")
    pd.testing.assert_frame_equal(again, results, check_exact=False, rtol=1e-12)


def test_an_unusable_rule_stops_the_engine() -> None:
    bad = SCALE_MEASURES.assign(operator=["=>", ">=", "<="])
    with pytest.raises(ValueError, match="operator '=>'"):
        scale_rules(SCALES, bad, SCALE_LABELS)
