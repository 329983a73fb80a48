"""How a cost grows with scale: the slope of log(cost) against log(scale)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def growth_exponent(scales: Sequence[float], costs: Sequence[float]) -> float | None:
    """Least-squares slope of log(cost) on log(scale): 1.0 is linear, 2.0 quadratic.

    None when fewer than two distinct positive scales have a positive cost (no slope).
    """
    points = [
        (math.log(scale), math.log(cost))
        for scale, cost in zip(scales, costs, strict=True)
        if scale > 0 and cost is not None and cost > 0
    ]
    if len({x for x, _ in points}) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _ in points)
    return covariance / variance


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator
