"""Follow-up non-response (METRICS.md "Adjusted estimates"): who answered a follow-up wave
among those it targeted, and the follow-up shares re-weighted for it.

Per follow-up wave (its survey fiscal year) every targeted participant gets a baseline
profile from the roster and earlier waves: program, cohort fiscal year, employment status at
participation, and, for each item of the attributed cohort's pre and post waves with a
primary share measure, whether the answer met it (``yes``/``no``, ``missing`` when there is
none). Respondents are compared with non-respondents per level (standardised mean
differences); a logistic model of responding on the profile gives weights 1/p for the
respondents, trimmed at 5× the mean weight. Variables enter the model in a fixed order
(roster first, then pre, then post answers) while there are at least EVENTS_PER_PARAMETER
respondents and non-respondents per parameter; when the model still cannot be fitted the
respondents are raked to the targeted margins of the same variables.

Two frames: balance (fiscal year × variable × level) and weighted shares (fiscal year × item
× share measure, the programs pooled), both as contract tables for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The columns read from each large input (their own module: transform/adjusted_inputs.py).
from impact_warehouse.transform.adjusted_inputs import (
    NONRESPONSE_ANSWER_COLUMNS as ANSWER_COLUMNS,
)
from impact_warehouse.transform.adjusted_inputs import (
    NONRESPONSE_PARTICIPATION_COLUMNS as PARTICIPATION_COLUMNS,
)
from impact_warehouse.transform.adjusted_inputs import (
    NONRESPONSE_RESPONSE_COLUMNS as RESPONSE_COLUMNS,
)
from impact_warehouse.transform.adjusted_inputs import (
    NONRESPONSE_TARGET_COLUMNS as TARGET_COLUMNS,
)
from impact_warehouse.transform.outcome_rules import ScaleRules
from impact_warehouse.transform.weighting import (
    MISSING,
    events_allow,
    in_stable_order,
    indicator_columns,
    kish_n,
    labelled,
    logistic_propensity,
    margins,
    model_matrix,
    placed,
    rake,
    smd,
    trimmed,
    weighted_share,
    wilson,
)

FOLLOWUP = "followup"
BASELINE_WAVES = ("pre", "post")
ROSTER_VARIABLES = ("program", "cohort_year", "employment_status")

BALANCE_COLUMNS = {
    "nonresponse_balance_key": "string",
    "fiscal_year": "Int64",
    "variable": "string",
    "variable_kind": "string",
    "wave_type": "string",
    "item_code": "string",
    "level": "string",
    "targeted_n": "Int64",
    "respondents_n": "Int64",
    "nonrespondents_n": "Int64",
    "respondent_share": "Float64",
    "nonrespondent_share": "Float64",
    "targeted_share": "Float64",
    "weighted_respondent_share": "Float64",
    "smd": "Float64",
    "smd_weighted": "Float64",
    "is_in_model": "boolean",
    "weighting_method": "string",
}
SHARE_COLUMNS = {
    "nonresponse_share_key": "string",
    "fiscal_year": "Int64",
    "program_code": "string",
    "item_code": "string",
    "scale_code": "string",
    "indicator_code": "string",
    "measure": "string",
    "good_direction": "string",
    "targeted_n": "Int64",
    "respondents_n": "Int64",
    "numerator": "Int64",
    "denominator": "Int64",
    "value": "Float64",
    "weighted_value": "Float64",
    "effective_n": "Float64",
    "ci_lower": "Float64",
    "ci_upper": "Float64",
    "max_weight_ratio": "Float64",
    "weighting_method": "string",
    "is_effective_n_low": "boolean",
}


@dataclass(frozen=True)
class WaveWeights:
    profile: pd.DataFrame  # one row per targeted participant (index participant_key)
    responded: np.ndarray
    weights: np.ndarray  # one per targeted participant; 0 for non-respondents
    method: str
    variables: tuple[str, ...]


def response_weights(profile: pd.DataFrame, responded: np.ndarray) -> WaveWeights:
    """Weights 1 / P(respond | profile) for respondents, trimmed at 5× their mean."""
    group = responded.astype(int)
    # Each variable's columns once: the forward selection only counts the columns of each
    # trial model (model_matrix's: the intercept and these, by name), and the chosen model is
    # built from them.
    indicators = {
        variable: indicator_columns(profile, variable, group) for variable in profile.columns
    }
    chosen: list[str] = []
    parameters = 1
    for variable in profile.columns:
        trial = [*chosen, variable]
        size = 1 + len(set().union(*(indicators[name] for name in trial)))
        # A variable that adds no parameter (one level, or levels only one group has) cannot
        # explain responding: leave it out rather than fit an intercept-only model.
        if size > parameters and events_allow(size, group):
            chosen, parameters = trial, size
    respondents = responded.astype(bool)
    weights = np.zeros(len(profile))
    if respondents.sum() == 0:
        return WaveWeights(profile, responded, weights, "none", tuple(chosen))
    if respondents.all():
        return WaveWeights(profile, responded, np.ones(len(profile)), "none", tuple(chosen))
    probability = (
        logistic_propensity(model_matrix(profile, chosen, group, indicators), group)
        if chosen
        else None
    )
    if probability is not None:
        raw = 1 / probability[respondents]
        method = "logistic"
    else:
        # Raking uses the roster variables when the model had room for none.
        chosen = chosen or [v for v in ROSTER_VARIABLES if v in profile.columns]
        respondent_profile = profile[respondents]
        raw = rake(respondent_profile, chosen, margins(profile, chosen))
        raw = raw * len(profile) / raw.sum()
        method = "raking"
    weights[respondents] = trimmed(raw)
    return WaveWeights(profile, responded, weights, method, tuple(chosen))


def baseline_profiles(
    targets: pd.DataFrame,
    cohorts: pd.DataFrame,
    participation: pd.DataFrame,
    answers: pd.DataFrame,
    rules: ScaleRules,
) -> pd.DataFrame:
    """One row per targeted participant of one wave (index participant_key), one column per
    profile variable, every value a level label."""
    cohort_year = cohorts.set_index(cohorts["cohort_code"].astype(object))["fiscal_year"]
    keys = ["participant_key", "cohort_code"]
    employment = participation.drop_duplicates(keys)
    employment = employment.set_index(
        pd.MultiIndex.from_arrays([employment[key].astype(object) for key in keys])
    )["employment_status_code"]
    # Looked up for all targets at once: row by row, at 1000× the demo, it took 6 s.
    target_keys = pd.MultiIndex.from_arrays([targets[key].astype(object) for key in keys])
    profile = pd.DataFrame(
        {
            "program": targets["program_code"].astype(str).to_numpy(),
            "cohort_year": labelled(
                cohort_year.reindex(targets["cohort_code"].astype(object)), _level
            ),
            "employment_status": labelled(employment.reindex(target_keys), _level),
        },
        index=pd.Index(targets["participant_key"].astype(str), name="participant_key"),
    )
    baseline = answers[
        answers["wave_type"].isin(BASELINE_WAVES) & answers["is_counted"].astype(bool)
    ].merge(targets[["participant_key", "cohort_code"]], on=["participant_key", "cohort_code"])
    for wave_type in BASELINE_WAVES:
        of_wave = baseline[baseline["wave_type"] == wave_type]
        # Each answer's row of the profile, found once per wave, not once per item.
        rows = profile.index.get_indexer(of_wave["participant_key"].astype(str))
        by_item = of_wave.groupby("item_code", observed=True).indices
        for item_code, positions in sorted(by_item.items(), key=lambda group: group[0]):
            item_answers = of_wave.iloc[positions]
            measure = rules.primary_of(str(item_answers["scale_code"].iloc[0]))
            if measure is None:
                continue
            met = measure.counts(item_answers["value_numeric"].astype(float))
            profile[f"{wave_type}:{item_code}"] = placed(
                rows[positions], np.where(met, "yes", "no"), len(profile), MISSING
            )
    return profile


def _level(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def balance_rows(fiscal_year: int, wave: WaveWeights) -> pd.DataFrame:
    profile, responded = wave.profile, wave.responded.astype(bool)
    rows = []
    for variable in profile.columns:
        values = profile[variable].astype(str).to_numpy()
        kind, wave_type, item_code = _variable_parts(variable)
        for level in sorted(np.unique(values)):
            hit = (values == level).astype(float)
            respondent = hit[responded].mean() if responded.any() else np.nan
            nonrespondent = hit[~responded].mean() if (~responded).any() else np.nan
            weighted = weighted_share(hit[responded], wave.weights[responded])
            rows.append(
                {
                    "fiscal_year": fiscal_year,
                    "variable": variable,
                    "variable_kind": kind,
                    "wave_type": wave_type,
                    "item_code": item_code,
                    "level": level,
                    "targeted_n": int(hit.sum()),
                    "respondents_n": int(hit[responded].sum()),
                    "nonrespondents_n": int(hit[~responded].sum()),
                    "respondent_share": respondent,
                    "nonrespondent_share": nonrespondent,
                    "targeted_share": hit.mean(),
                    "weighted_respondent_share": weighted,
                    "smd": _smd_or_nan(respondent, nonrespondent, respondent, nonrespondent),
                    # After weighting, the respondents stand for everyone targeted.
                    "smd_weighted": _smd_or_nan(weighted, hit.mean(), respondent, nonrespondent),
                    "is_in_model": variable in wave.variables,
                    "weighting_method": wave.method,
                }
            )
    return pd.DataFrame(rows)


def _smd_or_nan(a: float, b: float, pooled_a: float, pooled_b: float) -> float:
    if any(pd.isna(x) for x in (a, b, pooled_a, pooled_b)):
        return np.nan
    return smd(a, b, pooled_a, pooled_b)


def _variable_parts(variable: str) -> tuple[str, str | None, str | None]:
    if ":" in variable:
        wave_type, item_code = variable.split(":", 1)
        return "answer", wave_type, item_code
    return variable, None, None


def weighted_share_rows(
    fiscal_year: int,
    wave: WaveWeights,
    followup_answers: pd.DataFrame,
    rules: ScaleRules,
    min_effective_n: float,
) -> pd.DataFrame:
    """Each follow-up item × share measure: raw and non-response-weighted share of the
    respondents who answered it, Kish's effective n and a Wilson interval on it."""
    weight_of = pd.Series(wave.weights, index=wave.profile.index)
    responded = set(wave.profile.index[wave.responded.astype(bool)])
    counted = followup_answers[
        followup_answers["is_counted"].astype(bool)
        & followup_answers["participant_key"].astype(str).isin(responded)
        & followup_answers["value_numeric"].notna()
    ]
    rows = []
    for (item_code, scale_code), item in counted.groupby(["item_code", "scale_code"]):
        item = item.drop_duplicates("participant_key", keep="last")
        weights = weight_of.loc[item["participant_key"].astype(str)].to_numpy()
        for measure in rules.measures_of(str(scale_code)):
            hits = measure.counts(item["value_numeric"].astype(float)).to_numpy().astype(float)
            effective = kish_n(weights)
            value = weighted_share(hits, weights)
            lower, upper = wilson(value, effective)
            rows.append(
                {
                    "fiscal_year": fiscal_year,
                    "program_code": "all",
                    "item_code": item_code,
                    "scale_code": scale_code,
                    "indicator_code": _first(item.get("indicator_code")),
                    "measure": measure.measure_code,
                    "good_direction": measure.good_direction,
                    "targeted_n": len(wave.profile),
                    "respondents_n": int(wave.responded.sum()),
                    "numerator": int(hits.sum()),
                    "denominator": len(hits),
                    "value": hits.mean(),
                    "weighted_value": value,
                    "effective_n": effective,
                    "ci_lower": lower,
                    "ci_upper": upper,
                    "max_weight_ratio": float(weights.max() / weights.mean()),
                    "weighting_method": wave.method,
                    "is_effective_n_low": effective < min_effective_n,
                }
            )
    return pd.DataFrame(rows)


def _first(values: pd.Series | None) -> object:
    if values is None:
        return None
    present = values.dropna()
    return present.iloc[0] if len(present) else None


def compute_nonresponse(
    wave_targets: pd.DataFrame,
    waves: pd.DataFrame,
    cohorts: pd.DataFrame,
    participation: pd.DataFrame,
    responses: pd.DataFrame,
    answers: pd.DataFrame,
    rules: ScaleRules,
    min_effective_n: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """fct_nonresponse_balance and fct_nonresponse_weighted_shares for every follow-up wave."""
    wave_targets, participation, responses, answers = (
        in_stable_order(frame[list(columns)])
        for frame, columns in (
            (wave_targets, TARGET_COLUMNS),
            (participation, PARTICIPATION_COLUMNS),
            (responses, RESPONSE_COLUMNS),
            (answers, ANSWER_COLUMNS),
        )
    )
    followups = waves[waves["wave_type"] == FOLLOWUP]
    balances, shares = [], []
    for wave in followups.itertuples(index=False):
        targets = wave_targets[wave_targets["wave_code"] == wave.wave_code]
        if targets.empty:
            continue
        targets = targets.drop_duplicates("participant_key").reset_index(drop=True)
        of_wave = responses[
            (responses["wave_code"] == wave.wave_code) & responses["is_counted"].astype(bool)
        ]
        responded = targets["participant_key"].isin(set(of_wave["participant_key"])).to_numpy()
        if not responded.any():
            continue
        profile = baseline_profiles(targets, cohorts, participation, answers, rules)
        weights = response_weights(profile, responded)
        fiscal_year = int(wave.fiscal_year)
        balances.append(balance_rows(fiscal_year, weights))
        followup_answers = answers[answers["wave_code"] == wave.wave_code]
        shares.append(
            weighted_share_rows(fiscal_year, weights, followup_answers, rules, min_effective_n)
        )
    balance = _contract(balances, BALANCE_COLUMNS, ["fiscal_year", "variable", "level"])
    share = _contract(
        shares, SHARE_COLUMNS, ["fiscal_year", "program_code", "item_code", "measure"]
    )
    return balance, share


def _contract(frames: list[pd.DataFrame], columns: dict[str, str], key: list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    key_column = next(iter(columns))
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype=kind) for column, kind in columns.items()})
    frame = pd.concat(frames, ignore_index=True)
    frame[key_column] = frame[key].astype(str).agg("|".join, axis=1)
    contract = pd.DataFrame({column: frame.get(column) for column in columns})
    return contract.astype(columns).sort_values(key_column, ignore_index=True)
