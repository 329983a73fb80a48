"""Every outcome figure of the report, with its denominator, interval and test (METRICS.md).

The logic of the contract table ``marts.fct_indicator_results``, in one place for every
engine: the dbt Python model (DuckDB) and the PL/Python function the PostgreSQL build calls
(``impact_warehouse.transform.postgres_plpython``) both run ``compute_indicator_results``,
so the statistics come from the same scipy/statsmodels code on both.

Grain: one row per fiscal year × program (each program, plus "all" pooling them) × wave type
× item × measure. Only counted answers are used (fct_answers.is_counted: linked, a response,
valid on its scale); missing and invalid answers are out of numerator and denominator.

Primary small-cell suppression is flagged here (denominator below the `suppression_k` var);
values stay for audit. The reporting models publish them with secondary suppression applied
(macros/suppression/suppression_flags.sql).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

ALL_PROGRAMS = "all"
CONFIDENCE = 0.95

# METRICS.md "Scales": the share measures each scale publishes and which answers they count.
SHARE_MEASURES = {
    "likert4": {"share_positive": lambda value: value >= 3},
    "yesno": {"share_positive": lambda value: value == 1},
    "score10": {
        "share_positive": lambda value: value >= 6,
        "share_high": lambda value: value >= 8,
    },
    "anxiety10": {
        "share_anxious": lambda value: value <= 5,
        "share_strongly_anxious": lambda value: value <= 3,
    },
}
# METRICS.md "Pre/post shift": the yes/no that McNemar compares, the scale's positive rule
# in scales.csv (score10: confident, 6 or more; anxiety10: anxious, 5 or less).
PAIRED_RULES = {
    "score10": lambda value: value >= 6,
    "anxiety10": lambda value: value <= 5,
}
MEAN_SCALES = ("hours",)

GROUP = ["fiscal_year", "program_code", "wave_type", "item_code"]
# Optional weight column of the answers frame: answers this row stands for.
ANSWER_COUNT = "answer_count"
# The fct_answers columns compute_indicator_results reads: engines fetch only these.
ANSWER_COLUMNS = (
    "answer_key",
    *GROUP,
    "scale_code",
    "indicator_code",
    "value_numeric",
    "is_counted",
)
MEASURED_COLUMNS = [
    *GROUP,
    "scale_code",
    "measure",
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "p_value",
    "test_name",
]
COLUMNS = {
    "indicator_result_key": "string",
    "fiscal_year": "Int64",
    "program_code": "string",
    "wave_type": "string",
    "item_code": "string",
    "scale_code": "string",
    "indicator_code": "string",
    "measure": "string",
    "numerator": "Int64",
    "denominator": "Int64",
    "value": "Float64",
    "ci_lower": "Float64",
    "ci_upper": "Float64",
    "comparison_numerator": "Int64",
    "comparison_denominator": "Int64",
    "comparison_value": "Float64",
    "comparison_ci_lower": "Float64",
    "comparison_ci_upper": "Float64",
    "difference_points": "Float64",
    "difference_ci_lower": "Float64",
    "difference_ci_upper": "Float64",
    "p_value": "Float64",
    "test_name": "string",
    "response_rate": "Float64",
    "is_suppressed": "boolean",
    "suppression_reason": "string",
}


def compute_indicator_results(
    answers: pd.DataFrame,
    paired_scores: pd.DataFrame,
    response_rates: pd.DataFrame,
    suppression_k: int,
) -> pd.DataFrame:
    """fct_indicator_results from fct_answers, fct_paired_scores and fct_response_rates.

    ``answers`` holds one row per answer, or, with a column ``answer_count``, one row per
    distinct answer with how many answers it stands for (the DuckDB model aggregates in the
    database first: at 1000× that is thousands of rows instead of millions).
    """
    if ANSWER_COUNT not in answers.columns:
        answers = answers.assign(**{ANSWER_COUNT: 1})
    # Sorted, so floating-point sums run in the same order and a rebuild gives the same bits.
    order = (
        ["answer_key"]
        if "answer_key" in answers.columns
        else [*GROUP, "scale_code", "is_counted", "value_numeric"]
    )
    answers = answers.sort_values(order, ignore_index=True)
    paired_scores = paired_scores.sort_values("paired_score_key", ignore_index=True)

    counted = with_pooled_programs(counted_values(answers))
    paired = with_pooled_programs(paired_scores[paired_scores["is_paired"].astype(bool)])
    indicators = indicator_codes(answers)

    results = pd.concat(
        [
            share_results(counted),
            mean_results(counted),
            paired_share_results(paired),
            paired_shift_results(paired),
        ],
        ignore_index=True,
    ).reindex(columns=MEASURED_COLUMNS)
    if results.empty:
        return as_contract(results)
    results = results.merge(indicators, on=["item_code", "wave_type"], how="left")
    results = with_comparison(results)
    results = results.merge(
        pooled_response_rates(response_rates),
        on=["fiscal_year", "program_code", "wave_type"],
        how="left",
    )
    results = with_suppression(results, suppression_k)
    results["indicator_result_key"] = results[[*GROUP, "measure"]].astype(str).agg("|".join, axis=1)
    return as_contract(results)


def counted_values(answers: pd.DataFrame) -> pd.DataFrame:
    """METRICS.md "Which answers count": linked responses, valid answers, on a scale we measure."""
    scales = [*SHARE_MEASURES, *MEAN_SCALES]
    keep = (
        answers["is_counted"].astype(bool)
        & answers["value_numeric"].notna()
        & answers["scale_code"].isin(scales)
    )
    return answers.loc[keep, [*GROUP, "scale_code", "value_numeric", ANSWER_COUNT]].copy()


def with_pooled_programs(frame: pd.DataFrame) -> pd.DataFrame:
    """Each program's rows plus a copy of every row under program "all". Comparison rows have
    no program, so they appear under "all" only."""
    per_program = frame[frame["program_code"].notna()]
    pooled = frame.assign(program_code=ALL_PROGRAMS)
    return pd.concat([per_program, pooled], ignore_index=True)


def indicator_codes(answers: pd.DataFrame) -> pd.DataFrame:
    mapped = answers.loc[answers["indicator_code"].notna(), ["item_code", "wave_type"]]
    mapped = mapped.assign(indicator_code=answers["indicator_code"])
    return mapped.drop_duplicates(["item_code", "wave_type"])


def share_results(counted: pd.DataFrame) -> pd.DataFrame:
    """Unpaired shares per wave: METRICS.md "Share positive", Wilson 95% intervals."""
    hits = []
    for scale_code, measures in SHARE_MEASURES.items():
        on_scale = counted[counted["scale_code"] == scale_code]
        for measure, rule in measures.items():
            hit = rule(on_scale["value_numeric"]).astype(int) * on_scale[ANSWER_COUNT]
            hits.append(on_scale.assign(measure=measure, hit=hit))
    if not hits:
        return pd.DataFrame()
    long = pd.concat(hits, ignore_index=True)
    shares = (
        long.groupby([*GROUP, "scale_code", "measure"], dropna=False)
        .agg(numerator=("hit", "sum"), denominator=(ANSWER_COUNT, "sum"))
        .reset_index()
    )
    return with_share_values(shares)


def with_share_values(shares: pd.DataFrame) -> pd.DataFrame:
    if shares.empty:
        return shares
    numerator = shares["numerator"].to_numpy(dtype=float)
    denominator = shares["denominator"].to_numpy(dtype=float)
    lower, upper = proportion_confint(numerator, denominator, alpha=1 - CONFIDENCE, method="wilson")
    return shares.assign(value=numerator / denominator, ci_lower=lower, ci_upper=upper)


def mean_results(counted: pd.DataFrame) -> pd.DataFrame:
    """Hours items: mean with a t interval."""
    hours = counted[counted["scale_code"].isin(MEAN_SCALES)]
    if hours.empty:
        return pd.DataFrame()
    # Weighted by answer_count: the same mean and sample deviation as over single answers.
    keys = [*GROUP, "scale_code"]
    weighted = hours.assign(weighted_value=hours["value_numeric"] * hours[ANSWER_COUNT])
    means = (
        weighted.groupby(keys, dropna=False)
        .agg(size=(ANSWER_COUNT, "sum"), total=("weighted_value", "sum"))
        .reset_index()
    )
    means["mean"] = means["total"] / means["size"]
    deviations = weighted.merge(means[[*keys, "mean"]], on=keys, how="left")
    deviations["squared"] = (
        deviations[ANSWER_COUNT] * (deviations["value_numeric"] - deviations["mean"]) ** 2
    )
    squared = deviations.groupby(keys, dropna=False)["squared"].sum().reset_index()
    means = means.merge(squared, on=keys, how="left")
    size = means["size"].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        means["std"] = np.where(size > 1, np.sqrt(means["squared"] / (size - 1)), np.nan)
    means = means.drop(columns=["total", "squared"])
    lower, upper = t_interval(means["mean"], means["std"], means["size"])
    return means.assign(
        measure="mean",
        numerator=pd.NA,
        denominator=means["size"],
        value=means["mean"],
        ci_lower=lower,
        ci_upper=upper,
    ).drop(columns=["mean", "std", "size"])


def t_interval(mean: pd.Series, std: pd.Series, size: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Student t 95% interval of a mean; null for a single observation."""
    size = size.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        critical = stats.t.ppf(0.5 + CONFIDENCE / 2, size - 1)
        half_width = np.where(
            size > 1, critical * std.to_numpy(dtype=float) / np.sqrt(size), np.nan
        )
    return mean.to_numpy(dtype=float) - half_width, mean.to_numpy(dtype=float) + half_width


def paired_share_results(paired: pd.DataFrame) -> pd.DataFrame:
    """Share positive among paired participants at pre and at post (both rows carry the exact
    McNemar p-value of the paired yes/no)."""
    rows = []
    for (fiscal_year, program_code, item_code, scale_code), group in paired.groupby(
        ["fiscal_year", "program_code", "item_code", "scale_code"]
    ):
        rule = PAIRED_RULES[scale_code]
        pre, post = rule(group["pre_value"]), rule(group["post_value"])
        table = [
            [int((pre & post).sum()), int((pre & ~post).sum())],
            [int((~pre & post).sum()), int((~pre & ~post).sum())],
        ]
        p_value = float(mcnemar(table, exact=True).pvalue)
        for wave_type, positive in (("pre", pre), ("post", post)):
            rows.append(
                {
                    "fiscal_year": fiscal_year,
                    "program_code": program_code,
                    "wave_type": wave_type,
                    "item_code": item_code,
                    "scale_code": scale_code,
                    "measure": "paired_share_positive",
                    "numerator": int(positive.sum()),
                    "denominator": len(group),
                    "p_value": p_value,
                    "test_name": "mcnemar_exact",
                }
            )
    return with_share_values(pd.DataFrame(rows))


def paired_shift_results(paired: pd.DataFrame) -> pd.DataFrame:
    """Mean post − pre difference of the paired scores, on the post row, with a t interval
    and the Wilcoxon signed-rank p-value keeping zero differences (Pratt)."""
    rows = []
    for (fiscal_year, program_code, item_code, scale_code), group in paired.groupby(
        ["fiscal_year", "program_code", "item_code", "scale_code"]
    ):
        differences = group["difference"].to_numpy(dtype=float)
        lower, upper = t_interval(
            pd.Series([differences.mean()]),
            pd.Series([differences.std(ddof=1) if len(differences) > 1 else np.nan]),
            pd.Series([len(differences)]),
        )
        rows.append(
            {
                "fiscal_year": fiscal_year,
                "program_code": program_code,
                "wave_type": "post",
                "item_code": item_code,
                "scale_code": scale_code,
                "measure": "paired_score_shift",
                "numerator": pd.NA,
                "denominator": len(differences),
                "value": float(differences.mean()),
                "ci_lower": lower[0],
                "ci_upper": upper[0],
                "p_value": wilcoxon_pratt(differences),
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


def with_comparison(results: pd.DataFrame) -> pd.DataFrame:
    """METRICS.md "Comparison difference": each follow-up share against the same measure in
    the comparison wave of the fiscal year, in points, Newcombe hybrid Wilson 95% interval and
    Fisher's exact p-value. Hours means get the comparison mean alongside."""
    comparison = results.loc[
        (results["wave_type"] == "comparison") & (results["program_code"] == ALL_PROGRAMS),
        [
            "fiscal_year",
            "item_code",
            "measure",
            "numerator",
            "denominator",
            "value",
            "ci_lower",
            "ci_upper",
        ],
    ].rename(
        columns={
            "numerator": "comparison_numerator",
            "denominator": "comparison_denominator",
            "value": "comparison_value",
            "ci_lower": "comparison_ci_lower",
            "ci_upper": "comparison_ci_upper",
        }
    )
    comparison = comparison.assign(wave_type="followup")
    results = results.merge(
        comparison, on=["fiscal_year", "wave_type", "item_code", "measure"], how="left"
    )
    is_share = results["comparison_numerator"].notna() & results["numerator"].notna()
    for index in results.index[is_share]:
        row = results.loc[index]
        x1, n1 = int(row["numerator"]), int(row["denominator"])
        x2, n2 = int(row["comparison_numerator"]), int(row["comparison_denominator"])
        lower, upper = confint_proportions_2indep(
            x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - CONFIDENCE
        )
        results.loc[index, "difference_points"] = (x1 / n1 - x2 / n2) * 100
        results.loc[index, "difference_ci_lower"] = float(lower) * 100
        results.loc[index, "difference_ci_upper"] = float(upper) * 100
        results.loc[index, "p_value"] = float(
            stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]]).pvalue
        )
        results.loc[index, "test_name"] = "fisher_exact"
    return results


def pooled_response_rates(response_rates: pd.DataFrame) -> pd.DataFrame:
    """fct_response_rates per fiscal year × program × wave type; "all" sums responded and
    targeted over the programs' waves. Comparison waves have no response rate."""
    with_rate = response_rates[response_rates["response_rate"].notna()]
    programs = with_rate[with_rate["breakdown_level"] == "program"].assign(
        program_code=lambda frame: frame["breakdown_code"]
    )
    pooled = with_rate[with_rate["breakdown_level"] == "all"].assign(program_code=ALL_PROGRAMS)
    summed = (
        pd.concat([programs, pooled], ignore_index=True)
        .groupby(["fiscal_year", "program_code", "wave_type"])[["responded", "targeted"]]
        .sum()
        .reset_index()
    )
    summed["response_rate"] = summed["responded"] / summed["targeted"].where(summed["targeted"] > 0)
    return summed[["fiscal_year", "program_code", "wave_type", "response_rate"]]


def with_suppression(results: pd.DataFrame, suppression_k: int) -> pd.DataFrame:
    """METRICS.md "Small cells": a figure whose denominator (or comparison denominator) is
    below k is flagged; secondary suppression happens where cells are published."""
    own = results["denominator"].astype(float) < suppression_k
    comparison = results["comparison_denominator"].astype(float) < suppression_k
    results["is_suppressed"] = own | comparison
    results["suppression_reason"] = np.select(
        [own, comparison], ["denominator_below_k", "comparison_denominator_below_k"], None
    )
    return results


def as_contract(results: pd.DataFrame) -> pd.DataFrame:
    contract = pd.DataFrame({column: results.get(column) for column in COLUMNS})
    contract = contract.astype(COLUMNS)
    return contract.sort_values("indicator_result_key", ignore_index=True)
