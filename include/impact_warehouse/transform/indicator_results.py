"""Every outcome figure of the report, with its denominator, interval and test (METRICS.md).

The logic of the contract table ``marts.fct_indicator_results``, in one place for every
engine: the dbt Python model (DuckDB) and the PL/Python function the PostgreSQL build calls
(``impact_warehouse.transform.postgres_plpython``) both run ``compute_indicator_results``,
so the statistics come from the same scipy/statsmodels code on both. What is measured on
which scale comes from the catalog frames passed in (``scales``, ``scale_measures``,
``scale_labels``): no scale is named here.

Grain: fiscal year × program (each program, plus "all" pooling them) × population × wave
type × item × measure. Populations: ``respondents`` (every counted answer of the wave),
``paired`` (answered the item at both pre and post of the same fiscal year and program),
``paired_<measure>_at_pre`` (paired, pre answer meets a measure the catalog follows).
Measures: the catalog's share measures (kind share), ``value_<code>`` (distribution),
``mean``, and ``mean_shift`` (paired, post row). Only counted answers are used
(fct_answers.is_counted: linked, a response, valid on its scale).

Primary small-cell suppression is flagged here (denominator below the ``suppression_k``
var); values stay for audit. ``reporting.rpt_outcome_results`` publishes them with
secondary suppression applied (macros/suppression/suppression_flags.sql).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from impact_warehouse.transform.outcome_rules import ScaleRules, scale_rules
from impact_warehouse.transform.outcome_statistics import (
    ANSWER_COUNT,
    GROUP,
    PAIR_COUNT,
    difference_in_points,
    distribution_results,
    mcnemar_results,
    mean_results,
    share_results,
    shift_results,
    value_counts_of,
)

ALL_PROGRAMS = "all"
RESPONDENTS = "respondents"
PAIRED = "paired"
ANSWER_GROUP = ["fiscal_year", "program_code", "wave_type", "item_code"]
# The fct_answers columns compute_indicator_results reads: engines fetch only these.
ANSWER_COLUMNS = (
    "answer_key",
    *ANSWER_GROUP,
    "scale_code",
    "indicator_code",
    "value_numeric",
    "is_counted",
)
# The fct_paired_scores columns it reads (engines count pairs per value pair first).
PAIR_COLUMNS = ("fiscal_year", "program_code", "item_code", "scale_code", "pre_value", "post_value")
COLUMNS = {
    "indicator_result_key": "string",
    "fiscal_year": "Int64",
    "program_code": "string",
    "population": "string",
    "wave_type": "string",
    "item_code": "string",
    "scale_code": "string",
    "indicator_code": "string",
    "measure": "string",
    "measure_kind": "string",
    "is_primary_measure": "boolean",
    "good_direction": "string",
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
# A follow-up figure is compared with the comparison wave's figure of the same year, item and
# measure.
COMPARED = ["fiscal_year", "item_code", "measure"]
KEY = ["fiscal_year", "program_code", "population", "wave_type", "item_code", "measure"]


def compute_indicator_results(
    answers: pd.DataFrame,
    paired_scores: pd.DataFrame,
    response_rates: pd.DataFrame,
    scales: pd.DataFrame,
    scale_measures: pd.DataFrame,
    scale_labels: pd.DataFrame,
    suppression_k: int,
) -> pd.DataFrame:
    """fct_indicator_results from fct_answers, fct_paired_scores, fct_response_rates and the
    scale catalog.

    ``answers`` holds one row per answer, or, with a column ``answer_count``, one row per
    distinct answer with how many answers it stands for; ``paired_scores`` one row per
    participant and item (only ``is_paired`` rows count), or, with ``pair_count``, one row
    per distinct (pre, post) pair. The DuckDB model aggregates in the database first.
    """
    rules = scale_rules(scales, scale_measures, scale_labels)
    counts = respondent_counts(answers, rules.numeric_scales)
    pairs = paired_populations(paired_pairs(paired_scores), rules)
    counts = pd.concat([counts, value_counts_of(pairs)], ignore_index=True)
    counts = counts.sort_values([*GROUP, "scale_code", "value_numeric"], ignore_index=True)

    results = pd.concat(
        [
            frame
            for frame in (
                share_results(counts, rules),
                distribution_results(counts, rules),
                mean_results(counts, rules),
                shift_results(pairs[pairs["population"] == PAIRED]),
            )
            if not frame.empty
        ]
        or [pd.DataFrame(columns=[*KEY, "scale_code"])],
        ignore_index=True,
    )
    if results.empty:
        return as_contract(results)
    results = with_mcnemar(results, mcnemar_results(pairs[pairs["population"] == PAIRED], rules))
    results = results.merge(indicator_codes(answers), on=["item_code", "wave_type"], how="left")
    results = with_comparison(results)
    results = results.merge(
        pooled_response_rates(response_rates),
        on=["fiscal_year", "program_code", "wave_type"],
        how="left",
    )
    results = with_suppression(results, suppression_k)
    results["indicator_result_key"] = results[KEY].astype(str).agg("|".join, axis=1)
    return as_contract(results)


def respondent_counts(answers: pd.DataFrame, numeric_scales: frozenset[str]) -> pd.DataFrame:
    """METRICS.md "Which answers count": linked responses, valid answers, numeric scales;
    counted per value, each program and pooled."""
    if ANSWER_COUNT not in answers.columns:
        answers = answers.assign(**{ANSWER_COUNT: 1})
    keep = (
        answers["is_counted"].astype(bool)
        & answers["value_numeric"].notna()
        & answers["scale_code"].isin(numeric_scales)
    )
    counted = answers.loc[keep, [*ANSWER_GROUP, "scale_code", "value_numeric", ANSWER_COUNT]]
    counted = counted.astype({"value_numeric": float, ANSWER_COUNT: int})
    return with_pooled_programs(counted).assign(population=RESPONDENTS)


def paired_pairs(paired_scores: pd.DataFrame) -> pd.DataFrame:
    """Paired participants as counts per (pre value, post value), each program and pooled."""
    if "is_paired" in paired_scores.columns:
        paired_scores = paired_scores[paired_scores["is_paired"].astype(bool)]
    if PAIR_COUNT not in paired_scores.columns:
        paired_scores = paired_scores.assign(**{PAIR_COUNT: 1})
    pairs = paired_scores[[*PAIR_COLUMNS, PAIR_COUNT]].astype(
        {"pre_value": float, "post_value": float, PAIR_COUNT: int}
    )
    pooled = with_pooled_programs(pairs)
    return (
        pooled.groupby(list(PAIR_COLUMNS))[PAIR_COUNT].sum().reset_index().assign(population=PAIRED)
    )


def paired_populations(pairs: pd.DataFrame, rules: ScaleRules) -> pd.DataFrame:
    """``paired`` plus, for each measure the catalog follows, ``paired_<measure>_at_pre``:
    the pairs whose pre answer meets it (Mamabono: strongly anxious at pre)."""
    groups = [pairs]
    for measure in rules.share_measures:
        if not measure.follow_group_at_pre:
            continue
        on_scale = pairs[pairs["scale_code"] == measure.scale_code]
        at_pre = on_scale[measure.counts(on_scale["pre_value"])]
        groups.append(at_pre.assign(population=f"paired_{measure.measure_code}_at_pre"))
    return pd.concat(groups, ignore_index=True)


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


def with_mcnemar(results: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """The paired primary share carries the exact McNemar p-value, at pre and at post."""
    if tests.empty:
        return results
    on = ["fiscal_year", "program_code", "population", "item_code", "measure"]
    results = results.merge(tests, on=on, how="left")
    tested = results["mcnemar_p_value"].notna()
    results.loc[tested, "p_value"] = results.loc[tested, "mcnemar_p_value"]
    results.loc[tested, "test_name"] = "mcnemar_exact"
    return results.drop(columns="mcnemar_p_value")


def with_comparison(results: pd.DataFrame) -> pd.DataFrame:
    """METRICS.md "Comparison difference": each follow-up figure against the same measure in
    the comparison wave of the fiscal year; for shares, the difference in points with a
    Newcombe hybrid Wilson 95% interval and Fisher's exact p-value."""
    comparison = results.loc[
        (results["wave_type"] == "comparison")
        & (results["program_code"] == ALL_PROGRAMS)
        & (results["population"] == RESPONDENTS),
        [*COMPARED, "numerator", "denominator", "value", "ci_lower", "ci_upper"],
    ].rename(
        columns={
            "numerator": "comparison_numerator",
            "denominator": "comparison_denominator",
            "value": "comparison_value",
            "ci_lower": "comparison_ci_lower",
            "ci_upper": "comparison_ci_upper",
        }
    )
    comparison = comparison.assign(wave_type="followup", population=RESPONDENTS)
    results = results.merge(comparison, on=[*COMPARED, "population", "wave_type"], how="left")
    is_share = (results["measure_kind"] == "share") & results["comparison_numerator"].notna()
    for index in results.index[is_share]:
        row = results.loc[index]
        x1, n1 = int(row["numerator"]), int(row["denominator"])
        x2, n2 = int(row["comparison_numerator"]), int(row["comparison_denominator"])
        difference, lower, upper = difference_in_points(x1, n1, x2, n2)
        results.loc[index, "difference_points"] = difference
        results.loc[index, "difference_ci_lower"] = lower
        results.loc[index, "difference_ci_upper"] = upper
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
