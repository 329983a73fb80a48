"""KPI targets judged against the engine's estimates (METRICS.md "Indicator targets").

The logic of ``marts.fct_indicator_targets``, for every engine (the DuckDB dbt Python model
and the PostgreSQL PL/Python function both call :func:`compute_indicator_targets`). Nothing
is estimated here: each target is matched to its row of ``fct_indicator_results`` (share
measure, population ``respondents``) and compared with the value and its Wilson interval.

Grain: one row per target × fiscal year. A target without a fiscal year applies to every
fiscal year that has a wave of its wave type (so a year without answers says ``no_data``); a
target with a fiscal year replaces the every-year target in that year.
"""

from __future__ import annotations

import operator
from typing import Any

import pandas as pd

ALL_PROGRAMS = "all"
RESPONDENTS = "respondents"
TARGET_KEY = ["indicator_code", "program_code", "wave_type", "item_code", "measure"]
RESULT_KEY = ["fiscal_year", "program_code", "wave_type", "item_code", "measure"]
OPERATORS = {">=": operator.ge, "<=": operator.le}
TARGET_COLUMNS = (
    "indicator_code",
    "fiscal_year",
    "program_code",
    "wave_type",
    "item_code",
    "measure",
    "operator",
    "target_value",
    "source_ja",
    "note_ja",
)
RESULT_COLUMNS = (
    "indicator_result_key",
    *RESULT_KEY,
    "numerator",
    "denominator",
    "value",
    "ci_lower",
    "ci_upper",
    "is_suppressed",
)
COLUMNS = {
    "indicator_target_key": "string",
    "fiscal_year": "Int64",
    "indicator_code": "string",
    "program_code": "string",
    "population": "string",
    "wave_type": "string",
    "item_code": "string",
    "measure": "string",
    "operator": "string",
    "target_value": "Float64",
    "is_every_year_target": "boolean",
    "indicator_result_key": "string",
    "numerator": "Int64",
    "denominator": "Int64",
    "value": "Float64",
    "ci_lower": "Float64",
    "ci_upper": "Float64",
    "status": "string",
    "not_judged_reason": "string",
    "is_within_margin": "boolean",
    "source_ja": "string",
    "note_ja": "string",
}


def compute_indicator_targets(
    targets: pd.DataFrame,
    results: pd.DataFrame,
    wave_years: pd.DataFrame,
    suppression_k: int,
) -> pd.DataFrame:
    """fct_indicator_targets from the targets seed, fct_indicator_results and the fiscal
    years × wave types of the catalog's waves (``wave_years``: fiscal_year, wave_type)."""
    per_year = targets_per_year(targets, wave_years)
    if per_year.empty:  # no targets, or no wave of their wave types
        return pd.DataFrame({column: [] for column in COLUMNS}).astype(COLUMNS)
    estimates = respondent_estimates(results)
    judged = per_year.merge(estimates, on=RESULT_KEY, how="left")
    judged = with_status(judged, suppression_k)
    judged["population"] = RESPONDENTS
    judged["indicator_target_key"] = (
        judged[["fiscal_year", *TARGET_KEY]].astype(str).agg("|".join, axis=1)
    )
    contract = pd.DataFrame({column: judged.get(column) for column in COLUMNS}).astype(COLUMNS)
    return contract.sort_values("indicator_target_key", ignore_index=True)


def targets_per_year(targets: pd.DataFrame, wave_years: pd.DataFrame) -> pd.DataFrame:
    """One row per target × fiscal year; a year's own target wins over the every-year one."""
    targets = targets.loc[:, list(TARGET_COLUMNS)].copy()
    targets["program_code"] = targets["program_code"].fillna(ALL_PROGRAMS).replace("", ALL_PROGRAMS)
    targets["note_ja"] = targets["note_ja"].fillna("")
    every_year = targets[targets["fiscal_year"].isna()].drop(columns="fiscal_year")
    years = wave_years.loc[:, ["fiscal_year", "wave_type"]].drop_duplicates()
    expanded = every_year.merge(years, on="wave_type", how="inner").assign(
        is_every_year_target=True
    )
    one_year = targets[targets["fiscal_year"].notna()].assign(is_every_year_target=False)
    combined = pd.concat([one_year, expanded], ignore_index=True)
    combined["fiscal_year"] = combined["fiscal_year"].astype(int)
    # Year-specific rows come first, so keep="first" drops the overridden every-year row.
    return combined.drop_duplicates(["fiscal_year", *TARGET_KEY], keep="first").reset_index(
        drop=True
    )


def respondent_estimates(results: pd.DataFrame) -> pd.DataFrame:
    """The engine's per-wave rows (population respondents, when the table has populations)."""
    if "population" in results.columns:
        results = results[results["population"] == RESPONDENTS]
    estimates = results.loc[:, list(RESULT_COLUMNS)].copy()
    estimates["fiscal_year"] = estimates["fiscal_year"].astype(int)
    return estimates.drop_duplicates(RESULT_KEY)


def with_status(judged: pd.DataFrame, suppression_k: int) -> pd.DataFrame:
    """METRICS.md: achieved / not_achieved / not_judged (no data, suppressed, or the
    interval's n below k), and whether the target lies inside the 95% interval."""
    statuses, reasons, margins = [], [], []
    for row in judged.itertuples(index=False):
        reason = not_judged_reason(row, suppression_k)
        if reason is not None:
            statuses.append("not_judged")
            reasons.append(reason)
            margins.append(None)
            continue
        meets = OPERATORS[row.operator](float(row.value), float(row.target_value))
        statuses.append("achieved" if meets else "not_achieved")
        reasons.append(None)
        margins.append(bool(float(row.ci_lower) <= row.target_value <= float(row.ci_upper)))
    return judged.assign(status=statuses, not_judged_reason=reasons, is_within_margin=margins)


def not_judged_reason(row: Any, suppression_k: int) -> str | None:
    if pd.isna(row.denominator) or row.denominator == 0 or pd.isna(row.value):
        return "no_data"
    if row.denominator < suppression_k:
        return "denominator_below_k"
    if bool(row.is_suppressed):
        return "suppressed"
    return None
