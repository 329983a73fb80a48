"""A pool of worker processes (worker_process.py) that import once and serve many calls.

The dbt Python models' computations (transform/model_computations.py) are many short calls
to the same few functions: a worker per call would import scipy and statsmodels every time.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from impact_warehouse.file_lock import timeout_from_env
from impact_warehouse.worker_process import (
    FunctionRaised,
    WorkerFailed,
    WorkerProcess,
    call_payload,
)

Result = TypeVar("Result")

log = logging.getLogger(__name__)

# A pool stops replacing its failed workers after this many calls failed one after another:
# then every call would fail again (a timeout no call meets), and each replacement's imports
# cost a core for nothing. The callers do the work themselves.
MAX_FAILURES_IN_A_ROW = 3


class WorkerPool:
    """``size`` worker processes started at once, each importing ``preload`` while the caller
    goes on, then taking calls one after another: the imports are paid once per worker, not
    once per call. A call waits while every worker is busy; a worker that fails is replaced,
    until MAX_FAILURES_IN_A_ROW calls have failed one after another."""

    def __init__(
        self,
        size: int,
        *,
        label: str,
        preload: Sequence[str],
        timeout_env: str,
        default_timeout: float,
    ) -> None:
        self.label = label
        self._preload = tuple(preload)
        self._timeout_env = timeout_env
        self._timeout = timeout_from_env(timeout_env, default_timeout)
        self._idle: queue.SimpleQueue[WorkerProcess] = queue.SimpleQueue()
        self._workers: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._size = size
        # Workers being started, not registered yet: counted, under the lock, in the same step
        # that decides to start them, so a waiting caller never sees the pool empty between.
        self._starting = size
        self._failures_in_a_row = 0
        self.answered = 0  # calls a worker gave a result for
        for _ in range(size):
            self._start_one()

    def _start_one(self) -> None:
        """A new worker (counted in ``_starting`` by the caller), registered and free; none
        (and no process left behind) once the pool is closed. Starting counts as a failure
        in a row when it raises."""
        worker = None
        try:
            worker = WorkerProcess(label=self.label, preload=self._preload)
        except Exception:  # a worker that cannot start fails its call instead
            log.warning("%s: a worker process could not be started", self.label, exc_info=True)
        with self._lock:
            self._starting -= 1
            if worker is None:
                self._failures_in_a_row += 1
            elif not self._closed:
                self._workers.add(worker)
                self._idle.put(worker)
                return
        if worker is not None:
            worker.kill()

    def call(self, function: Callable[..., Result], *args: Any) -> Result:
        """``function(*args)`` in the next free worker; WorkerFailed if it gave no result."""
        payload = call_payload(self.label, function, args)
        worker = self._next_free()
        try:
            result = worker.call(payload, timeout=self._timeout, timeout_env=self._timeout_env)
        except FunctionRaised as raised:  # the worker answered, and serves on
            self._answered(worker)
            raise raised.error from None
        except BaseException:
            # Gone or in an unknown state (a call interrupted half-way): never served again.
            # Replaced, so the pool does not run out of workers, unless calls keep failing
            # (a timeout every call exceeds): a replacement's imports would then be wasted.
            with self._lock:
                self._workers.discard(worker)
                self._failures_in_a_row += 1
                replace = self._failures_in_a_row < MAX_FAILURES_IN_A_ROW
                giving_up = self._failures_in_a_row == MAX_FAILURES_IN_A_ROW
                self._starting += int(replace)
            worker.kill()
            if replace:
                self._start_one()
            elif giving_up:
                log.warning(
                    "%s: %d calls failed one after another; their workers are not replaced",
                    self.label,
                    MAX_FAILURES_IN_A_ROW,
                )
            raise
        self._answered(worker)
        return result

    def _answered(self, worker: WorkerProcess) -> None:
        """The worker free again; the pool back to its size if failures had shrunk it (calls
        succeed again, so new workers are worth their start-up)."""
        with self._lock:
            self.answered += 1
            self._failures_in_a_row = 0
            missing = max(0, self._size - len(self._workers) - self._starting)
            self._starting += missing
        self._idle.put(worker)
        for _ in range(missing):
            self._start_one()

    def _next_free(self) -> WorkerProcess:
        while True:
            if self._closed:
                raise WorkerFailed(f"{self.label}: the worker pool is closed")
            with self._lock:
                failures = self._failures_in_a_row
                # No worker, none being started: none will come (failures stopped replacing
                # them, or none could be started).
                exhausted = not self._workers and not self._starting
            if exhausted:
                raise WorkerFailed(f"{self.label}: no worker left after {failures} failed calls")
            with contextlib.suppress(queue.Empty):
                return self._idle.get(timeout=0.5)

    def close(self) -> None:
        """Every worker killed: an idle one holds nothing (and its interpreter's orderly exit
        takes a few tenths of a second), a busy one's caller then does the work itself."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.kill()
