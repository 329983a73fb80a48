"""The percentile bootstrap of the adjusted comparison (METRICS.md "Adjusted estimates"), on
every core.

People are drawn with replacement within each group and the panel's weights are refitted on
every draw (:class:`~impact_warehouse.transform.comparison_weights.Cells`). The draws come in
fixed chunks of :data:`CHUNK` resamples, each chunk with its own random stream spawned from the
seed (``numpy.random.SeedSequence``), so the result depends on the seed and the number of
resamples only: one process or eight give the same bits.

Each refit is a statsmodels GLM, pure Python for most of its time, so one process draws on one
core: when the draws are many (MIN_PEOPLE_DRAWS_FOR_WORKERS) the chunks are dealt to worker
processes (:mod:`impact_warehouse.worker_process`), one per usable core. The DuckDB build's
whole computation already runs in a model worker (transform/model_computations.py), which
starts these in turn. The PL/Python and Spark twins run the chunks in their own process
(``workers=1``).
"""

from __future__ import annotations

import logging

import numpy as np
from threadpoolctl import ThreadpoolController

from impact_warehouse.transform.comparison_weights import Cells, encoded
from impact_warehouse.transform.covariate_balance import Groups
from impact_warehouse.worker_process import WorkerCall, WorkerFailed

log = logging.getLogger(__name__)

CHUNK = 25  # resamples per task
# At most this much memory for the weight rows of one matrix product (two rows of people per
# draw): CHUNK draws up to 670,000 people, fewer beyond.
PRODUCT_BUDGET_BYTES = 256 * 1024 * 1024
MAX_WORKERS = 8
# Below this many people × resamples the draws take about as long as starting a worker
# (importing numpy, pandas and statsmodels, about 0.8 s): the demo's 370 people × 1,000
# resamples take 1.2 s in one process and 1.8 s across two workers.
MIN_PEOPLE_DRAWS_FOR_WORKERS = 2_000_000
# A worker that has not answered in this many seconds (a hung import, a stuck disk) is killed
# and its draws are made in the build's process: the build is slower, never stuck.
TIMEOUT_ENV = "IMPACT_BOOTSTRAP_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 900.0


def bootstrap_differences(
    groups: Groups,
    keys: list[tuple[str, str, str]],
    resamples: int,
    seed: int,
    workers: int = 1,
) -> np.ndarray:
    """resamples × len(keys) adjusted differences (points), people drawn with replacement
    within each group, the panel weights refitted on every draw; the chunks run in up to
    ``workers`` processes (at most MAX_WORKERS; 1: in this one), in this one when the draws
    are too few to pay for starting them (MIN_PEOPLE_DRAWS_FOR_WORKERS)."""
    sizes = [min(CHUNK, resamples - start) for start in range(0, resamples, CHUNK)]
    streams = np.random.SeedSequence(seed).spawn(len(sizes))
    tasks = list(zip(streams, sizes, strict=True))
    workers = min(workers, MAX_WORKERS)
    worth_it = len(groups.group) * resamples >= MIN_PEOPLE_DRAWS_FOR_WORKERS
    if workers > 1 and len(tasks) > 1 and worth_it:
        try:
            return _in_worker_processes(groups, keys, tasks, workers)
        except WorkerFailed as error:
            log.warning("bootstrap worker processes failed (%s); resampling in this process", error)
    return _Problem(groups, keys).run(tasks)


Task = tuple[np.random.SeedSequence, int]


def _in_worker_processes(
    groups: Groups, keys: list[tuple[str, str, str]], tasks: list[Task], workers: int
) -> np.ndarray:
    """The tasks dealt round-robin to ``workers`` processes, their draws put back in order."""
    workers = min(workers, len(tasks))
    calls = [
        WorkerCall(
            draws_of,
            groups,
            keys,
            tasks[first::workers],
            label="bootstrap",
            timeout_env=TIMEOUT_ENV,
            default_timeout=DEFAULT_TIMEOUT_SECONDS,
        )
        for first in range(workers)
    ]
    draws: list[np.ndarray] = [np.empty(0)] * len(tasks)
    failures = []
    try:
        for first, call in enumerate(calls):
            try:
                draws[first::workers] = call.result()
            except WorkerFailed as error:  # the others are still waited for
                failures.append(str(error))
    finally:  # interrupted (a task's timeout in Airflow): no worker is left resampling
        for call in calls:
            call.cancel()
    if failures:
        raise WorkerFailed("; ".join(failures))
    return np.vstack(draws)


def draws_of(
    groups: Groups, keys: list[tuple[str, str, str]], tasks: list[Task]
) -> list[np.ndarray]:
    """One array of draws per task (what a worker process computes)."""
    problem = _Problem(groups, keys)
    return [problem.differences(*task) for task in tasks]


class _Problem:
    """What every draw needs, built once per process."""

    def __init__(self, groups: Groups, keys: list[tuple[str, str, str]]) -> None:
        self.group = groups.group
        self.followup_mask = groups.group == 1
        self.panel_mask = groups.group == 0
        self.followup = np.flatnonzero(self.followup_mask)
        self.panel = np.flatnonzero(self.panel_mask)
        # Once, not in every draw: the people × outcomes hits (answered and hit) beside the
        # answered, so one product gives every share's numerator and denominator. Filled
        # column by column: no second people × outcomes array while it is built.
        self.outcome_count = len(keys)
        self.hits_and_answered = np.empty((len(self.group), 2 * len(keys)))
        for column, key in enumerate(keys):
            hit, answered = groups.outcomes[key]
            np.multiply(hit, answered, out=self.hits_and_answered[:, column])
            self.hits_and_answered[:, len(keys) + column] = answered
        self.cells = Cells.of(encoded(groups.profile), groups.group)
        # Found once: each lookup scans the process's loaded libraries (about 2 ms).
        self.blas = ThreadpoolController()
        # Draws per matrix product: CHUNK, fewer when their weight rows would pass the budget.
        self.draws_per_product = int(
            max(1, min(CHUNK, PRODUCT_BUDGET_BYTES // (16 * max(1, len(self.group)))))
        )

    def run(self, tasks: list[Task]) -> np.ndarray:
        draws = [self.differences(stream, size) for stream, size in tasks]
        return np.vstack(draws) if draws else np.empty((0, self.outcome_count))

    def differences(self, stream: np.random.SeedSequence, size: int) -> np.ndarray:
        """``size`` draws from ``stream``: people drawn, the weights refitted, the shares'
        difference. The draws' weights go into one matrix product per ``draws_per_product``
        draws, which reads the people × outcomes matrix once instead of four times a draw:
        at 1000× the demo that reading was half of every draw's time."""
        rng = np.random.default_rng(stream)
        n = len(self.group)
        batch = self.draws_per_product
        draws = np.empty((size, self.outcome_count))
        for first in range(0, size, batch):
            # Always the same shape (unused rows stay 0): a draw's sums do not depend on how
            # many draws share its product, so more resamples only add draws.
            weighted = np.zeros((2, batch, n))
            for row in range(min(batch, size - first)):
                frequency = np.bincount(
                    rng.choice(self.followup, len(self.followup)), minlength=n
                ) + np.bincount(rng.choice(self.panel, len(self.panel)), minlength=n)
                weights = self.cells.panel_weights(frequency) * frequency
                np.multiply(self.followup_mask, weights, out=weighted[0, row])
                np.multiply(self.panel_mask, weights, out=weighted[1, row])
            # One BLAS thread: a threaded product splits its sums by the thread count, so the
            # last bits would follow the machine's cores (or an engine's OMP_NUM_THREADS).
            with self.blas.limit(limits=1, user_api="blas"):
                sums = weighted.reshape(2 * batch, n) @ self.hits_and_answered
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = sums[:, : self.outcome_count] / sums[:, self.outcome_count :]
            # Weighted follow-up share minus weighted panel share, in points, per outcome.
            difference = (shares[:batch] - shares[batch:]) * 100
            draws[first : first + batch] = difference[: min(batch, size - first)]
        return draws
