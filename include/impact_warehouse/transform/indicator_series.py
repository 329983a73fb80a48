"""Every share measure as a series across fiscal years (METRICS.md "Multi-year outcome tracking").

The logic of ``marts.fct_indicator_series``, for every engine (the DuckDB dbt Python model
and the PostgreSQL PL/Python function both call :func:`compute_indicator_series`). It reads
the engine's per-wave share rows (population ``respondents``) and adds, per fiscal year:

- the difference to the previous fiscal year of the series, in points, with a Newcombe
  (hybrid Wilson) 95% interval: the cohorts are different people, so the two shares are
  independent (statsmodels ``confint_proportions_2indep``);
- the trend over the series up to that fiscal year, once it has ≥ 3 years: a logistic
  regression of the answer on fiscal year, fitted as a binomial GLM on the successes and
  failures per year (the same likelihood as one row per answer), published as an odds ratio
  per year with its Wald 95% interval and p-value;
- the item's wording version that year, and whether it changed since the previous year of
  the series (``dim_item_wordings``), so a reader sees where a break may be the question's.

Grain: one row per program (each, plus "all") × wave type × item × measure × fiscal year.
Small cells are flagged here and nulled where they are published (reporting models).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# statsmodels.api imports every model family and time-series module: a quarter second of
# the build's one interpreter for the binomial GLM used here.
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.tools import add_constant

from impact_warehouse.transform.model_warnings import fit_failed, recorded_warnings
from impact_warehouse.transform.outcome_statistics import CONFIDENCE, difference_in_points

RESPONDENTS = "respondents"
TREND_MIN_YEARS = 3
SERIES = ["program_code", "wave_type", "item_code", "measure"]
COLUMNS = {
    "indicator_series_key": "string",
    "fiscal_year": "Int64",
    "program_code": "string",
    "population": "string",
    "wave_type": "string",
    "item_code": "string",
    "scale_code": "string",
    "indicator_code": "string",
    "measure": "string",
    "good_direction": "string",
    "is_primary_measure": "boolean",
    "indicator_result_key": "string",
    "numerator": "Int64",
    "denominator": "Int64",
    "value": "Float64",
    "ci_lower": "Float64",
    "ci_upper": "Float64",
    "previous_fiscal_year": "Int64",
    "previous_numerator": "Int64",
    "previous_denominator": "Int64",
    "previous_value": "Float64",
    "difference_points": "Float64",
    "difference_ci_lower": "Float64",
    "difference_ci_upper": "Float64",
    "trend_first_fiscal_year": "Int64",
    "trend_years": "Int64",
    "trend_odds_ratio": "Float64",
    "trend_ci_lower": "Float64",
    "trend_ci_upper": "Float64",
    "trend_p_value": "Float64",
    "wording_valid_from_fy": "Int64",
    "is_wording_changed": "boolean",
    "is_suppressed": "boolean",
    "is_difference_suppressed": "boolean",
    "is_trend_suppressed": "boolean",
}


def compute_indicator_series(
    results: pd.DataFrame, item_wordings: pd.DataFrame, suppression_k: int
) -> pd.DataFrame:
    """fct_indicator_series from fct_indicator_results and dim_item_wordings."""
    shares = share_rows(results)
    rows: list[dict[str, object]] = []
    for _series, group in shares.groupby(SERIES, sort=True):
        rows.extend(series_rows(group.sort_values("fiscal_year"), suppression_k))
    series = pd.DataFrame(rows, columns=[*shares.columns, *_ADDED])
    if series.empty:  # an empty landing still builds every table, with no rows
        return pd.DataFrame({column: [] for column in COLUMNS}).astype(COLUMNS)
    series = with_wordings(series, item_wordings)
    series["population"] = RESPONDENTS
    series["indicator_series_key"] = (
        series[[*SERIES, "fiscal_year"]].astype(str).agg("|".join, axis=1)
    )
    contract = pd.DataFrame({column: series.get(column) for column in COLUMNS}).astype(COLUMNS)
    return contract.sort_values("indicator_series_key", ignore_index=True)


_ADDED = (
    "previous_fiscal_year",
    "previous_numerator",
    "previous_denominator",
    "previous_value",
    "difference_points",
    "difference_ci_lower",
    "difference_ci_upper",
    "trend_first_fiscal_year",
    "trend_years",
    "trend_odds_ratio",
    "trend_ci_lower",
    "trend_ci_upper",
    "trend_p_value",
    "is_suppressed",
    "is_difference_suppressed",
    "is_trend_suppressed",
)


def share_rows(results: pd.DataFrame) -> pd.DataFrame:
    """Per-wave share rows with at least one answer: the measures a series is made of."""
    keep = results["numerator"].notna() & (results["denominator"].fillna(0) > 0)
    if "population" in results.columns:
        keep &= results["population"] == RESPONDENTS
    if "measure_kind" in results.columns:
        keep &= results["measure_kind"] == "share"
    columns = [
        "indicator_result_key",
        "fiscal_year",
        *SERIES,
        "scale_code",
        "indicator_code",
        "numerator",
        "denominator",
        "value",
        "ci_lower",
        "ci_upper",
    ]
    shares = results.loc[keep, columns].copy()
    # Columns of the issue-13 engine table, null on an engine table that predates them.
    for column in ("good_direction", "is_primary_measure"):
        shares[column] = results.loc[keep, column] if column in results.columns else None
    shares["fiscal_year"] = shares["fiscal_year"].astype(int)
    shares["numerator"] = shares["numerator"].astype(int)
    shares["denominator"] = shares["denominator"].astype(int)
    return shares.reset_index(drop=True)


def series_rows(group: pd.DataFrame, suppression_k: int) -> list[dict[str, object]]:
    """One series, oldest year first: each year with its difference and trend so far."""
    rows: list[dict[str, object]] = []
    previous: dict[str, object] | None = None
    for row in group.to_dict("records"):
        own_small = row["denominator"] < suppression_k
        row.update({column: None for column in _ADDED})
        row["is_suppressed"] = own_small
        row["is_difference_suppressed"] = None
        if previous is not None:
            row.update(year_difference(row, previous))
            row["is_difference_suppressed"] = own_small or bool(previous["is_suppressed"])
        so_far = [*rows, row]
        if len(so_far) >= TREND_MIN_YEARS:
            row.update(trend(so_far))
            row["is_trend_suppressed"] = any(past["is_suppressed"] for past in so_far)
        rows.append(row)
        previous = row
    return rows


def year_difference(row: dict[str, object], previous: dict[str, object]) -> dict[str, object]:
    """This year's share minus the previous year's, in points, Newcombe 95% interval."""
    x1, n1 = int(row["numerator"]), int(row["denominator"])
    x0, n0 = int(previous["numerator"]), int(previous["denominator"])
    difference, lower, upper = difference_in_points(x1, n1, x0, n0)
    return {
        "previous_fiscal_year": previous["fiscal_year"],
        "previous_numerator": x0,
        "previous_denominator": n0,
        "previous_value": x0 / n0,
        "difference_points": difference,
        "difference_ci_lower": lower,
        "difference_ci_upper": upper,
    }


# On the log-odds-per-year scale; a real trend over a handful of years is far below this.
MAX_SLOPE_STANDARD_ERROR = 10.0


def trend(rows: list[dict[str, object]]) -> dict[str, object]:
    """Logistic regression of the answer on fiscal year over these years: odds ratio per
    year, Wald 95% interval, p. Null when the model has no finite estimate (every answer
    the same, or perfect separation)."""
    years = np.array([row["fiscal_year"] for row in rows], dtype=float)
    successes = np.array([row["numerator"] for row in rows], dtype=float)
    failures = np.array([row["denominator"] for row in rows], dtype=float) - successes
    found = {"trend_first_fiscal_year": int(years.min()), "trend_years": len(rows)}
    if successes.sum() == 0 or failures.sum() == 0:
        return found
    # Centred years: the slope (the odds ratio per year) is the same, the fit better scaled.
    exog = add_constant(years - years.mean())
    with recorded_warnings() as caught:
        try:
            fit = GLM(np.column_stack([successes, failures]), exog, family=Binomial()).fit()
        except (ValueError, np.linalg.LinAlgError):
            return found
    if fit_failed(caught):
        return found
    slope = float(fit.params[1])
    lower, upper = (float(bound) for bound in fit.conf_int(alpha=1 - CONFIDENCE)[1])
    # Quasi-separation (a run of years at 100%) does not always raise a warning: the fit then
    # "converges" to a slope of -21 with a standard error in the thousands, whose interval
    # overflows to [0, inf]. Whether the warning comes depends on the platform's numerics, so
    # such a fit is treated as separation everywhere: no estimate.
    if not np.isfinite([slope, lower, upper]).all() or fit.bse[1] > MAX_SLOPE_STANDARD_ERROR:
        return found
    return {
        **found,
        "trend_odds_ratio": float(np.exp(slope)),
        "trend_ci_lower": float(np.exp(lower)),
        "trend_ci_upper": float(np.exp(upper)),
        "trend_p_value": float(fit.pvalues[1]),
    }


def with_wordings(series: pd.DataFrame, item_wordings: pd.DataFrame) -> pd.DataFrame:
    """The wording version (its first fiscal year) per row, and whether it differs from the
    previous year's in the series."""
    versions = item_wordings.loc[:, ["item_code", "fiscal_year", "valid_from_fy"]].rename(
        columns={"valid_from_fy": "wording_valid_from_fy"}
    )
    versions = versions.astype({"fiscal_year": int})
    series = series.merge(versions, on=["item_code", "fiscal_year"], how="left")
    previous = versions.rename(
        columns={
            "fiscal_year": "previous_fiscal_year",
            "wording_valid_from_fy": "previous_wording_valid_from_fy",
        }
    )
    series["previous_fiscal_year"] = series["previous_fiscal_year"].astype("Int64")
    previous["previous_fiscal_year"] = previous["previous_fiscal_year"].astype("Int64")
    series = series.merge(previous, on=["item_code", "previous_fiscal_year"], how="left")
    has_both = (
        series["wording_valid_from_fy"].notna() & series["previous_wording_valid_from_fy"].notna()
    )
    series["is_wording_changed"] = has_both & (
        series["wording_valid_from_fy"] != series["previous_wording_valid_from_fy"]
    )
    return series.drop(columns="previous_wording_valid_from_fy")
