"""The dbt Python models' computations, in worker processes while dbt builds.

dbt runs the DuckDB Python models inside its own process, in threads that share one
interpreter lock with everything else dbt does: importing pandas' statistics companions (scipy,
statsmodels) and fitting models there stalls every other node, and two heavy models can never
use two cores. While :func:`model_workers` is open (``run_dbt`` opens it around a DuckDB build),
a pool of worker processes, one per usable core, imports the computations' modules while dbt
runs its seeds and SQL models, before the first Python model needs them; each model then
hands its frames to a free worker and takes back its table. dbt's process does not import
scipy or statsmodels while its workers answer.

Outside a build (dbt run by hand, a notebook, a unit test) the computation runs in the calling
process, as it does when a worker fails: the same code, the same result, only slower.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from impact_warehouse.file_lock import timeout_from_env
from impact_warehouse.worker_pool import WorkerPool
from impact_warehouse.worker_process import WorkerFailed, usable_cores

log = logging.getLogger(__name__)

# The functions a model may hand to a worker, by name (a worker imports what it is told to
# call, so the list is closed).
COMPUTATIONS = frozenset(
    {
        "impact_warehouse.transform.comparison_adjustment:compute_comparison_adjustment",
        "impact_warehouse.transform.nonresponse:compute_nonresponse",
        "impact_warehouse.transform.indicator_results:compute_indicator_results",
        "impact_warehouse.transform.indicator_series:compute_indicator_series",
        "impact_warehouse.transform.indicator_targets:compute_indicator_targets",
        "impact_warehouse.transform.voices:compute_voice_codes",
        "impact_warehouse.transform.voices:compute_quote_decisions",
    }
)
WORKERS_ENV = "IMPACT_MODEL_WORKERS"
# More workers than this buy nothing: fewer heavy models than this run at once in a build.
MAX_WORKERS = 4
# A computation that has not answered in this many seconds (a hung import, a stuck disk) is
# killed and made again in dbt's process. The 1000× build's longest takes about 2 minutes.
TIMEOUT_ENV = "IMPACT_MODEL_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 3600.0

_workers: _Workers | None = None


def model_worker_count() -> int:
    """``IMPACT_MODEL_WORKERS``: how many worker processes a build keeps (0: none, at most
    MAX_WORKERS); unset, one per usable core when there are two or more (on one core a worker
    only adds its start-up), at most MAX_WORKERS. 0 when ``IMPACT_MODEL_WORKER_TIMEOUT`` is 0."""
    # Read whether or not workers are used: a misspelt setting fails on every machine, not
    # only on those with a second core. A timeout of 0 would fail every call: no workers.
    if timeout_from_env(TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS) == 0:
        return 0
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if not configured:
        cores = usable_cores()
        return min(cores, MAX_WORKERS) if cores > 1 else 0
    # Each worker is started at once and imports scipy and statsmodels: 999 of them would
    # fill the machine's memory for nothing.
    if not re.fullmatch(r"[0-9]{1,3}", configured) or int(configured) > MAX_WORKERS:
        raise ValueError(
            f"{WORKERS_ENV}={configured!r}: a whole number of processes, 0 (none) to "
            f"{MAX_WORKERS} (fewer heavy models than that run at once in a build)"
        )
    return int(configured)


class _Workers:
    """The pool of one build, started when :meth:`start` is first called."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        with self._lock:
            if self._pool is None and not self._closed:
                log.info("starting %d worker processes for the dbt models", self.count)
                self._pool = WorkerPool(
                    self.count,
                    label="dbt model",
                    preload=sorted({name.partition(":")[0] for name in COMPUTATIONS}),
                    timeout_env=TIMEOUT_ENV,
                    default_timeout=DEFAULT_TIMEOUT_SECONDS,
                )

    def call(self, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
        self.start()  # a computation before dbt said its nodes start (another runner)
        if self._pool is None:
            raise WorkerFailed("dbt model: the build has ended")
        return self._pool.call(run_computation, name, args, kwargs)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool = self._pool
        if pool is not None:
            pool.close()
        answered = 0 if pool is None else pool.answered
        log.info("%d model computations answered by %d worker processes", answered, self.count)


def _no_start() -> None:
    """No workers to start (none wanted, or the outer block's)."""


@contextmanager
def model_workers(*, enabled: bool = True) -> Iterator[Callable[[], None]]:
    """Computations handed to worker processes until the block ends (nested: the outer's;
    ``enabled`` False: none, the block runs them in the calling process).

    Yields ``start``: the workers start when it is called, or at the first computation.
    dbt's runner calls it when dbt's nodes begin to run: the workers' imports then overlap
    the seeds and the SQL models instead of slowing dbt's own start-up and parse (the second
    core is free then; dbt's process is bound to one by its interpreter lock)."""
    global _workers
    count = model_worker_count() if enabled else 0
    if count == 0 or _workers is not None:
        yield _no_start
        return
    workers = _Workers(count)
    _workers = workers
    try:
        yield workers.start
    finally:
        _workers = None
        workers.close()


class Computation:
    """One of :data:`COMPUTATIONS` by name. Called, it runs in a model worker while a build
    has them, else here. It stands in for the function (the same module and name), so
    :func:`~impact_warehouse.transform.computed_once.computed_once` keeps one result for it."""

    def __init__(self, name: str) -> None:
        if name not in COMPUTATIONS:
            raise ValueError(f"{name!r} is not a model computation ({sorted(COMPUTATIONS)})")
        self.name = name
        self.__module__, _, self.__qualname__ = name.partition(":")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        workers = _workers
        if workers is not None:
            try:
                return workers.call(self.name, args, kwargs)
            except WorkerFailed as error:
                log.warning("%s failed in a worker (%s); computing here", self.name, error)
        return run_computation(self.name, args, kwargs)

    def __repr__(self) -> str:
        return f"Computation({self.name!r})"


def run_computation(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    """The named function applied to the arguments, in this process (a worker's whole job)."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)(*args, **kwargs)
