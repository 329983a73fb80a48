"""Housework hours per day: plausible draws, then nudged so group means hit the targets.

Values are kept in half-hours (integers) so every answer is a multiple of 0.5 h. The weekly
average per day is (5 × weekday + 2 × weekend) / 7 (METRICS.md), so one half-hour more on a
weekday moves a group's sum by 5 units of 1/14 h and one more on the weekend by 2; any integer
gap is a combination of the two, which lets a group mean land within 1/(14·n) h of its target.
"""

from __future__ import annotations

import random
from collections.abc import Collection

from impact_warehouse.demo.generator.fy2025_targets import TimeUseTarget

HOURS_ITEMS = (
    "housework_hours_weekday_self",
    "housework_hours_weekend_self",
    "housework_hours_weekday_partner",
    "housework_hours_weekend_partner",
)
WEEKDAY_SELF, WEEKEND_SELF, WEEKDAY_PARTNER, WEEKEND_PARTNER = range(4)
# Plausible ranges in half-hours: wives 1–12 h on weekdays, husbands at most 6 h.
_BOUNDS = {
    WEEKDAY_SELF: (2, 24),
    WEEKEND_SELF: (2, 28),
    WEEKDAY_PARTNER: (0, 12),
    WEEKEND_PARTNER: (0, 20),
}
_WEEKDAYS, _WEEKEND_DAYS = 5, 2
_UNITS_PER_HOUR = (
    _WEEKDAYS + _WEEKEND_DAYS
)  # a weekly-average sum counted in 1/14 h with half-hours
Frozen = Collection[tuple[int, int]]


def draw_housework(rng: random.Random) -> list[int]:
    """One respondent's four answers in half-hours (weekday/weekend, self/partner)."""
    weekday_self = rng.gauss(6.3, 1.4)
    weekend_self = weekday_self + rng.gauss(1.2, 1.5)
    weekday_partner = rng.gauss(1.1, 0.7)
    weekend_partner = rng.gauss(3.2, 1.5)
    hours = (weekday_self, weekend_self, weekday_partner, weekend_partner)
    return [_clip(round(value * 2), column) for column, value in enumerate(hours)]


def hours_value(half_hours: int) -> float:
    return half_hours / 2


def calibrate(
    rows: list[list[int]], target: TimeUseTarget, rng: random.Random, frozen: Frozen = ()
) -> None:
    """Nudge ``rows`` in place so the self and partner means equal the target's (± 1/(14·n) h).

    Cells in ``frozen`` (row, column) keep their value (e.g. one typed with full-width digits).
    """
    _calibrate_spouse(rows, WEEKDAY_SELF, WEEKEND_SELF, target.self_hours, rng, frozen)
    _calibrate_spouse(rows, WEEKDAY_PARTNER, WEEKEND_PARTNER, target.partner_hours, rng, frozen)


def _calibrate_spouse(
    rows: list[list[int]],
    weekday: int,
    weekend: int,
    target_mean: float,
    rng: random.Random,
    frozen: Frozen,
) -> None:
    target_total = round(2 * _UNITS_PER_HOUR * len(rows) * target_mean)
    current = sum(_WEEKDAYS * row[weekday] + _WEEKEND_DAYS * row[weekend] for row in rows)
    weekday_steps, weekend_steps = _split_gap(target_total - current)
    _spread(rows, weekday, weekday_steps, rng, frozen)
    _spread(rows, weekend, weekend_steps, rng, frozen)


def _split_gap(gap: int) -> tuple[int, int]:
    """Weekday and weekend half-hour steps with 5·weekday + 2·weekend == gap, mostly weekday."""
    weekday_steps = round(gap / _WEEKDAYS)
    if (gap - _WEEKDAYS * weekday_steps) % 2:
        weekday_steps += 1 if gap > _WEEKDAYS * weekday_steps else -1
    return weekday_steps, (gap - _WEEKDAYS * weekday_steps) // _WEEKEND_DAYS


def _spread(
    rows: list[list[int]], column: int, steps: int, rng: random.Random, frozen: Frozen
) -> None:
    """Add ``steps`` half-hours to ``column``, one per respondent per pass, within bounds."""
    direction = 1 if steps > 0 else -1
    remaining = abs(steps)
    order = [index for index in range(len(rows)) if (index, column) not in frozen]
    rng.shuffle(order)
    low, high = _BOUNDS[column]
    while remaining:
        moved = 0
        for index in order:
            if remaining == moved:
                break
            value = rows[index][column] + direction
            if low <= value <= high:
                rows[index][column] = value
                moved += 1
        if moved == 0:
            raise ValueError(f"time-use target out of reach: {remaining} half-hour steps left")
        remaining -= moved


def _clip(half_hours: int, column: int) -> int:
    low, high = _BOUNDS[column]
    return min(max(half_hours, low), high)
