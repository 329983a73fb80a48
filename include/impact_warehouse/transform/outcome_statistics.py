"""The statistics of fct_indicator_results, on counts (METRICS.md "Measures").

Every function takes aggregates, never one row per person: ``counts`` has one row per group
(GROUP + scale_code) and answer value with ``answer_count``, ``pairs`` one row per group and
(pre value, post value) with ``pair_count``. The database does the counting, Python the
tests: scipy and statsmodels, the engine-agnostic shape another engine can reuse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from impact_warehouse.transform.outcome_rules import ScaleRules, value_measure

CONFIDENCE = 0.95
GROUP = ["fiscal_year", "program_code", "population", "wave_type", "item_code"]
PAIR_GROUP = ["fiscal_year", "program_code", "population", "item_code", "scale_code"]
ANSWER_COUNT = "answer_count"
PAIR_COUNT = "pair_count"


def share_results(counts: pd.DataFrame, rules: ScaleRules) -> pd.DataFrame:
    """Every share measure of the catalog on every item of its scale: METRICS.md "Share
    positive" generalised to named measures, Wilson 95% intervals."""
    shares = []
    for measure in rules.share_measures:
        on_scale = counts[counts["scale_code"] == measure.scale_code]
        if on_scale.empty:
            continue
        hit = measure.counts(on_scale["value_numeric"]).astype(int) * on_scale[ANSWER_COUNT]
        summed = (
            on_scale.assign(hit=hit)
            .groupby([*GROUP, "scale_code"])
            .agg(numerator=("hit", "sum"), denominator=(ANSWER_COUNT, "sum"))
            .reset_index()
        )
        shares.append(
            summed.assign(
                measure=measure.measure_code,
                measure_kind="share",
                is_primary_measure=measure.is_primary,
                good_direction=measure.good_direction,
            )
        )
    return with_wilson(pd.concat(shares, ignore_index=True)) if shares else pd.DataFrame()


def distribution_results(counts: pd.DataFrame, rules: ScaleRules) -> pd.DataFrame:
    """The share of each value of a categorical or integer scale, every category listed (a
    value nobody chose is 0 of N, not missing)."""
    on_scales = counts[counts["scale_code"].isin(rules.categories)]
    if on_scales.empty:
        return pd.DataFrame()
    keys = [*GROUP, "scale_code"]
    totals = on_scales.groupby(keys)[ANSWER_COUNT].sum().rename("denominator").reset_index()
    categories = pd.DataFrame(
        [
            (scale_code, value)
            for scale_code, values in rules.categories.items()
            for value in values
        ],
        columns=["scale_code", "value_numeric"],
    )
    cells = totals.merge(categories, on="scale_code")
    chosen = (
        on_scales.groupby([*keys, "value_numeric"])[ANSWER_COUNT]
        .sum()
        .rename("numerator")
        .reset_index()
    )
    cells = cells.merge(chosen, on=[*keys, "value_numeric"], how="left")
    cells["numerator"] = cells["numerator"].fillna(0).astype(int)
    cells["measure"] = cells["value_numeric"].map(value_measure)
    return with_wilson(
        cells.drop(columns="value_numeric").assign(
            measure_kind="distribution", is_primary_measure=False
        )
    )


def with_wilson(shares: pd.DataFrame) -> pd.DataFrame:
    numerator = shares["numerator"].to_numpy(dtype=float)
    denominator = shares["denominator"].to_numpy(dtype=float)
    lower, upper = proportion_confint(numerator, denominator, alpha=1 - CONFIDENCE, method="wilson")
    value = numerator / denominator
    # A Wilson interval always holds its share, but statsmodels' arithmetic can put the bound
    # of a 0 % or 100 % share a rounding error inside it (1 − 2.2e-16 for 28 of 28): a
    # negative error bar that matplotlib refuses, so one such cell stopped the report.
    return shares.assign(
        value=value, ci_lower=np.fmin(lower, value), ci_upper=np.fmax(upper, value)
    )


def difference_in_points(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float, float]:
    """Share x1/n1 minus share x0/n0 in points, with its Newcombe (hybrid Wilson) 95% interval:
    the two groups are different people (METRICS.md "Comparison difference", "Multi-year")."""
    lower, upper = confint_proportions_2indep(
        x1, n1, x0, n0, method="newcomb", compare="diff", alpha=1 - CONFIDENCE
    )
    return (x1 / n1 - x0 / n0) * 100, float(lower) * 100, float(upper) * 100


def mean_results(counts: pd.DataFrame, rules: ScaleRules) -> pd.DataFrame:
    """Mean of every numeric scale's answers with a Student t 95% interval."""
    numeric = counts[counts["scale_code"].isin(rules.numeric_scales)]
    if numeric.empty:
        return pd.DataFrame()
    keys = [*GROUP, "scale_code"]
    # Weighted by answer_count: the same mean and sample deviation as over single answers.
    weighted = numeric.assign(weighted_value=numeric["value_numeric"] * numeric[ANSWER_COUNT])
    means = (
        weighted.groupby(keys)
        .agg(size=(ANSWER_COUNT, "sum"), total=("weighted_value", "sum"))
        .reset_index()
    )
    means["mean"] = means["total"] / means["size"]
    deviations = weighted.merge(means[[*keys, "mean"]], on=keys, how="left")
    deviations["squared"] = (
        deviations[ANSWER_COUNT] * (deviations["value_numeric"] - deviations["mean"]) ** 2
    )
    squared = deviations.groupby(keys)["squared"].sum().reset_index()
    means = means.merge(squared, on=keys, how="left")
    size = means["size"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.where(size > 1, np.sqrt(means["squared"] / (size - 1)), np.nan)
    lower, upper = t_interval(means["mean"].to_numpy(float), std, size.to_numpy())
    return means[keys].assign(
        measure="mean",
        measure_kind="mean",
        is_primary_measure=False,
        denominator=means["size"],
        value=means["mean"],
        ci_lower=lower,
        ci_upper=upper,
    )


def t_interval(
    mean: np.ndarray, std: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Student t 95% interval of a mean; null for a single observation."""
    size = np.asarray(size, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        critical = stats.t.ppf(0.5 + CONFIDENCE / 2, size - 1)
        half_width = np.where(size > 1, critical * np.asarray(std, float) / np.sqrt(size), np.nan)
    return mean - half_width, mean + half_width


def mcnemar_results(pairs: pd.DataFrame, rules: ScaleRules) -> pd.DataFrame:
    """METRICS.md "Pre/post shift": exact McNemar on the paired yes/no of the scale's primary
    measure, per pair group; one row per group with its p-value."""
    rows = []
    for (fiscal_year, program_code, population, item_code, scale_code), group in pairs.groupby(
        PAIR_GROUP
    ):
        primary = rules.primary_of(scale_code)
        if primary is None:
            continue
        pre = primary.counts(group["pre_value"]).to_numpy()
        post = primary.counts(group["post_value"]).to_numpy()
        weight = group[PAIR_COUNT].to_numpy()
        table = [
            [int(weight[pre & post].sum()), int(weight[pre & ~post].sum())],
            [int(weight[~pre & post].sum()), int(weight[~pre & ~post].sum())],
        ]
        rows.append(
            {
                "fiscal_year": fiscal_year,
                "program_code": program_code,
                "population": population,
                "item_code": item_code,
                "measure": primary.measure_code,
                "mcnemar_p_value": float(mcnemar(table, exact=True).pvalue),
            }
        )
    return pd.DataFrame(rows)


def shift_results(pairs: pd.DataFrame) -> pd.DataFrame:
    """Mean post − pre difference of the paired answers, on the post row, with a t interval
    and the Wilcoxon signed-rank p-value keeping zero differences (Pratt)."""
    p_value_of = WilcoxonOnce()
    rows = []
    for (fiscal_year, program_code, population, item_code, scale_code), group in pairs.groupby(
        PAIR_GROUP
    ):
        differences = np.repeat(
            (group["post_value"] - group["pre_value"]).to_numpy(dtype=float),
            group[PAIR_COUNT].to_numpy(dtype=int),
        )
        size = len(differences)
        std = differences.std(ddof=1) if size > 1 else np.nan
        lower, upper = t_interval(np.array([differences.mean()]), np.array([std]), np.array([size]))
        rows.append(
            {
                "fiscal_year": fiscal_year,
                "program_code": program_code,
                "population": population,
                "wave_type": "post",
                "item_code": item_code,
                "scale_code": scale_code,
                "measure": "mean_shift",
                "measure_kind": "shift",
                "is_primary_measure": False,
                "denominator": size,
                "value": float(differences.mean()),
                "ci_lower": lower[0],
                "ci_upper": upper[0],
                "p_value": p_value_of(differences),
                "test_name": "wilcoxon_signed_rank_pratt",
            }
        )
    return pd.DataFrame(rows)


def wilcoxon_pratt(differences: np.ndarray) -> float:
    """scipy's Wilcoxon signed-rank p-value (zero_method="pratt"); null when every difference
    is zero, where the test is undefined."""
    if not np.any(differences != 0):
        return np.nan
    return float(stats.wilcoxon(differences, zero_method="pratt").pvalue)


class WilcoxonOnce:
    """:func:`wilcoxon_pratt`, computed once per set of differences of one call.

    The test ranks the differences' sizes and sums the ranks by sign, so their order does not
    enter it: groups with the same differences (answers on a short scale, often the same
    across the items and programs of a year) share one p-value. Worth it: with ties and
    n <= 13 scipy enumerates all 2^n sign patterns, up to a second for one group.
    """

    def __init__(self) -> None:
        self._p_values: dict[tuple[float, ...], float] = {}

    def __call__(self, differences: np.ndarray) -> float:
        key = tuple(np.sort(differences).tolist())
        if key not in self._p_values:
            self._p_values[key] = wilcoxon_pratt(differences)
        return self._p_values[key]


def value_counts_of(pairs: pd.DataFrame) -> pd.DataFrame:
    """The paired answers as value counts per wave (pre and post rows of each pair)."""
    waves = [
        pairs.assign(wave_type=wave_type, value_numeric=pairs[column])
        for wave_type, column in (("pre", "pre_value"), ("post", "post_value"))
    ]
    long = pd.concat(waves, ignore_index=True).rename(columns={PAIR_COUNT: ANSWER_COUNT})
    return long[[*GROUP, "scale_code", "value_numeric", ANSWER_COUNT]]
