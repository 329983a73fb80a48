"""The report's outcome charts drawn in a worker process while this one does the rest.

Drawing is most of a report's time (matplotlib, one interpreter lock): on demo data the
outcome charts (:func:`~impact_warehouse.report.charts.build_charts`) take about 4 s and the
targets, series and adjusted charts with the tables about 6 s. With a second core the outcome
charts go to a worker process (:mod:`impact_warehouse.worker_process`) started before the
tables, so the two halves are drawn side by side. The charts are the same either way (each
chart's SVG ids are salted with its own id, not with the process), and so is the list of
untranslated words, in the order the report would have met them.

``IMPACT_REPORT_WORKER=0`` draws everything in the report's own process (a debugger), ``1``
uses a worker even on one core. A worker that fails, or does not answer within
``IMPACT_REPORT_WORKER_TIMEOUT`` seconds (600), is logged and its charts are drawn here.
"""

from __future__ import annotations

import logging

from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.charts import build_charts
from impact_warehouse.report.data import ReportData
from impact_warehouse.report.i18n import (
    MissingTranslation,
    language,
    missing_translations,
    record_missing,
    reporting_in,
)
from impact_warehouse.report.outcome_plan import OutcomeSection
from impact_warehouse.worker_process import WorkerCall, WorkerFailed, worker_switched_on

log = logging.getLogger(__name__)

WORKER_ENV = "IMPACT_REPORT_WORKER"
TIMEOUT_ENV = "IMPACT_REPORT_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 600.0


def worker_wanted() -> bool:
    """``IMPACT_REPORT_WORKER``: 1 a worker always, 0 never; unset, when there is a second
    core to draw on (:func:`~impact_warehouse.worker_process.worker_switched_on`)."""
    return worker_switched_on(WORKER_ENV, TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS)


def outcome_charts_in(
    lang: str, data: ReportData, sections: list[OutcomeSection], k: int
) -> tuple[list[Chart], list[MissingTranslation]]:
    """build_charts in ``lang``, with what it printed untranslated (a worker's whole job)."""
    with reporting_in(lang):
        return build_charts(data, sections, k=k), missing_translations()


class OutcomeCharts:
    """The outcome charts, drawn from the moment this is made (in a worker if wanted)."""

    def __init__(self, data: ReportData, sections: list[OutcomeSection], k: int) -> None:
        self._arguments = (language(), data, sections, k)
        self._call: WorkerCall | None = None
        self.drawn_in_worker = False
        if worker_wanted():
            self._call = WorkerCall(
                outcome_charts_in,
                *self._arguments,
                label="report charts",
                timeout_env=TIMEOUT_ENV,
                default_timeout=DEFAULT_TIMEOUT_SECONDS,
            )

    def __enter__(self) -> OutcomeCharts:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # The report failed before it took the charts: no worker is left drawing for nobody.
        if self._call is not None:
            self._call.cancel()

    def charts(self, missing_at: int) -> list[Chart]:
        """The charts; their untranslated words listed after the first ``missing_at`` of this
        rendering (where the report meets the outcome charts)."""
        if self._call is not None:
            try:
                charts, missing = self._call.result()
            except WorkerFailed as error:
                log.warning("the report's chart worker failed (%s); drawing here", error)
            else:
                record_missing(missing, at=missing_at)
                self.drawn_in_worker = True
                return charts
        charts, missing = outcome_charts_in(*self._arguments)
        record_missing(missing, at=missing_at)
        return charts
