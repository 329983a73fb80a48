import math

import pytest

from impact_warehouse.benchmarks.growth import growth_exponent, ratio


def test_linear_cost_has_exponent_one() -> None:
    scales = [1, 10, 100, 1000]
    assert growth_exponent(scales, [3.0 * scale for scale in scales]) == pytest.approx(1.0)


def test_quadratic_cost_has_exponent_two() -> None:
    scales = [1, 10, 100]
    assert growth_exponent(scales, [0.5 * scale**2 for scale in scales]) == pytest.approx(2.0)


def test_fixed_cost_flattens_the_slope() -> None:
    scales = [1, 10, 100, 1000]
    exponent = growth_exponent(scales, [20.0 + 0.01 * scale for scale in scales])
    assert exponent is not None and 0 < exponent < 0.5


def test_no_slope_from_one_scale_or_zero_costs() -> None:
    assert growth_exponent([10], [5.0]) is None
    assert growth_exponent([10, 10], [5.0, 6.0]) is None
    assert growth_exponent([1, 10], [0.0, 5.0]) is None


def test_ratio() -> None:
    assert ratio(6.0, 2.0) == 3.0
    assert ratio(6.0, 0.0) is None
    assert ratio(None, 2.0) is None
    assert math.isclose(ratio(1.0, 3.0) or 0, 1 / 3)
