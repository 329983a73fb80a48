"""The release job in one process: ``impact publish`` and ``impact backfill``.

:func:`build_gate_publish` runs the steps the ``impact_warehouse`` DAG's tasks run
(:mod:`impact_warehouse.pipeline.release`) one after another, with no approval between the
gate and the publish, and uses what one process allows: the gate's libraries load in a worker
while dbt builds (pipeline/gate_worker.py); while that worker runs the gate, this process draws
the staff's status page (pipeline/status_refresh.py) and the reports' chart worker loads its
drawing modules (report/chart_worker.py), ready for the reports after the publish.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from impact_warehouse.catalog import load_catalog
from impact_warehouse.pipeline.gate_worker import GateWorker
from impact_warehouse.pipeline.release import (
    Progress,
    build_and_read_status_page,
    gate_publish_and_alert,
    require_catalog_fiscal_year,
)
from impact_warehouse.settings import Settings

if TYPE_CHECKING:
    from impact_warehouse.report.chart_worker import ChartWorker

log = logging.getLogger(__name__)


def build_gate_publish(
    settings: Settings,
    *,
    fiscal_year: int,
    as_of: date,
    run_id: str,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """dbt build of the audit warehouse, then the gate; publishes and renders the reports only
    if the gate passes."""
    require_catalog_fiscal_year(fiscal_year, load_catalog(settings.catalog))  # before building
    # The gate's libraries load in a worker while dbt builds (pipeline/gate_worker.py), the
    # reports' drawing modules in another while the gate runs (report/chart_worker.py).
    with GateWorker() as gates, ExitStack() as chart_workers:
        done = progress("building the audit warehouse (dbt build)") if progress else None
        build, status_page = build_and_read_status_page(settings)
        if done:
            done()
        done = (
            progress(f"quality gate and publish (FY{fiscal_year}, as of {as_of})")
            if progress
            else None
        )

        started: list[ChartWorker | None] = []  # once the gate runs (None: it failed to start)

        def while_the_gate_runs() -> None:
            started.append(chart_workers.enter_context(start_chart_worker()))
            status_page.draw()  # pipeline/status_refresh.py

        try:
            result = gate_publish_and_alert(
                settings,
                fiscal_year=fiscal_year,
                run_id=run_id,
                as_of=as_of,
                audit_db=Path(build.audit_db),
                gates=gates,
                meanwhile=while_the_gate_runs,
            )
        finally:
            # Staff see today's rates whatever became of the gate (drawn once in all).
            build = replace(build, status_page=status_page.draw())
        if done:
            done()
        # As the DAG's render_reports task: the release's fiscal year and the one before.
        from impact_warehouse.report.job import render_after_publish

        done = progress("rendering the impact reports") if progress else None
        chart_worker = started[0] if started else None
        reports = render_after_publish(result, settings, chart_worker=chart_worker)
    if done:
        done()
    for report in reports:
        print(f"    report FY{report['fiscal_year']}: {report['html']}", flush=True)
    return {"build": build.to_xcom(), **result, "reports": reports}


def start_chart_worker() -> AbstractContextManager[ChartWorker | None]:
    """The reports' chart worker, started now; nothing when its modules cannot be imported
    (a broken plotting install fails the reports later, not the gate and the publish). A
    misspelt ``IMPACT_REPORT_WORKER*`` setting is raised: the run stops before it publishes
    (``impact publish`` refuses it before anything starts)."""
    try:
        from impact_warehouse.report.chart_worker import ChartWorker
    except ImportError:
        log.warning("the reports' chart worker could not be started", exc_info=True)
        return nullcontext()
    return ChartWorker()
