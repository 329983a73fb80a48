"""Weighting primitives of METRICS.md "Adjusted estimates", shared by the non-response
weights (transform/nonresponse.py) and the comparison adjustment
(transform/comparison_adjustment.py).

Everything works on categorical profiles: one row per person, one column per variable, every
value a level label (a missing answer is the level ``missing``, never dropped). Propensities
come from statsmodels' logistic GLM; when it cannot be fitted (separation, no convergence, too
few people per parameter) the caller rakes to the target margins instead (``rake``), so no
optimisation is hand-rolled beyond iterative proportional fitting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

# statsmodels.api imports every model family and time-series module: a quarter second of
# the build's one interpreter for the binomial GLM used here.
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM

from impact_warehouse.transform.model_warnings import recorded_warnings

MISSING = "missing"


def in_stable_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by every column, each text column a categorical in text order. An
    engine returns a table's rows in no set order, and the fits, the sums and the seeded
    bootstrap depend on it (last-digit differences, or other resamples): sorting first makes
    two builds of the same data publish the same figures. Categoricals because the answers are
    millions of rows of a few hundred codes: sorting, copying and grouping their integer codes
    is many times faster than their strings, and every engine's frame takes the same path
    (a DuckDB model's comes as categoricals already: transform/duckdb_frames.py)."""
    frame = frame.assign(
        **{
            column: _in_text_order(frame[column])
            for column in frame.columns
            if _is_text(frame[column])
        }
    )
    if frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(list(frame.columns), kind="mergesort", na_position="last").reset_index(
        drop=True
    )


def labelled(values: pd.Series, label: Callable[[object], str]) -> np.ndarray:
    """``label`` of every value, called once per distinct value (a missing one included), not
    once per person: at 1000× the demo that was seconds of Python calls."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    return np.array([label(value) for value in distinct], dtype=object)[codes]


def placed(rows: np.ndarray, values: np.ndarray, length: int, missing: str) -> np.ndarray:
    """An object array of ``length`` with ``values[i]`` at ``rows[i]`` (the last one where a
    row repeats; a row of -1 is no row) and ``missing`` elsewhere. With the rows found once,
    a column per item is a numpy assignment: looked up item by item (``Index.map``), which
    casts every element in Python, the profiles took seconds at 1000× the demo."""
    column = np.full(length, missing, dtype=object)
    found = rows >= 0
    rows, values = rows[found], np.asarray(values, dtype=object)[found]
    last = ~pd.Index(rows).duplicated(keep="last")
    column[rows[last]] = values[last]
    return column


def _is_text(values: pd.Series) -> bool:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return pd.api.types.infer_dtype(values.cat.categories, skipna=True) == "string"
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string"


def _in_text_order(values: pd.Series) -> pd.Series:
    """``values`` as a categorical whose categories are in text order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        if categories.is_monotonic_increasing:
            return values
        return values.cat.reorder_categories(categories.sort_values())
    return values.astype(pd.CategoricalDtype(pd.Index(values.dropna().unique()).sort_values()))


CONFIDENCE = 0.95
# Weights above this multiple of the mean weight are capped there (METRICS.md).
TRIM_MULTIPLE = 5.0
# Fewest people of the smaller outcome group per model parameter: below it a logistic model
# over-fits (Vittinghoff & McCulloch 2007 relax the classic 10 to 5) and the caller rakes.
EVENTS_PER_PARAMETER = 5
# A fitted probability this close to 0 or 1 means (quasi-)separation: the model is not used.
SEPARATION_EPSILON = 1e-6
RAKE_ITERATIONS = 200
RAKE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Propensity:
    """P(group = 1 | profile) per person, and how it was obtained."""

    probability: np.ndarray
    method: str  # logistic | raking
    variables: tuple[str, ...]


def model_matrix(
    profile: pd.DataFrame,
    variables: list[str],
    group: np.ndarray,
    indicators: Mapping[str, dict[str, np.ndarray]] | None = None,
) -> pd.DataFrame:
    """Intercept plus one indicator per non-reference level. The most common level is the
    reference; a level nobody in one of the two groups has is merged into the reference, since
    its coefficient would run to infinity (separation) and it carries no balancing
    information. ``indicators``: variables' :func:`indicator_columns` already made."""
    columns = {"const": np.ones(len(profile))}
    for variable in variables:
        if indicators is not None and variable in indicators:
            columns.update(indicators[variable])
        else:
            columns.update(indicator_columns(profile, variable, group))
    return pd.DataFrame(columns, index=profile.index)


def indicator_columns(
    profile: pd.DataFrame, variable: str, group: np.ndarray
) -> dict[str, np.ndarray]:
    """One variable's columns of :func:`model_matrix`, named ``<variable>=<level>``."""
    values = profile[variable].astype(str).to_numpy()
    levels = pd.Series(values).value_counts()
    columns = {}
    for level in levels.index[1:]:
        hit = values == level
        if hit[group == 1].any() and hit[group == 0].any():
            columns[f"{variable}={level}"] = hit.astype(float)
    return columns


def logistic_propensity(
    design: pd.DataFrame | np.ndarray, group: np.ndarray, frequency: np.ndarray | None = None
) -> np.ndarray | None:
    """Fitted P(group = 1) per row from statsmodels' binomial GLM, or None when it cannot be
    trusted (no convergence, separation, non-finite estimates). People with the same design
    row and group are fitted as one row with their count as frequency weight: the same
    likelihood, so the same estimates, at a fraction of the cost (the bootstrap refits it a
    thousand times)."""
    frequency = np.ones(len(group)) if frequency is None else np.asarray(frequency, float)
    matrix = np.asarray(design, dtype=float)
    rows = np.column_stack([matrix, group])
    unique, inverse = np.unique(rows, axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=frequency, minlength=len(unique))
    keep = counts > 0
    with recorded_warnings():
        try:
            model = GLM(
                unique[keep, -1],
                unique[keep, :-1],
                family=Binomial(),
                freq_weights=counts[keep],
            )
            fit = model.fit(maxiter=100)
        except Exception:
            return None
    if not getattr(fit, "converged", True) or not np.isfinite(fit.params).all():
        return None
    probability = np.asarray(fit.predict(matrix), dtype=float)
    if not np.isfinite(probability).all():
        return None
    if ((probability < SEPARATION_EPSILON) | (probability > 1 - SEPARATION_EPSILON)).any():
        return None
    return probability


def events_allow(parameters: int, group: np.ndarray) -> bool:
    smaller = min(int((group == 1).sum()), int((group == 0).sum()))
    return smaller >= EVENTS_PER_PARAMETER * parameters


def rake(
    profile: pd.DataFrame,
    variables: list[str],
    targets: dict[str, pd.Series],
    base: np.ndarray | None = None,
) -> np.ndarray:
    """Iterative proportional fitting: weights for ``profile`` whose margins on ``variables``
    match ``targets`` (variable → share per level). A level of the target nobody in
    ``profile`` has cannot be matched: the target is renormalised over the levels present."""
    weights = np.ones(len(profile)) if base is None else base.astype(float).copy()
    if len(profile) == 0:
        return weights
    columns = {variable: profile[variable].astype(str).to_numpy() for variable in variables}
    for _ in range(RAKE_ITERATIONS):
        change = 0.0
        for variable in variables:
            values = columns[variable]
            present = targets[variable][targets[variable].index.isin(np.unique(values))]
            if present.sum() <= 0:
                continue
            present = present / present.sum()
            total = weights.sum()
            for level, share in present.items():
                hit = values == level
                current = weights[hit].sum()
                if current > 0:
                    factor = share * total / current
                    change = max(change, abs(factor - 1))
                    weights[hit] *= factor
        if change < RAKE_TOLERANCE:
            break
    return weights


def margins(
    profile: pd.DataFrame, variables: list[str], weights: np.ndarray | None = None
) -> dict[str, pd.Series]:
    weights = np.ones(len(profile)) if weights is None else weights
    return {
        variable: pd.Series(weights).groupby(profile[variable].astype(str).to_numpy()).sum()
        / weights.sum()
        for variable in variables
    }


def trimmed(weights: np.ndarray, multiple: float = TRIM_MULTIPLE) -> np.ndarray:
    """Weights capped at ``multiple`` × their mean (one pass, as METRICS.md says)."""
    if len(weights) == 0:
        return weights
    return np.minimum(weights, multiple * weights.mean())


def kish_n(weights: np.ndarray) -> float:
    """Kish's effective sample size (Σw)² / Σw²."""
    squares = float(np.square(weights).sum())
    return float(weights.sum()) ** 2 / squares if squares > 0 else 0.0


def wilson(share: float, n: float) -> tuple[float, float]:
    """Wilson score 95% interval for a share observed on ``n`` (possibly fractional: Kish's
    effective n) people."""
    if n <= 0 or not np.isfinite(share):
        return (np.nan, np.nan)
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2))
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


def smd(share_a: float, share_b: float, pooled_a: float, pooled_b: float) -> float:
    """Standardised mean difference of an indicator: (a − b) over the pooled SD of the two
    unweighted groups (``pooled_a``, ``pooled_b``), the convention of Austin (2009). Zero when
    neither group varies."""
    spread = np.sqrt((pooled_a * (1 - pooled_a) + pooled_b * (1 - pooled_b)) / 2)
    if spread == 0:
        return 0.0
    return float((share_a - share_b) / spread)


def weighted_share(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return float((values * weights).sum() / total) if total > 0 else np.nan
