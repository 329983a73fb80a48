"""The bootstrap's refit on covariate cells gives exactly the weights of panel_weights."""

from __future__ import annotations

import numpy as np
import pytest

from impact_warehouse.transform.comparison_weights import Cells, panel_weights


def _people(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < 0.4).astype(int)
    codes = np.column_stack(
        [rng.integers(0, 3, n), rng.integers(0, 4, n) * (rng.random(n) < 0.9), group * 0]
    )
    return codes, group


@pytest.mark.parametrize("seed", range(5))
def test_cell_weights_are_bit_equal_on_every_draw(seed: int) -> None:
    codes, group = _people(seed)
    cells = Cells.of(codes, group)
    rng = np.random.default_rng(seed)
    followup, panel = np.flatnonzero(group == 1), np.flatnonzero(group == 0)
    for _ in range(20):
        frequency = np.bincount(
            rng.choice(followup, len(followup)), minlength=len(group)
        ) + np.bincount(rng.choice(panel, len(panel)), minlength=len(group))
        expected, _ = panel_weights(codes, group, frequency)
        assert np.array_equal(cells.panel_weights(frequency), expected)


def test_separated_levels_fall_back_to_the_people_as_panel_weights_does() -> None:
    # A level only the panel has (unsupported) and a covariate that separates the groups
    # perfectly among the rest: the model cannot be used and the panel is raked.
    group = np.array([1] * 30 + [0] * 30)
    codes = np.column_stack([group, np.r_[np.zeros(30), np.ones(25), np.full(5, 2)]]).astype(int)
    frequency = np.ones(len(group), dtype=int)
    expected, method = panel_weights(codes, group, frequency)
    assert np.array_equal(Cells.of(codes, group).panel_weights(frequency), expected)
    assert method in {"raking", "none"}
