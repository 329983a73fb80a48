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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from impact_warehouse.transform.covariate_balance import BALANCE_COLUMNS, Groups, balance_rows
from impact_warehouse.transform.outcome_rules import ScaleRules
from impact_warehouse.transform.outcome_statistics import difference_in_points
from impact_warehouse.transform.weighting import (
    MISSING,
    in_stable_order,
    kish_n,
    logistic_propensity,
    margins,
    rake,
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


def panel_weights(
    profile: pd.DataFrame | np.ndarray, group: np.ndarray, frequency: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """Weights for the panel rows (group 0) that carry the follow-up rows' covariate
    distribution; follow-up rows keep weight 1. ``profile``: covariate levels (a frame, or
    its integer codes as the bootstrap passes them); ``frequency``: how often each row is
    drawn (bootstrap), None = once."""
    codes = encoded(profile) if isinstance(profile, pd.DataFrame) else profile
    frequency = np.ones(len(group)) if frequency is None else frequency.astype(float)
    present = frequency > 0
    supported = np.ones(len(group), dtype=bool)
    for column in codes.T:
        supported &= np.isin(column, column[(group == 1) & present])
    fit_rows = present & (supported | (group == 1))
    weights = np.where(group == 1, 1.0, 0.0)
    panel = fit_rows & (group == 0)
    if not panel.any():
        return weights, "none"
    design = code_matrix(codes[fit_rows], group[fit_rows], frequency[fit_rows])
    probability = logistic_propensity(design, group[fit_rows], frequency[fit_rows])
    if probability is not None:
        weights[fit_rows] = np.where(group[fit_rows] == 1, 1.0, probability / (1 - probability))
        method = "logistic"
    else:
        frame = pd.DataFrame(codes)
        variables = list(frame.columns)
        followup = (group == 1) & present
        target = margins(frame[followup], variables, frequency[followup])
        weights[panel] = (
            rake(frame[panel], variables, target, base=frequency[panel]) / (frequency[panel])
        )
        method = "raking"
    # Scale the panel to the follow-up group's size: the weighted shares do not change.
    panel_total = (weights * frequency)[group == 0].sum()
    if panel_total > 0:
        weights[group == 0] *= frequency[group == 1].sum() / panel_total
    return weights, method


def encoded(profile: pd.DataFrame) -> np.ndarray:
    """The covariate levels as integer codes, one column per covariate."""
    if profile.shape[1] == 0:
        return np.zeros((len(profile), 0), dtype=int)
    return np.column_stack(
        [pd.factorize(profile[column].astype(str), sort=True)[0] for column in profile.columns]
    )


def code_matrix(codes: np.ndarray, group: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """weighting.model_matrix on integer codes (the bootstrap's fast path): intercept plus
    one indicator per level other than the most common, for levels both groups have."""
    columns = [np.ones(len(codes))]
    for column in codes.T:
        counts = np.bincount(column, weights=frequency)
        reference = int(np.argmax(counts))
        both = np.intersect1d(column[group == 1], column[group == 0])
        columns += [(column == level).astype(float) for level in both if level != reference]
    # Column-major, as pandas hands a frame's block over: the same product, the same bits.
    return np.asfortranarray(np.column_stack(columns))


def covariate_profile(
    answers: pd.DataFrame, units: pd.Index, covariates: pd.DataFrame
) -> pd.DataFrame:
    profile = pd.DataFrame(index=units)
    for item_code in covariates["item_code"].astype(str):
        of_item = answers[answers["item_code"] == item_code].drop_duplicates(
            "respondent_key", keep="last"
        )
        codes = of_item.set_index("respondent_key")["value_numeric"].map(_code)
        profile[item_code] = np.asarray(profile.index.map(codes).fillna(MISSING), dtype=object)
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
    profile = covariate_profile(counted, units, covariates).reset_index(drop=True)
    covariate_items = set(covariates["item_code"].astype(str))
    outcomes: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = {}
    items = counted[~counted["item_code"].isin(covariate_items)]
    for (item_code, scale_code), item in items.groupby(["item_code", "scale_code"]):
        if set(item["wave_type"]) != {"followup", "comparison"}:
            continue
        item = item.drop_duplicates(["wave_type", "respondent_key"], keep="last")
        at = position.loc[item["respondent_key"]].to_numpy()
        answered = np.zeros(len(units))
        answered[at] = 1.0
        for measure in rules.measures_of(str(scale_code)):
            hit = np.zeros(len(units))
            hit[at] = measure.counts(item["value_numeric"].astype(float)).to_numpy()
            outcomes[(str(item_code), str(scale_code), measure.measure_code)] = (hit, answered)
    return Groups(profile, group, outcomes), items


def bootstrap_differences(
    groups: Groups, keys: list[tuple[str, str, str]], resamples: int, seed: int
) -> np.ndarray:
    """resamples × len(keys) adjusted differences (points), people drawn with replacement
    within each group, the panel weights refitted on every draw."""
    rng = np.random.default_rng(seed)
    n = len(groups.group)
    followup = np.flatnonzero(groups.group == 1)
    panel = np.flatnonzero(groups.group == 0)
    hits = np.column_stack([groups.outcomes[key][0] for key in keys])
    answered = np.column_stack([groups.outcomes[key][1] for key in keys])
    draws = np.empty((resamples, len(keys)))
    cells = Cells.of(encoded(groups.profile), groups.group)
    for b in range(resamples):
        frequency = np.bincount(rng.choice(followup, len(followup)), minlength=n) + np.bincount(
            rng.choice(panel, len(panel)), minlength=n
        )
        draws[b] = _difference(
            cells.panel_weights(frequency) * frequency, groups.group, hits, answered
        )
    return draws


@dataclass(frozen=True)
class Cells:
    """People with the same covariate levels and group: the bootstrap fits on these few cells
    instead of on every person. The logistic model already sees people with the same design
    row as one row with their count as frequency weight, so the fit gets the same rows in the
    same order and the weights are the same to the last bit as ``panel_weights``."""

    codes: np.ndarray  # one row per person
    group: np.ndarray  # one per person
    cell: np.ndarray  # each person's cell
    cell_codes: np.ndarray  # one row per cell
    cell_group: np.ndarray  # one per cell

    @classmethod
    def of(cls, codes: np.ndarray, group: np.ndarray) -> Cells:
        rows = np.column_stack([codes, group]).astype(int)
        unique, cell = np.unique(rows, axis=0, return_inverse=True)
        return cls(codes, group, cell.ravel(), unique[:, :-1], unique[:, -1])

    def panel_weights(self, frequency: np.ndarray) -> np.ndarray:
        """``panel_weights(codes, group, frequency)[0]``, fitted on the cells."""
        counts = np.bincount(self.cell, weights=frequency, minlength=len(self.cell_group))
        present = counts > 0
        supported = np.ones(len(self.cell_group), dtype=bool)
        for column in self.cell_codes.T:
            supported &= np.isin(column, column[(self.cell_group == 1) & present])
        fit = present & (supported | (self.cell_group == 1))
        if not (fit & (self.cell_group == 0)).any():
            return panel_weights(self.codes, self.group, frequency)[0]
        design = code_matrix(self.cell_codes[fit], self.cell_group[fit], counts[fit])
        probability = logistic_propensity(design, self.cell_group[fit], counts[fit])
        if probability is None:  # raking: rare, and done on people as panel_weights does
            return panel_weights(self.codes, self.group, frequency)[0]
        cell_weights = np.zeros(len(self.cell_group))
        cell_weights[fit] = np.where(
            self.cell_group[fit] == 1, 1.0, probability / (1 - probability)
        )
        frequency = frequency.astype(float)
        weights = np.where(
            fit[self.cell] & (frequency > 0),
            cell_weights[self.cell],
            np.where(self.group == 1, 1.0, 0.0),
        )
        panel_total = (weights * frequency)[self.group == 0].sum()
        if panel_total > 0:
            weights[self.group == 0] *= frequency[self.group == 1].sum() / panel_total
        return weights


def _difference(
    weights: np.ndarray, group: np.ndarray, hits: np.ndarray, answered: np.ndarray
) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        f = (group == 1) * weights
        p = (group == 0) * weights
        share_f = (f @ (hits * answered)) / (f @ answered)
        share_p = (p @ (hits * answered)) / (p @ answered)
    return (share_f - share_p) * 100


def compute_comparison_adjustment(
    answers: pd.DataFrame,
    covariates: pd.DataFrame,
    rules: ScaleRules,
    min_effective_n: float,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """fct_comparison_adjusted and fct_covariate_balance."""
    answers = in_stable_order(answers)
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
) -> list[dict[str, object]]:
    keys = sorted(groups.outcomes)
    draws = bootstrap_differences(groups, keys, resamples, seed)
    like = np.ones(len(groups.group), dtype=bool)
    for variable, levels in screening.items():
        if variable in groups.profile.columns:
            like &= groups.profile[variable].astype(str).isin(levels).to_numpy()
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
        x0, n0 = int(hit[panel].sum()), int(answered[panel].sum())
        for estimate, members in (("raw", followup), ("like_for_like", followup & like)):
            x1, n1 = int(hit[members].sum()), int(answered[members].sum())
            difference = difference_in_points(x1, n1, x0, n0) if n1 and n0 else (np.nan,) * 3
            rows.append(
                {
                    **common,
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
            )
        x1, n1 = int(hit[followup].sum()), int(answered[followup].sum())
        panel_w = weights * panel * answered
        effective = kish_n(panel_w[panel_w > 0])
        adjusted = float((panel_w * hit).sum() / panel_w.sum()) if panel_w.sum() > 0 else np.nan
        lower, upper = (
            np.nanpercentile(draws[:, index], [2.5, 97.5])
            if np.isfinite(draws[:, index]).any()
            else (np.nan, np.nan)
        )
        low_n, imbalanced = effective < min_effective_n, asmd_after >= ASMD_LIMIT
        rows.append(
            {
                **common,
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
                "weighting_method": method,
                "resamples": resamples,
                "is_effective_n_low": low_n,
                "is_imbalanced": imbalanced,
                "is_trustworthy": not (low_n or imbalanced),
            }
        )
    return rows


def _contract(frame: pd.DataFrame, columns: dict[str, str], key: list[str]) -> pd.DataFrame:
    key_column = next(iter(columns))
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    frame = frame.assign(**{key_column: frame[key].astype(str).agg("|".join, axis=1)})
    contract = pd.DataFrame({column: frame.get(column) for column in columns})
    return contract.astype(columns).sort_values(key_column, ignore_index=True)
