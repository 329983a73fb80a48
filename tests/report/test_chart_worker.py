"""The outcome charts drawn in a worker process (report/chart_worker.py) are the charts this
process draws, and a worker that fails leaves them to this process."""

from __future__ import annotations

import matplotlib
import pytest

from impact_warehouse import worker_process
from impact_warehouse.report import chart_worker
from impact_warehouse.report.chart_kit import Chart
from impact_warehouse.report.charts import build_charts
from impact_warehouse.report.i18n import reporting_in
from impact_warehouse.report.outcome_plan import plan_outcome_sections
from impact_warehouse.report.release import resolve_release
from impact_warehouse.report.render import _read_inputs

FISCAL_YEAR = 2025


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
