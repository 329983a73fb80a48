"""What the engine measures on each scale, read from the catalog seeds (never named in code).

``scales``, ``scale_measures`` and ``scale_labels`` arrive as frames (the dbt model refs the
seeds; PostgreSQL's PL/Python function reads the same tables), so the DuckDB and PostgreSQL
builds measure exactly what the catalog declares. The catalog check
(``python -m impact_warehouse.catalog``) has already refused unusable rules; the checks here
only stop a build that bypassed it from publishing silently wrong figures.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

_OPERATORS: dict[str, Callable[[pd.Series, float], pd.Series]] = {
    ">=": op.ge,
    "<=": op.le,
    "=": op.eq,
}
# Answers of these value types are numbers: mean, distribution and pairing apply.
NUMERIC_VALUE_TYPES = ("code", "integer", "decimal")
# Countable categories: one distribution row per value.
CATEGORICAL_VALUE_TYPES = ("code", "integer")


@dataclass(frozen=True)
class ShareMeasure:
    scale_code: str
    measure_code: str
    operator: str
    threshold: float
    good_direction: str
    is_primary: bool
    follow_group_at_pre: bool

    def counts(self, values: pd.Series) -> pd.Series:
        """True where an answer meets the rule ``value_numeric <operator> threshold``."""
        return _OPERATORS[self.operator](values, self.threshold)


@dataclass(frozen=True)
class ScaleRules:
    share_measures: tuple[ShareMeasure, ...]
    numeric_scales: frozenset[str]
    categories: dict[str, tuple[float, ...]]  # scale_code → its values, in order

    def measures_of(self, scale_code: str) -> tuple[ShareMeasure, ...]:
        return tuple(m for m in self.share_measures if m.scale_code == scale_code)

    def primary_of(self, scale_code: str) -> ShareMeasure | None:
        return next((m for m in self.measures_of(scale_code) if m.is_primary), None)


def value_measure(value: float) -> str:
    """The distribution measure of one value: value_4, value_10, value_0.5."""
    return f"value_{int(value)}" if float(value).is_integer() else f"value_{value:g}"


def scale_rules(
    scales: pd.DataFrame, scale_measures: pd.DataFrame, scale_labels: pd.DataFrame
) -> ScaleRules:
    numeric = scales[scales["value_type"].isin(NUMERIC_VALUE_TYPES)]
    measures = tuple(
        ShareMeasure(
            scale_code=str(row.scale_code),
            measure_code=str(row.measure_code),
            operator=_checked_operator(row),
            threshold=float(row.threshold),
            good_direction=str(row.good_direction),
            is_primary=_as_bool(row.is_primary),
            follow_group_at_pre=_as_bool(row.follow_group_at_pre),
        )
        for row in scale_measures.sort_values(["scale_code", "measure_code"]).itertuples()
    )
    return ScaleRules(
        share_measures=measures,
        numeric_scales=frozenset(numeric["scale_code"].astype(str)),
        categories=_categories(scales, scale_labels),
    )


def _checked_operator(row: object) -> str:
    operator = str(row.operator).strip()
    if operator not in _OPERATORS:
        raise ValueError(
            f"scale_measures: measure {row.measure_code} of scale {row.scale_code} has operator "
            f"{operator!r}; use one of {list(_OPERATORS)} (run python -m impact_warehouse.catalog)"
        )
    return operator


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if value is not None and not pd.isna(value) else False


def _categories(scales: pd.DataFrame, scale_labels: pd.DataFrame) -> dict[str, tuple[float, ...]]:
    """Labelled scales: their labels' codes; integer scales: min to max by step."""
    categories: dict[str, tuple[float, ...]] = {}
    labelled = scale_labels.groupby("scale_code")["value_code"]
    for row in scales[scales["value_type"].isin(CATEGORICAL_VALUE_TYPES)].itertuples():
        code = str(row.scale_code)
        if code in labelled.groups:
            values = sorted(float(value) for value in labelled.get_group(code))
        elif pd.notna(row.min_value) and pd.notna(row.max_value):
            step = float(row.step) if pd.notna(row.step) and float(row.step) > 0 else 1.0
            values = list(np.arange(float(row.min_value), float(row.max_value) + step / 2, step))
        else:
            continue
        categories[code] = tuple(float(value) for value in values)
    return categories
