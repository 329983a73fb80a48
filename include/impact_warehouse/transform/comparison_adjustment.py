"""The comparison with the panel, three ways (METRICS.md "Adjusted estimates").

Per fiscal year with follow-up and comparison answers and covariates in the catalog
(covariates.csv), for every share measure of an item both groups answered:
- ``raw``: follow-up respondents vs the panel, as published (Newcombe 95% interval);
- ``like_for_like``: the follow-up respondents whose covariate answers all meet the panel's
  screening (covariates.csv panel_screening_values) vs the panel (Newcombe);
- ``adjusted``: the panel re-weighted to the follow-up respondents' covariate distribution,
  weights = the odds p / (1 − p) of a logistic model of being a follow-up respondent on the
  covariates (statsmodels), raking to the respondents' margins when it cannot be fitted;
  panel members with a covariate level no respondent has get weight 0 (they are outside the
  population compared). Interval: percentile bootstrap, people resampled within each group
  and the weights refitted in every resample (seeded).
Balance: the absolute standardised mean difference (ASMD) of every covariate level before and
after weighting. The adjusted row is flagged not trustworthy when the panel's Kish effective
n is below ``min_effective_n`` or any ASMD after weighting is ≥ ASMD_LIMIT.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

# The answer columns read (their own module: transform/adjusted_inputs.py).
from impact_warehouse.transform.adjusted_inputs import COMPARISON_ANSWER_COLUMNS as ANSWER_COLUMNS
from impact_warehouse.transform.comparison_bootstrap import bootstrap_differences
from impact_warehouse.transform.comparison_weights import panel_weights
from impact_warehouse.transform.covariate_balance import BALANCE_COLUMNS, Groups, balance_rows
from impact_warehouse.transform.outcome_rules import ScaleRules
from impact_warehouse.transform.outcome_statistics import difference_in_points
from impact_warehouse.transform.weighting import (
    MISSING,
    in_stable_order,
    kish_n,
    labelled,
    placed,
)

ASMD_LIMIT = 0.1
RESAMPLES = 1000
SEED = 20250
ESTIMATES = ("raw", "like_for_like", "adjusted")
COMPARISON_COLUMNS = {
    "comparison_adjusted_key": "string",
    "fiscal_year": "Int64",
    "item_code": "string",
    "scale_code": "string",
    "indicator_code": "string",
    "measure": "string",
    "good_direction": "string",
    "estimate_type": "string",
    "followup_numerator": "Int64",
    "followup_denominator": "Int64",
    "followup_value": "Float64",
    "comparison_numerator": "Int64",
    "comparison_denominator": "Int64",
    "comparison_value": "Float64",
    "comparison_effective_n": "Float64",
    "difference_points": "Float64",
    "difference_ci_lower": "Float64",
    "difference_ci_upper": "Float64",
    "interval_method": "string",
    "weighting_method": "string",
    "resamples": "Int64",
    "max_asmd_before": "Float64",
    "max_asmd_after": "Float64",
    "is_effective_n_low": "boolean",
    "is_imbalanced": "boolean",
    "is_trustworthy": "boolean",
}


def covariate_profile(
    answers: pd.DataFrame,
    units: pd.Index,
    covariates: pd.DataFrame,
    locate: Callable[[pd.Series], np.ndarray],
) -> pd.DataFrame:
    """One row per unit, one column per covariate item: the code of the unit's last answer
    to it (``MISSING`` when none); ``locate`` gives answers' rows among the units."""
    profile = pd.DataFrame(index=units)
    for item_code in covariates["item_code"].astype(str):
        of_item = answers[answers["item_code"] == item_code]
        profile[item_code] = placed(
            locate(of_item["respondent_key"]),
            labelled(of_item["value_numeric"], _code),
            len(units),
            MISSING,
        )
    return profile


def _code(value: object) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def screening_of(covariates: pd.DataFrame) -> dict[str, set[str]]:
    """Covariate item → the level codes meeting the panel's screening (empty: not screened)."""
    screening = {}
    for row in covariates.itertuples(index=False):
        raw = row.panel_screening_values
        if raw is None or (not isinstance(raw, str) and pd.isna(raw)) or str(raw).strip() == "":
            continue
        screening[str(row.item_code)] = {_code(v) for v in str(raw).split("|") if v.strip()}
    return screening


def groups_of(
    year_answers: pd.DataFrame, covariates: pd.DataFrame, rules: ScaleRules
) -> tuple[Groups, pd.DataFrame]:
    counted = year_answers[
        year_answers["is_counted"].astype(bool) & year_answers["value_numeric"].notna()
    ]
    followup = pd.Index(sorted(set(counted.loc[counted.wave_type == "followup", "respondent_key"])))
    panel = pd.Index(sorted(set(counted.loc[counted.wave_type == "comparison", "respondent_key"])))
    units = followup.append(panel)
    group = np.r_[np.ones(len(followup), dtype=int), np.zeros(len(panel), dtype=int)]
    position = pd.Series(np.arange(len(units)), index=units)
    locate = _locator(position, counted["respondent_key"])
    profile = covariate_profile(counted, units, covariates, locate).reset_index(drop=True)
    covariate_items = set(covariates["item_code"].astype(str))
    outcomes: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
    items = counted[~counted["item_code"].isin(covariate_items)]
    for (item_code, scale_code), item in items.groupby(["item_code", "scale_code"]):
        if set(item["wave_type"]) != {"followup", "comparison"}:
            continue
        item = item.drop_duplicates(["wave_type", "respondent_key"], keep="last")
        at = locate(item["respondent_key"])
        answered = np.zeros(len(units))
        answered[at] = 1.0
        for measure in rules.measures_of(str(scale_code)):
            hit = np.zeros(len(units))
            hit[at] = measure.counts(item["value_numeric"].astype(float)).to_numpy()
            outcomes[(str(item_code), str(scale_code), measure.measure_code)] = (hit, answered)
    return Groups(profile, group, outcomes), items


def _locator(position: pd.Series, keys: pd.Series) -> Callable[[pd.Series], np.ndarray]:
    """Finds a subset of ``keys``' positions in the units. A categorical's categories are
    looked up once for every item, not each item's hundreds of thousands of rows again."""
    if not isinstance(keys.dtype, pd.CategoricalDtype):
        return lambda subset: position.loc[subset].to_numpy()
    of_category = position.reindex(keys.cat.categories).to_numpy(dtype=float)

    def locate(subset: pd.Series) -> np.ndarray:
        if subset.dtype != keys.dtype:
            return position.loc[subset].to_numpy()
        found = of_category[subset.cat.codes.to_numpy()]
        if np.isnan(found).any():  # as position.loc: a key that is no unit is an error
            raise KeyError("a respondent key outside the compared groups")
        return found.astype(np.int64)

    return locate


def compute_comparison_adjustment(
    answers: pd.DataFrame,
    covariates: pd.DataFrame,
    rules: ScaleRules,
    min_effective_n: float,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """fct_comparison_adjusted and fct_covariate_balance; the bootstrap in ``workers``
    processes (the same figures for any number)."""
    answers = in_stable_order(answers[list(ANSWER_COLUMNS)])
    rows, balances = [], []
    if not covariates.empty:
        screening = screening_of(covariates)
        for fiscal_year, year_answers in answers.groupby("fiscal_year"):
            if not {"followup", "comparison"} <= set(year_answers["wave_type"]):
                continue
            groups, items = groups_of(year_answers, covariates, rules)
            if not groups.outcomes:
                continue
            weights, method = panel_weights(groups.profile, groups.group)
            balance = balance_rows(int(fiscal_year), groups, weights, method, screening)
            balances.append(balance)
            rows.extend(
                _estimate_rows(
                    int(fiscal_year),
                    groups,
                    items,
                    weights,
                    method,
                    balance,
                    screening,
                    rules,
                    min_effective_n,
                    resamples,
                    seed,
                    workers,
                )
            )
    comparison = _contract(
        pd.DataFrame(rows),
        COMPARISON_COLUMNS,
        ["fiscal_year", "item_code", "measure", "estimate_type"],
    )
    balance = _contract(
        pd.concat(balances, ignore_index=True) if balances else pd.DataFrame(),
        BALANCE_COLUMNS,
        ["fiscal_year", "item_code", "level"],
    )
    return comparison, balance


def compute_covariate_balance(
    answers: pd.DataFrame, covariates: pd.DataFrame, rules: ScaleRules
) -> pd.DataFrame:
    """fct_covariate_balance alone: the same weights as the adjusted comparison, without its
    bootstrap."""
    answers = in_stable_order(answers[list(ANSWER_COLUMNS)])
    balances = []
    if not covariates.empty:
        screening = screening_of(covariates)
        for fiscal_year, year_answers in answers.groupby("fiscal_year"):
            if not {"followup", "comparison"} <= set(year_answers["wave_type"]):
                continue
            groups, _ = groups_of(year_answers, covariates, rules)
            if not groups.outcomes:
                continue
            weights, method = panel_weights(groups.profile, groups.group)
            balances.append(balance_rows(int(fiscal_year), groups, weights, method, screening))
    frame = pd.concat(balances, ignore_index=True) if balances else pd.DataFrame()
    return _contract(frame, BALANCE_COLUMNS, ["fiscal_year", "item_code", "level"])


def _estimate_rows(
    fiscal_year: int,
    groups: Groups,
    items: pd.DataFrame,
    weights: np.ndarray,
    method: str,
    balance: pd.DataFrame,
    screening: dict[str, set[str]],
    rules: ScaleRules,
    min_effective_n: float,
    resamples: int,
    seed: int,
    workers: int,
) -> list[dict[str, object]]:
    """The three rows (raw, like_for_like, adjusted) of every item measure of the year."""
    keys = sorted(groups.outcomes)
    draws = bootstrap_differences(groups, keys, resamples, seed, workers)
    like = _meets_screening(groups, screening)
    followup, panel = groups.group == 1, groups.group == 0
    asmd_before = float(balance["asmd_before"].max())
    asmd_after = float(balance["asmd_after"].max())
    indicator = items.dropna(subset=["indicator_code"]).drop_duplicates("item_code")
    indicator = indicator.set_index("item_code")["indicator_code"]
    direction = {(m.scale_code, m.measure_code): m.good_direction for m in rules.share_measures}
    rows = []
    for index, (item_code, scale_code, measure) in enumerate(keys):
        hit, answered = groups.outcomes[(item_code, scale_code, measure)]
        common = {
            "fiscal_year": fiscal_year,
            "item_code": item_code,
            "scale_code": scale_code,
            "indicator_code": indicator.get(item_code),
            "measure": measure,
            "good_direction": direction.get((scale_code, measure)),
            "max_asmd_before": asmd_before,
            "max_asmd_after": asmd_after,
        }
        for estimate, members in (("raw", followup), ("like_for_like", followup & like)):
            rows.append({**common, **_newcombe_row(estimate, hit, answered, members, panel)})
        adjusted = _adjusted_row(hit, answered, weights, groups.group, draws[:, index])
        low_n = adjusted["comparison_effective_n"] < min_effective_n
        imbalanced = asmd_after >= ASMD_LIMIT
        rows.append(
            {
                **common,
                **adjusted,
                "weighting_method": method,
                "resamples": resamples,
                "is_effective_n_low": low_n,
                "is_imbalanced": imbalanced,
                "is_trustworthy": not (low_n or imbalanced),
            }
        )
    return rows


def _meets_screening(groups: Groups, screening: dict[str, set[str]]) -> np.ndarray:
    """Who meets the panel's screening on every screened covariate (like-for-like)."""
    like = np.ones(len(groups.group), dtype=bool)
    for variable, levels in screening.items():
        if variable in groups.profile.columns:
            like &= groups.profile[variable].astype(str).isin(levels).to_numpy()
    return like


def _newcombe_row(
    estimate: str, hit: np.ndarray, answered: np.ndarray, members: np.ndarray, panel: np.ndarray
) -> dict[str, object]:
    """An unweighted comparison of ``members`` with the panel (Newcombe 95% interval)."""
    x0, n0 = int(hit[panel].sum()), int(answered[panel].sum())
    x1, n1 = int(hit[members].sum()), int(answered[members].sum())
    difference = difference_in_points(x1, n1, x0, n0) if n1 and n0 else (np.nan,) * 3
    return {
        "estimate_type": estimate,
        "followup_numerator": x1,
        "followup_denominator": n1,
        "followup_value": x1 / n1 if n1 else None,
        "comparison_numerator": x0,
        "comparison_denominator": n0,
        "comparison_value": x0 / n0 if n0 else None,
        "comparison_effective_n": float(n0),
        "difference_points": difference[0],
        "difference_ci_lower": difference[1],
        "difference_ci_upper": difference[2],
        "interval_method": "newcombe",
    }


def _adjusted_row(
    hit: np.ndarray,
    answered: np.ndarray,
    weights: np.ndarray,
    group: np.ndarray,
    draws: np.ndarray,
) -> dict[str, object]:
    """The follow-up respondents vs the re-weighted panel (percentile bootstrap interval)."""
    followup, panel = group == 1, group == 0
    n0 = int(answered[panel].sum())
    x1, n1 = int(hit[followup].sum()), int(answered[followup].sum())
    panel_w = weights * panel * answered
    effective = kish_n(panel_w[panel_w > 0])
    adjusted = float((panel_w * hit).sum() / panel_w.sum()) if panel_w.sum() > 0 else np.nan
    lower, upper = (
        np.nanpercentile(draws, [2.5, 97.5]) if np.isfinite(draws).any() else (np.nan, np.nan)
    )
    return {
        "estimate_type": "adjusted",
        "followup_numerator": x1,
        "followup_denominator": n1,
        "followup_value": x1 / n1 if n1 else None,
        "comparison_denominator": n0,
        "comparison_value": adjusted,
        "comparison_effective_n": effective,
        "difference_points": (x1 / n1 - adjusted) * 100 if n1 else None,
        "difference_ci_lower": lower,
        "difference_ci_upper": upper,
        "interval_method": "bootstrap_percentile",
    }


def _contract(frame: pd.DataFrame, columns: dict[str, str], key: list[str]) -> pd.DataFrame:
    key_column = next(iter(columns))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    frame = frame.assign(**{key_column: frame[key].astype(str).agg("|".join, axis=1)})
    contract = pd.DataFrame({column: frame.get(column) for column in columns})
    return contract.astype(columns).sort_values(key_column, ignore_index=True)
