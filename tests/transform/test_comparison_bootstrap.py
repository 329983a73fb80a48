"""The bootstrap's refit on covariate cells gives exactly the weights of panel_weights, and
its draws depend on the seed and the number of resamples, never on the worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from impact_warehouse import worker_process
from impact_warehouse.transform import comparison_bootstrap
from impact_warehouse.transform.comparison_bootstrap import CHUNK, bootstrap_differences
from impact_warehouse.transform.comparison_weights import Cells, panel_weights
from impact_warehouse.transform.covariate_balance import Groups


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


def _groups(seed: int = 3, n: int = 240) -> tuple[Groups, list[tuple[str, str, str]]]:
    codes, group = _people(seed, n)
    rng = np.random.default_rng(seed + 100)
    profile = pd.DataFrame({"age": codes[:, 0].astype(str), "region": codes[:, 1].astype(str)})
    keys = [("item_a", "scale", "top"), ("item_b", "scale", "top")]
    outcomes = {
        key: ((rng.random(n) < 0.5 + 0.1 * group).astype(float), np.ones(n)) for key in keys
    }
    return Groups(profile, group, outcomes), keys


@pytest.fixture
def workers_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes even for these small problems (the demo's is too small for them)."""
    monkeypatch.setattr(comparison_bootstrap, "MIN_PEOPLE_DRAWS_FOR_WORKERS", 0)


def test_draws_too_few_to_pay_for_a_worker_are_made_in_this_process(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    groups, keys = _groups()
    alone = bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=1)
    monkeypatch.setattr(worker_process.sys, "executable", "/bin/false")  # a worker would fail
    assert np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=2), alone)
    assert "bootstrap worker processes failed" not in caplog.text
    monkeypatch.setattr(comparison_bootstrap, "MIN_PEOPLE_DRAWS_FOR_WORKERS", 240 * 2 * CHUNK)
    assert np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=2), alone)
    assert "bootstrap worker processes failed" in caplog.text  # at the threshold: workers


@pytest.mark.usefixtures("workers_for_any_size")
def test_worker_processes_give_the_same_bits_as_one_process() -> None:
    groups, keys = _groups()
    resamples = 2 * CHUNK + 7  # a last chunk shorter than the others
    alone = bootstrap_differences(groups, keys, resamples, seed=20250, workers=1)
    pooled = bootstrap_differences(groups, keys, resamples, seed=20250, workers=2)
    assert alone.shape == (resamples, len(keys)) and np.isfinite(alone).all()
    assert np.array_equal(alone, pooled)
    assert len(np.unique(alone[:, 0])) > resamples // 2  # every draw is its own resample


def _resample_differences(groups: Groups, keys: list, resamples: int, seed: int) -> np.ndarray:
    """The draws computed plainly, one resample at a time, from the same random streams."""
    group, n = groups.group, len(groups.group)
    followup, panel = np.flatnonzero(group == 1), np.flatnonzero(group == 0)
    sizes = [min(CHUNK, resamples - start) for start in range(0, resamples, CHUNK)]
    rows = []
    for stream, size in zip(np.random.SeedSequence(seed).spawn(len(sizes)), sizes, strict=True):
        rng = np.random.default_rng(stream)
        for _ in range(size):
            frequency = np.bincount(rng.choice(followup, len(followup)), minlength=n)
            frequency += np.bincount(rng.choice(panel, len(panel)), minlength=n)
            weights = panel_weights(groups.profile, group, frequency)[0] * frequency
            row = []
            for key in keys:
                hit, answered = groups.outcomes[key]
                shares = [
                    np.sum(weights * hit * answered * members)
                    / np.sum(weights * answered * members)
                    for members in (group == 1, group == 0)
                ]
                row.append((shares[0] - shares[1]) * 100)
            rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize("draws_per_product", [None, 2])
def test_each_draw_is_the_share_difference_of_its_own_resample(
    monkeypatch: pytest.MonkeyPatch, draws_per_product: int | None
) -> None:
    """Several draws share one matrix product: each must still be its own resample's weighted
    follow-up share minus the panel's, also when a product holds fewer draws than a chunk."""
    groups, keys = _groups()
    rng = np.random.default_rng(11)
    for key, (hit, answered) in list(groups.outcomes.items()):
        groups.outcomes[key] = (hit, (rng.random(len(answered)) < 0.8).astype(float))
    if draws_per_product is not None:  # the budget of that many draws' weight rows
        budget = draws_per_product * 16 * len(groups.group)
        monkeypatch.setattr(comparison_bootstrap, "PRODUCT_BUDGET_BYTES", budget)
    resamples = CHUNK + 5
    draws = bootstrap_differences(groups, keys, resamples, seed=20250)
    expected = _resample_differences(groups, keys, resamples, seed=20250)
    assert draws.shape == expected.shape == (resamples, len(keys))
    np.testing.assert_allclose(draws, expected, rtol=1e-12, atol=1e-9)


_DRAWS_WITH_BLAS_THREADS = """
import hashlib, sys
import numpy as np
import pandas as pd
from impact_warehouse.transform.comparison_bootstrap import bootstrap_differences
from impact_warehouse.transform.covariate_balance import Groups
rng = np.random.default_rng(5)
n = 400
group = (rng.random(n) < 0.4).astype(int)
profile = pd.DataFrame({"age": rng.integers(0, 3, n).astype(str)})
keys = [(f"item_{i}", "scale", "top") for i in range(24)]
outcomes = {
    key: ((rng.random(n) < 0.5).astype(float), (rng.random(n) < 0.8).astype(float))
    for key in keys
}
draws = bootstrap_differences(Groups(profile, group, outcomes), keys, 50, seed=1)
sys.stdout.write(hashlib.sha256(draws.tobytes()).hexdigest())
"""


def test_the_draws_do_not_follow_the_blas_thread_count() -> None:
    """OpenBLAS takes its thread count from the machine's cores or OMP_NUM_THREADS (set for
    Spark's Python workers): a threaded product sums in another order, so the last bits of
    the same data's draws would differ from machine to machine and engine to engine."""
    digests = set()
    for threads in ("1", "2"):
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": threads}
        done = subprocess.run(
            [sys.executable, "-c", _DRAWS_WITH_BLAS_THREADS],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        digests.add(done.stdout)
    assert len(digests) == 1


def test_more_resamples_extend_the_draws_and_another_seed_changes_them() -> None:
    groups, keys = _groups()
    fewer = bootstrap_differences(groups, keys, 2 * CHUNK, seed=7)
    more = bootstrap_differences(groups, keys, 3 * CHUNK, seed=7)
    assert np.array_equal(more[: 2 * CHUNK], fewer)
    assert not np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=8), fewer)


@pytest.mark.usefixtures("workers_for_any_size")
@pytest.mark.parametrize("executable", ["/bin/echo", "/bin/false"])
def test_workers_that_answer_nonsense_or_fail_leave_the_draws_to_this_process(
    executable: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    groups, keys = _groups()
    alone = bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=1)
    monkeypatch.setattr(worker_process.sys, "executable", executable)
    assert np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=2), alone)
    assert "bootstrap worker processes failed" in caplog.text


@pytest.mark.usefixtures("workers_for_any_size")
def test_a_worker_that_hangs_is_killed_and_its_draws_made_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    groups, keys = _groups()
    alone = bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=1)
    hanging = tmp_path / "hanging-python"
    hanging.write_text("#!/bin/sh\nexec sleep 600\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(worker_process.sys, "executable", str(hanging))
    monkeypatch.setenv(comparison_bootstrap.TIMEOUT_ENV, "0.5")
    assert np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=2), alone)
    assert "no answer within 0.5 s (IMPACT_BOOTSTRAP_WORKER_TIMEOUT)" in caplog.text


@pytest.mark.usefixtures("workers_for_any_size")
def test_a_module_in_the_working_directory_cannot_shadow_the_workers_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """dbt runs in the DuckDB file's folder (transform/dbt_runner.py); a numpy.py there must
    not be what a worker imports."""
    groups, keys = _groups()
    alone = bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=1)
    (tmp_path / "numpy.py").write_text("raise SystemExit('a planted numpy ran')\n")
    monkeypatch.chdir(tmp_path)
    assert np.array_equal(bootstrap_differences(groups, keys, 2 * CHUNK, seed=5, workers=2), alone)
    assert "bootstrap worker processes failed" not in caplog.text
