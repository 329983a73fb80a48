"""The quality gate in a worker process that loads Great Expectations while dbt builds.

Importing GX and what it brings (scipy.stats, pyspark's and SQLAlchemy's shims, Altair) takes
a core about 2 s, as long as the gate's own checks on demo data. A release job builds first
and runs the gate after, and the build leaves part of a second core idle (dbt waits on its
interpreter lock, the model workers on dbt). A :class:`GateWorker` opened before the build
starts a worker process that imports the gate's modules at a lower priority, in that idle
time, and runs the gate there when the build is done: the same code, the same result, and
this process never imports GX, free to do other work meanwhile (``run_gate(meanwhile=)``: the
release job draws the staff's status page). ``impact publish`` / ``impact backfill``
(:func:`~impact_warehouse.pipeline.release_in_process.build_gate_publish`) use one; the DAG's
gate task is a process of its own and imports GX itself.

A worker that fails, or does not answer within ``IMPACT_GATE_WORKER_TIMEOUT`` seconds (3600),
is logged and the gate runs in this process; what the gate raises in the worker is raised
here. ``IMPACT_GATE_WORKER=0`` runs the gate here always (a debugger), ``1`` uses a worker
even on one core.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact_warehouse.file_lock import timeout_from_env
from impact_warehouse.preloaded_worker import PreloadedWorker
from impact_warehouse.settings import Settings
from impact_warehouse.worker_process import (
    FunctionRaised,
    WorkerFailed,
    WorkerProcess,
    call_payload,
    worker_switched_on,
)

if TYPE_CHECKING:
    from impact_warehouse.quality.model import GateResult

log = logging.getLogger(__name__)

WORKER_ENV = "IMPACT_GATE_WORKER"
TIMEOUT_ENV = "IMPACT_GATE_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 3600.0
LABEL = "quality gate"
# What the gate imports (GX through the checks); the worker imports it before the first call.
PRELOAD = ("impact_warehouse.quality.gate",)


def worker_wanted() -> bool:
    """``IMPACT_GATE_WORKER``: 1 a worker always, 0 never; unset, when there is a second core
    (:func:`~impact_warehouse.worker_process.worker_switched_on`): on one core the worker's
    imports would take the build's time, not idle time."""
    return worker_switched_on(WORKER_ENV, TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS)


def gate_in_this_process(audit_db: Path, settings: Settings, options: dict[str, Any]) -> GateResult:
    """:func:`impact_warehouse.quality.run_gate`: what the worker is asked to call."""
    from impact_warehouse.quality.gate import run_gate

    return run_gate(audit_db, settings, **options)


class GateWorker(PreloadedWorker):
    """A worker process importing the gate from the moment this is made; one gate run."""

    def __init__(self, *, wanted: bool | None = None) -> None:
        """``wanted`` False: no worker, the gate runs in this process (the DAG's gate task);
        None: :func:`worker_wanted`."""
        super().__init__(
            label=LABEL, preload=PRELOAD, wanted=worker_wanted() if wanted is None else wanted
        )

    def run_gate(
        self,
        audit_db: Path,
        settings: Settings,
        *,
        meanwhile: Callable[[], object] | None = None,
        **options: Any,
    ) -> GateResult:
        """``run_gate(audit_db, settings, **options)`` in the worker, or here when there is
        none or it fails. A second call runs here: the worker serves one gate.

        ``meanwhile``: called in this process while the worker runs the gate (before the gate
        when it runs here); what it raises is raised, and the worker stops.
        """
        arguments = (Path(audit_db), settings, options)
        if self._process is not None:
            try:
                payload = call_payload(LABEL, gate_in_this_process, arguments)
            except WorkerFailed as error:
                self.close()
                log.warning("%s; the gate runs in this process", error)
            else:
                worker, self._process = self._process, None
                return _gate_in(worker, payload, meanwhile, arguments)
        if meanwhile is not None:
            meanwhile()
        return gate_in_this_process(*arguments)


def _gate_in(
    worker: WorkerProcess,
    payload: bytes,
    meanwhile: Callable[[], object] | None,
    arguments: tuple[Path, Settings, dict[str, Any]],
) -> GateResult:
    """The gate in ``worker`` (``payload``: the pickled call), ``meanwhile`` called here while
    it runs; the gate here after all when the worker fails."""
    # The worker answers in a thread, so that this one can do ``meanwhile``; not left in a
    # `with` block, whose exit would wait for the gate after an interruption here.
    waiting = ThreadPoolExecutor(1, thread_name_prefix="gate")
    try:
        answer = waiting.submit(
            worker.call,
            payload,
            timeout=timeout_from_env(TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS),
            timeout_env=TIMEOUT_ENV,
        )
        if meanwhile is not None:
            meanwhile()
        try:
            return answer.result()
        except FunctionRaised as raised:
            raise raised.error from None
        except WorkerFailed as error:
            log.warning("%s; the gate runs in this process", error)
    except BaseException:
        # What meanwhile raised, what the gate raised, an interruption (Ctrl-C): the
        # worker stops now, not when the gate it is running would have finished.
        worker.kill()
        raise
    finally:
        worker.end()
        waiting.shutdown(wait=False)
    return gate_in_this_process(*arguments)
