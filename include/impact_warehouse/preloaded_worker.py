"""A worker process started ahead of its work, importing what the work needs meanwhile.

The quality gate's worker (pipeline/gate_worker.py) loads Great Expectations while dbt builds;
the reports' chart worker (report/chart_worker.py) loads matplotlib while the gate runs. Both
start their process when made, at a lower priority (it takes only the core time the caller
leaves idle), and both end it, imported or not, when closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Self

from impact_warehouse.worker_process import WorkerProcess


class PreloadedWorker:
    """A worker process importing ``preload`` from the moment this is made, if ``wanted``."""

    def __init__(self, *, label: str, preload: Sequence[str], wanted: bool) -> None:
        self._process: WorkerProcess | None = None
        if wanted:
            self._process = WorkerProcess(label=label, preload=preload, lower_priority=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """The worker goes now, imported or not: its imports are of no use to anyone else."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.end(grace=0)
