"""The paired shift's Wilcoxon p-value, computed once per set of differences of a build; the
Wilson interval of a share."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from impact_warehouse.transform.outcome_statistics import WilcoxonOnce, wilcoxon_pratt, with_wilson


def _scipy(differences: np.ndarray) -> float:
    return float(stats.wilcoxon(differences, zero_method="pratt").pvalue)


# scipy enumerates 2^n sign patterns for n <= 13 with ties (a second at 13): small sizes here.
@pytest.mark.parametrize("size", [2, 5, 8, 14, 40, 60])
def test_the_p_value_is_scipys_whatever_the_order(size: int) -> None:
    wilcoxon_once = WilcoxonOnce()
    generator = np.random.default_rng(size)
    for _ in range(10):
        # Answers on a five-point scale: ties and zeros, as real pairs have.
        differences = generator.integers(-3, 4, size).astype(float)
        if not differences.any():
            continue
        expected = _scipy(differences)
        assert wilcoxon_once(differences) == expected
        assert wilcoxon_once(generator.permutation(differences)) == expected


def test_other_differences_of_the_same_size_get_their_own_p_value() -> None:
    # A cache keyed on the wrong thing (the size, the distinct values) would mix these up.
    first = np.array([1.0, 1.0, 2.0, 3.0, -1.0, 0.0])
    second = np.array([1.0, 2.0, 2.0, 3.0, -1.0, 0.0])
    third = np.array([1.0, 1.0, 2.0, 3.0, -1.0, -1.0])
    wilcoxon_once = WilcoxonOnce()
    values = [wilcoxon_once(d) for d in (first, second, third, first)][:3]
    assert values == [_scipy(d) for d in (first, second, third)]
    assert len(set(values)) == 3


def test_no_p_value_when_nothing_changed() -> None:
    assert math.isnan(wilcoxon_pratt(np.zeros(4)))
    assert math.isnan(WilcoxonOnce()(np.zeros(4)))


@pytest.mark.parametrize("size", [7, 9, 12, 20, 28, 37, 39])
def test_a_wilson_interval_holds_its_0_and_100_percent_shares(size: int) -> None:
    """statsmodels puts the bound of 28 of 28 at 1 − 1.1e-16: a negative error bar, which
    stopped a second organisation's report (its "at pre" group is 100 % by definition)."""
    shares = with_wilson(pd.DataFrame({"numerator": [size, 0], "denominator": [size, size]}))
    assert shares.value.tolist() == [1.0, 0.0]
    assert (shares.ci_lower <= shares.value).all() and (shares.value <= shares.ci_upper).all()
    assert shares.ci_upper[0] == 1.0 and shares.ci_lower[1] == 0.0
