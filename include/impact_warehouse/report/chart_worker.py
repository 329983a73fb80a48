"""The report's outcome charts drawn in a worker process while this one does the rest.

Drawing is most of a report's time (matplotlib, one interpreter lock): on demo data the
outcome charts (:func:`~impact_warehouse.report.charts.build_charts`) take about 2 s and the
targets, series and adjusted charts with the tables about 3 s. With a second core the outcome
charts go to a worker process (:mod:`impact_warehouse.worker_process`) started before the
tables, so the two halves are drawn side by side. The charts are the same either way (each
chart's SVG ids are salted with its own id, not with the process), and so is the list of
untranslated words, in the order the report would have met them.

A worker started for one report first spends about 0.7 s importing what it draws with. A
release job opens a :class:`ChartWorker` before it publishes: its worker imports at a lower
priority while the gate runs, and draws the charts of every report rendered after the publish
(``render_report(chart_worker=)``); with its imports done, it also takes the first
:data:`PRELOADED_SERIES_SHARE` of the series charts, which evens the two processes' work.

``IMPACT_REPORT_WORKER=0`` draws everything in the report's own process (a debugger), ``1``
uses a worker even on one core. A worker that fails, or does not answer within
``IMPACT_REPORT_WORKER_TIMEOUT`` seconds (600), is logged and its charts are drawn here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from impact_warehouse.preloaded_worker import PreloadedWorker
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
from impact_warehouse.report.series_charts import series_charts, series_titles
from impact_warehouse.report.targets import TargetsSeriesData
from impact_warehouse.worker_process import (
    WorkerCall,
    WorkerFailed,
    WorkerProcess,
    worker_switched_on,
)

log = logging.getLogger(__name__)

WORKER_ENV = "IMPACT_REPORT_WORKER"
TIMEOUT_ENV = "IMPACT_REPORT_WORKER_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 600.0
LABEL = "report charts"
# What a worker draws with; a ChartWorker's process imports it before its first call.
PRELOAD = ("impact_warehouse.report.chart_worker",)
# The share of the series charts (the first ones, in the report's order) a worker with its
# imports done draws besides the outcome charts. On demo data the outcome charts take it about
# 2.0 s, each series chart about 0.2 s, and this process has 0.5 s of tables before its share
# of the 12 series charts: a quarter of them ends the two at about the same time.
PRELOADED_SERIES_SHARE = 0.25


def worker_wanted() -> bool:
    """``IMPACT_REPORT_WORKER``: 1 a worker always, 0 never; unset, when there is a second
    core to draw on (:func:`~impact_warehouse.worker_process.worker_switched_on`)."""
    return worker_switched_on(WORKER_ENV, TIMEOUT_ENV, DEFAULT_TIMEOUT_SECONDS)


@dataclass(frozen=True)
class SeriesShare:
    """The series charts of ``indicator_codes`` (the report's first ones)."""

    data: TargetsSeriesData
    indicator_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkerCharts:
    """What the worker drew and printed untranslated, the outcome charts' apart from the
    series charts', since the report meets the two at different places."""

    outcome: list[Chart]
    outcome_missing: list[MissingTranslation]
    series: list[Chart]
    series_missing: list[MissingTranslation]


def outcome_charts_in(
    lang: str,
    data: ReportData,
    sections: list[OutcomeSection],
    k: int,
    series: SeriesShare | None = None,
) -> WorkerCharts:
    """build_charts in ``lang`` and the series share's charts, with what each printed
    untranslated (a worker's whole job)."""
    with reporting_in(lang):
        outcome = build_charts(data, sections, k=k)
        outcome_missing = missing_translations()
    drawn: list[Chart] = []
    series_missing: list[MissingTranslation] = []
    if series is not None and series.indicator_codes:
        with reporting_in(lang):
            # The titles of every indicator, as the report labels them before any series
            # chart: their untranslated words come first, in the same order.
            titles = series_titles(data)
            drawn = series_charts(series.data, titles, series.indicator_codes)
            series_missing = missing_translations()
    return WorkerCharts(outcome, outcome_missing, drawn, series_missing)


class ChartWorker(PreloadedWorker):
    """A worker process importing the report's drawing modules from the moment this is made,
    at a lower priority, that draws for every report rendered while it is open, one report at
    a time; until it fails, after which each report starts its own."""

    def __init__(self, *, wanted: bool | None = None) -> None:
        """``wanted`` None: :func:`worker_wanted`."""
        super().__init__(
            label=LABEL, preload=PRELOAD, wanted=worker_wanted() if wanted is None else wanted
        )
        self._current: WorkerCall[WorkerCharts] | None = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        """Is there a worker free for a report's charts? Not when it has ended (failed, or
        killed when a report stopped half-way) or another report's call is on it."""
        with self._lock:
            return self._free() is not None

    def start(self, *arguments: Any) -> WorkerCall[WorkerCharts] | None:
        """``outcome_charts_in(*arguments)`` on the worker; None when it is not available."""
        with self._lock:
            process = self._free()
            if process is None:
                return None
            self._current = WorkerCall(
                outcome_charts_in,
                *arguments,
                label=LABEL,
                timeout_env=TIMEOUT_ENV,
                default_timeout=DEFAULT_TIMEOUT_SECONDS,
                worker=process,
            )
            return self._current

    def _free(self) -> WorkerProcess | None:
        if self._current is not None and self._current.in_progress:
            return None
        if self._process is not None and not self._process.running:
            self._process.end(grace=0)
            self._process = None
        return self._process

    def close(self) -> None:
        """The worker goes now: every report has taken its charts or cancelled them by then
        (one still drawing on it draws them itself)."""
        with self._lock:
            super().close()


class OutcomeCharts:
    """The outcome charts, drawn from the moment this is made (in a worker if wanted), with
    the first of ``series`` (all the report's series charts, in its order) when the worker is
    a :class:`ChartWorker`'s (:attr:`series_in_worker`)."""

    def __init__(
        self,
        data: ReportData,
        sections: list[OutcomeSection],
        k: int,
        *,
        series: SeriesShare | None = None,
        worker: ChartWorker | None = None,
    ) -> None:
        self._arguments = (language(), data, sections, k)
        self._call: WorkerCall[WorkerCharts] | None = None
        self.drawn_in_worker = False
        self._series: SeriesShare | None = None
        if worker is not None:
            share = None
            if series is not None:
                codes = series.indicator_codes
                share = SeriesShare(series.data, codes[: int(len(codes) * PRELOADED_SERIES_SHARE)])
            self._call = worker.start(*self._arguments, share)
            self._series = share if self._call is not None else None
        if self._call is None and worker_wanted():
            self._call = WorkerCall(
                outcome_charts_in,
                *self._arguments,
                None,
                label=LABEL,
                timeout_env=TIMEOUT_ENV,
                default_timeout=DEFAULT_TIMEOUT_SECONDS,
            )
        # The series charts :meth:`charts` returns; the caller draws the others.
        self.series_in_worker = self._series.indicator_codes if self._series else ()

    def __enter__(self) -> OutcomeCharts:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # The report failed before it took the charts: no worker is left drawing for nobody.
        if self._call is not None:
            self._call.cancel()

    def charts(self, missing_at: int, series_missing_at: int | None = None) -> list[Chart]:
        """The outcome charts, then the worker's series charts; their untranslated words
        listed after the first ``missing_at`` of this rendering (where the report meets the
        outcome charts) and ``series_missing_at`` (the series charts)."""
        if self._call is not None:
            try:
                drawn = self._call.result()
            except WorkerFailed as error:
                log.warning("the report's chart worker failed (%s); drawing here", error)
            else:
                self.drawn_in_worker = True
                return self._listed(drawn, missing_at, series_missing_at)
        return self._listed(
            outcome_charts_in(*self._arguments, self._series), missing_at, series_missing_at
        )

    @staticmethod
    def _listed(drawn: WorkerCharts, missing_at: int, series_missing_at: int | None) -> list[Chart]:
        # The later place first: listing the outcome charts' words moves everything after it.
        if drawn.series_missing:
            at = missing_at if series_missing_at is None else series_missing_at
            record_missing(drawn.series_missing, at=at)
        record_missing(drawn.outcome_missing, at=missing_at)
        return drawn.outcome + drawn.series
