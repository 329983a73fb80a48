"""The outcome charts drawn in a worker process (report/chart_worker.py) are the charts this
process draws, and a worker that fails leaves them to this process."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import matplotlib
import pytest

from impact_warehouse import worker_process
from impact_warehouse.report import chart_worker, render_report
from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.charts import build_charts
from impact_warehouse.report.i18n import (
    MissingTranslation,
    missing_translations,
    reporting_in,
    untranslated,
)
from impact_warehouse.report.outcome_plan import plan_outcome_sections
from impact_warehouse.report.release import resolve_release
from impact_warehouse.report.render import _read_inputs
from impact_warehouse.report.series_charts import (
    series_charts,
    series_indicator_codes,
    series_titles,
)
from report_pages import appendix_rows

FISCAL_YEAR = 2025
# When a page was rendered: the only difference between two renderings of one release.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@pytest.fixture(scope="module")
def outcome_inputs(published_reports) -> tuple:
    source = resolve_release(published_reports.release.release_id, published_reports.settings)
    with reporting_in("ja"):
        data = _read_inputs(source, FISCAL_YEAR, "ja").data
    return data, plan_outcome_sections(data), source.suppression_k


@pytest.fixture(scope="module")
def drawn_here(outcome_inputs) -> list[Chart]:
    data, sections, k = outcome_inputs
    with reporting_in("ja"):
        return build_charts(data, sections, k=k)


@pytest.fixture(scope="module")
def series_share(published_reports) -> chart_worker.SeriesShare:
    """Every series chart of the report, as the report hands them to OutcomeCharts."""
    source = resolve_release(published_reports.release.release_id, published_reports.settings)
    with reporting_in("ja"):
        targets_series = _read_inputs(source, FISCAL_YEAR, "ja").targets_series
    return chart_worker.SeriesShare(targets_series, series_indicator_codes(targets_series))


def _outcome_charts(outcome_inputs) -> tuple[list[Chart], chart_worker.OutcomeCharts]:
    with reporting_in("ja"):
        job = chart_worker.OutcomeCharts(*outcome_inputs)
        return job.charts(missing_at=0), job


def test_a_worker_draws_the_same_charts_to_the_byte(
    outcome_inputs, drawn_here: list[Chart], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    charts, job = _outcome_charts(outcome_inputs)
    assert job.drawn_in_worker
    assert len(charts) > 5 and charts == drawn_here


def test_a_failing_worker_leaves_the_charts_to_this_process(
    outcome_inputs,
    drawn_here: list[Chart],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    monkeypatch.setattr(worker_process.sys, "executable", "/bin/false")
    charts, job = _outcome_charts(outcome_inputs)
    assert not job.drawn_in_worker and charts == drawn_here
    assert "the report's chart worker failed (report charts: exit 1" in caplog.text


@pytest.mark.parametrize(
    ("setting", "cores", "wanted"), [("0", 8, False), ("1", 1, True), ("", 1, False), ("", 2, True)]
)
def test_the_switch_and_the_cores_decide(
    setting: str, cores: int, wanted: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, setting)
    monkeypatch.setattr(worker_process, "usable_cores", lambda: cores)
    assert chart_worker.worker_wanted() is wanted


def test_a_misspelt_switch_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, "yes")
    with pytest.raises(ValueError, match="IMPACT_REPORT_WORKER='yes'"):
        chart_worker.worker_wanted()


def test_a_report_that_fails_before_taking_its_charts_stops_the_worker(
    outcome_inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    with (
        pytest.raises(RuntimeError, match="a narrative block"),
        reporting_in("ja"),
        chart_worker.OutcomeCharts(*outcome_inputs) as job,
    ):
        assert job._call is not None and job._call.running
        raise RuntimeError("a narrative block could not be read")
    assert not job._call.running


def test_the_callers_matplotlib_settings_do_not_reach_the_charts(
    outcome_inputs, drawn_here: list[Chart]
) -> None:
    """The worker never sees what the calling process set in rcParams (a notebook's style):
    neither may the charts drawn here, or a report would depend on the number of cores."""
    data, sections, k = outcome_inputs
    with matplotlib.rc_context({"axes.edgecolor": "red", "font.size": 20}), reporting_in("ja"):
        assert build_charts(data, sections, k=k) == drawn_here


@pytest.mark.parametrize("switch", ["0", "1", ""])
def test_a_misspelt_timeout_is_an_error_whether_or_not_a_worker_is_used(
    switch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, switch)
    monkeypatch.setenv(chart_worker.TIMEOUT_ENV, "abc")
    with pytest.raises(ValueError, match="IMPACT_REPORT_WORKER_TIMEOUT='abc'"):
        chart_worker.worker_wanted()


@pytest.mark.slow
def test_a_worker_started_before_the_report_draws_it_the_same(
    publish_edited, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ChartWorker (started while a release job publishes) draws the outcome charts and the
    first series charts of every report rendered while it is open: the same pages, with the
    untranslated words listed in the same order, as one process drawing everything. Here in
    English with no English label at all, so that every chart has words to list."""

    def remove_every_english_label(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute("update catalog.items set report_label_en = null")
        connection.execute("update catalog.indicators set content_en = null")

    settings, copy, _ = publish_edited("chart-worker", remove_every_english_label)

    def rendered(folder: str, fiscal_year: int, **options: object) -> str:
        report = render_report(
            fiscal_year,
            release_id=copy.release_id,
            out_dir=tmp_path / folder,
            settings=settings,
            lang="en",
            **options,
        )
        return TIMESTAMP.sub("…", report.html_path.read_text(encoding="utf-8"))

    monkeypatch.setenv(chart_worker.WORKER_ENV, "0")
    here = {year: rendered(f"here{year}", year) for year in (2025, 2024)}
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    with chart_worker.ChartWorker() as worker:
        shared = {year: rendered(f"w{year}", year, chart_worker=worker) for year in (2025, 2024)}
        assert worker.available()  # it served both reports and serves on

    for year in (2025, 2024):
        rows = appendix_rows(here[year])
        assert len({row[0] for row in rows}) == 2 and len(rows) > 10
        assert appendix_rows(shared[year]) == rows
        assert shared[year] == here[year]


def test_a_report_takes_the_series_share_only_from_a_started_worker(
    outcome_inputs, series_share, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, sections, k = outcome_inputs
    share, targets_series = series_share, series_share.data
    assert len(share.indicator_codes) >= 4
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    with reporting_in("ja"), chart_worker.OutcomeCharts(data, sections, k, series=share) as job:
        assert job.series_in_worker == ()  # a worker of its own: still importing
    with (
        chart_worker.ChartWorker() as worker,
        reporting_in("ja"),
        chart_worker.OutcomeCharts(data, sections, k, series=share, worker=worker) as job,
    ):
        assert job.series_in_worker == share.indicator_codes[: len(share.indicator_codes) // 4]
        assert not worker.available()  # one report at a time
        charts = job.charts(missing_at=0, series_missing_at=0)
        assert worker.available()
    in_worker = charts[-len(job.series_in_worker) :]
    assert [chart.chart_id for chart in in_worker] == [
        f"chart-series-{code}" for code in job.series_in_worker
    ]
    with reporting_in("ja"):
        assert in_worker == series_charts(targets_series, series_titles(data), job.series_in_worker)


def test_a_worker_that_failed_leaves_each_report_its_own(
    outcome_inputs, drawn_here: list[Chart], series_share, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chart_worker.WORKER_ENV, "1")
    with chart_worker.ChartWorker() as worker:
        process = worker._process
        assert process is not None
        process.kill()
        assert not worker.available()
        with (
            reporting_in("ja"),
            chart_worker.OutcomeCharts(*outcome_inputs, series=series_share, worker=worker) as job,
        ):
            assert job.series_in_worker == ()  # a fresh worker of its own, still importing
            charts = job.charts(missing_at=0)
        assert job.drawn_in_worker and charts == drawn_here


def test_a_started_worker_draws_even_a_report_without_series(
    outcome_inputs, drawn_here: list[Chart]
) -> None:
    with chart_worker.ChartWorker(wanted=True) as worker:
        with reporting_in("ja"), chart_worker.OutcomeCharts(*outcome_inputs, worker=worker) as job:
            assert not worker.available()  # this report's call is on it
            charts = job.charts(missing_at=0)
        assert job.drawn_in_worker and charts == drawn_here and worker.available()


def test_the_workers_words_go_where_the_outcome_and_the_series_charts_are_met() -> None:
    """The outcome charts are met before the targets table, the worker's series charts after
    it and before the series charts drawn here: each list goes to its own place."""

    def word(row: str) -> MissingTranslation:
        return MissingTranslation("items.csv", row, "report_label_en", row)

    drawn = chart_worker.WorkerCharts(
        outcome=[], outcome_missing=[word("outcome")], series=[], series_missing=[word("first")]
    )
    with reporting_in("en"):
        untranslated("table", "items.csv", "table", "report_label_en")
        outcome_at = len(missing_translations())
        untranslated("targets", "items.csv", "targets", "report_label_en")
        series_at = len(missing_translations())
        untranslated("later", "items.csv", "later", "report_label_en")  # a series chart here
        chart_worker.OutcomeCharts._listed(drawn, outcome_at, series_at)
        listed = [entry.row for entry in missing_translations()]
    assert listed == ["table", "outcome", "targets", "first", "later"]
