"""Write → audit → publish on a real demo build, with staff mail through a real SMTP server.

A corrupted batch fails the gate: nothing is published, the current release stays, and a
Japanese mail names the wave and the check. A clean build publishes a release and announces it.
"""

from __future__ import annotations

import email
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from impact_warehouse.pipeline import release as release_job
from impact_warehouse.pipeline import release_in_process
from impact_warehouse.pipeline.handoff import BuildOutcome
from impact_warehouse.pipeline.status_refresh import PendingStatusPage
from impact_warehouse.publish import current_release, list_releases
from impact_warehouse.report.job import render_after_publish
from impact_warehouse.settings import Settings, paths

if TYPE_CHECKING:  # the shared fixture's type, from tests/conftest.py
    from conftest import SmtpInbox

AS_OF = date(2026, 11, 23)
# The release the DAG makes on AS_OF: the fiscal year of the latest closed wave.
RELEASE_FY = 2026


@pytest.fixture
def smtp_inbox(smtp_server: SmtpInbox, monkeypatch: pytest.MonkeyPatch) -> SmtpInbox:
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox,smtp")
    monkeypatch.setenv("IMPACT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("IMPACT_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("IMPACT_ALERT_FROM", "pipeline@example.org")
    monkeypatch.setenv("IMPACT_ALERT_TO", "staff@example.org")
    return smtp_server


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    return Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")


def _mail_text(message: email.message.EmailMessage) -> str:
    return f"{message['subject']}\n{message.get_body().get_content()}"


@pytest.mark.slow
def test_a_clean_build_is_published_and_announced(
    demo_warehouse_path: Path, work: Settings, smtp_inbox: SmtpInbox, tmp_path: Path
) -> None:
    audit = shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb")
    outcome = release_job.gate_publish_and_alert(
        work, fiscal_year=RELEASE_FY, run_id="clean", as_of=AS_OF, audit_db=Path(audit)
    )
    assert outcome["gate_passed"] and outcome["failures"] == 0
    release = current_release(paths().releases)
    assert release is not None and release.release_id == outcome["release_id"]
    texts = [_mail_text(message) for message in smtp_inbox.messages]
    assert any(release.release_id in text for text in texts)
    assert (release.directory / "data_docs" / "index.html").exists()


@pytest.mark.slow
def test_a_low_response_rate_in_an_open_window_warns_and_still_publishes(
    demo_warehouse_path: Path, work: Settings, smtp_inbox: SmtpInbox, tmp_path: Path
) -> None:
    audit = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))
    # 2026-01-20 is inside followup_2025's window (01-16..01-31); some cohorts are below
    # the wave's 30% target while it is still open.
    outcome = release_job.gate_publish_and_alert(
        work, fiscal_year=2025, run_id="open-window", as_of=date(2026, 1, 20), audit_db=audit
    )
    assert outcome["gate_passed"] and outcome["warnings"] > 0 and outcome["failures"] == 0
    assert outcome["release_id"] == current_release(paths().releases).release_id
    texts = [_mail_text(message) for message in smtp_inbox.messages]
    warnings = [text for text in texts if "followup_2025" in text and "response_rate" in text]
    assert warnings and all("リマインド" in text for text in warnings)
    # The deadline as of the gate's day (closes 2026-01-31), the reminder list command and
    # the response status page (issue 18).
    assert all("締切: 2026-01-31(あと11日)" in text for text in warnings)
    assert all("impact reminders --wave followup_2025 --cohort " in text for text in warnings)
    assert all("response_status/index.html" in text for text in warnings)


@pytest.mark.slow
def test_a_corrupted_batch_is_blocked_and_staff_are_told_in_japanese(
    demo_warehouse_path: Path, work: Settings, smtp_inbox: SmtpInbox, tmp_path: Path
) -> None:
    clean = shutil.copy(demo_warehouse_path, tmp_path / "clean.duckdb")
    release_job.gate_publish_and_alert(
        work, fiscal_year=RELEASE_FY, run_id="before", as_of=AS_OF, audit_db=Path(clean)
    )
    published_before = (work.work / "published" / "warehouse.duckdb").read_bytes()
    release_before = current_release(paths().releases)
    smtp_inbox.messages.clear()

    corrupted = Path(shutil.copy(demo_warehouse_path, tmp_path / "corrupted.duckdb"))
    with duckdb.connect(str(corrupted)) as connection:
        connection.execute(
            "update marts.fct_answers set value_numeric = 11 where answer_key = ("
            "select min(answer_key) from marts.fct_answers where is_counted "
            "and scale_code = 'score10' and wave_code = 'mamabono_2025_post')"
        )
        connection.execute(
            "insert into marts.fct_responses select * from marts.fct_responses "
            "where wave_code = 'followup_2025' and is_counted limit 1"
        )
    outcome = release_job.gate_publish_and_alert(
        work, fiscal_year=RELEASE_FY, run_id="corrupted", as_of=AS_OF, audit_db=corrupted
    )
    assert not outcome["gate_passed"] and outcome["release_id"] is None
    assert (work.work / "published" / "warehouse.duckdb").read_bytes() == published_before
    assert current_release(paths().releases) == release_before
    assert len(list_releases(paths().releases)) == 1

    texts = [_mail_text(message) for message in smtp_inbox.messages]
    assert any("mamabono_2025_post" in text and "scale_domain" in text for text in texts)
    assert any("followup_2025" in text and "unique_participant_wave" in text for text in texts)
    assert all(any("\u3040" <= ch <= "\u30ff" for ch in text) for text in texts)  # Japanese

    # The same failing condition on the next run is not mailed again.
    smtp_inbox.messages.clear()
    release_job.gate_publish_and_alert(
        work, fiscal_year=RELEASE_FY, run_id="corrupted-again", as_of=AS_OF, audit_db=corrupted
    )
    repeated = [_mail_text(m) for m in smtp_inbox.messages]
    assert not any("scale_domain" in text for text in repeated)


def test_the_production_build_leaves_the_unit_tests_to_the_test_suite(
    work: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Unit tests test the models' SQL, not the data: the test suite's builds run them
    (test_dbt_foundation.test_unit_tests_run_in_the_test_suite_build), a release does not."""
    calls: list[list[str]] = []
    passed: list[object] = []

    def fake_run_dbt(args: list[str], settings: object, **options: object) -> SimpleNamespace:
        calls.append(args)
        passed.append(settings)
        # The gate reads the run's results; dbt's manifest has no reader (dbt_artifacts.py).
        assert options == {"write_manifest": False}
        return SimpleNamespace(
            duckdb_path=tmp_path / "audit.duckdb",
            target_path=tmp_path / "target",
            node_statuses={},
            elapsed_seconds=0.0,
        )

    monkeypatch.setattr(release_job, "run_dbt", fake_run_dbt)
    freshness: list[dict[str, object]] = []

    def fake_freshness(**kwargs: object) -> SimpleNamespace:
        freshness.append(kwargs)
        return SimpleNamespace(status="pass")

    monkeypatch.setattr(release_job, "measure_source_freshness", fake_freshness)
    monkeypatch.setattr(
        release_job, "read_status_page", lambda *_: PendingStatusPage(work, data=None)
    )
    release_job.build_audit_warehouse(work)
    assert calls == [["build", "--exclude-resource-type", "unit_test"]]
    # dbt builds into the caller's folders (it wrote into the environment's before).
    assert passed == [work]
    # dbt source freshness reuses the build's parse: the build's target and DuckDB file.
    assert [(f["build_target"], f["audit_db"], f["settings"]) for f in freshness] == [
        (tmp_path / "target", tmp_path / "audit.duckdb", work)
    ]


@pytest.mark.slow
def test_a_caller_with_its_own_folders_publishes_and_renders_only_there(
    demo_warehouse_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: the settings passed in are the only folders a release run touches; the
    environment's default work dir (the one ``paths()`` reads) stays untouched."""
    default_work = tmp_path / "default-work"
    monkeypatch.setenv("IMPACT_WORK_DIR", str(default_work))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox")
    monkeypatch.delenv("IMPACT_WAREHOUSE_PATH", raising=False)
    own = Settings.for_work_dir(tmp_path / "own-work", tmp_path / "inbox")
    audit = Path(shutil.copy(demo_warehouse_path, tmp_path / "audit.duckdb"))

    outcome = release_job.gate_publish_and_alert(
        own, fiscal_year=RELEASE_FY, run_id="own", as_of=AS_OF, audit_db=audit
    )
    reports = render_after_publish(outcome, own)

    assert outcome["gate_passed"] and outcome["release_id"]
    release = current_release(own.releases)
    assert release is not None and release.release_id == outcome["release_id"]
    assert own.published_warehouse.is_file()
    assert (release.directory / "data_docs" / "index.html").is_file()
    assert outcome["release_id"] in (own.outbox / "alerts.jsonl").read_text(encoding="utf-8")
    assert reports and all(Path(report["html"]).is_relative_to(own.work) for report in reports)
    written = sorted(str(path) for path in default_work.rglob("*")) if default_work.exists() else []
    assert written == []


@pytest.mark.parametrize("gate", ["passes", "raises"])
def test_the_status_page_is_drawn_while_the_gate_runs_and_whatever_it_does(
    work: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, gate: str
) -> None:
    """``impact publish`` reads the page's figures after the build and draws the page while
    the gate runs (pipeline/status_refresh.py); a gate that raises leaves it drawn too."""
    drawn: list[str] = []

    class Page(PendingStatusPage):
        def draw(self) -> str | None:
            if self.path is None:
                drawn.append("page")
                self.path = str(tmp_path / "status.html")
            return self.path

    build = BuildOutcome(
        audit_db=str(tmp_path / "audit.duckdb"),
        nodes=1,
        seconds=0.0,
        source_freshness="pass",
        status_page=None,
    )
    monkeypatch.setattr(
        release_in_process, "build_and_read_status_page", lambda _: (build, Page(work, data=None))
    )
    calls: list[str] = []

    def fake_gate(*_: object, meanwhile: Callable[[], object], **__: object) -> dict[str, Any]:
        calls.append("gate")
        if gate == "raises":  # before the gate ran (the masking), so before meanwhile
            raise OSError("disk full")
        meanwhile()
        return {"gate_passed": False, "release_id": None}

    monkeypatch.setattr(release_in_process, "gate_publish_and_alert", fake_gate)
    chart_workers: list[object] = []

    def fake_reports(*_: object, chart_worker: object) -> list[object]:
        chart_workers.append(chart_worker)
        return []

    monkeypatch.setattr("impact_warehouse.report.job.render_after_publish", fake_reports)
    if gate == "raises":
        with pytest.raises(OSError, match="disk full"):
            release_in_process.build_gate_publish(
                work, fiscal_year=RELEASE_FY, as_of=AS_OF, run_id="page"
            )
    else:
        outcome = release_in_process.build_gate_publish(
            work, fiscal_year=RELEASE_FY, as_of=AS_OF, run_id="page"
        )
        assert outcome["build"]["status_page"] == str(tmp_path / "status.html")
        # The reports' chart worker was started while the gate ran (report/chart_worker.py).
        assert [type(worker).__name__ for worker in chart_workers] == ["ChartWorker"]
    assert calls == ["gate"] and drawn == ["page"]


def test_a_misspelt_chart_worker_setting_stops_the_run_before_it_publishes(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Read while the gate runs: raised there, so nothing is published and then left without
    its reports; a plotting install that cannot be imported only leaves the reports to
    start their own worker."""
    monkeypatch.setenv("IMPACT_REPORT_WORKER", "yes")
    with pytest.raises(ValueError, match="IMPACT_REPORT_WORKER='yes'"):
        release_in_process.start_chart_worker()
    monkeypatch.delenv("IMPACT_REPORT_WORKER")
    monkeypatch.setitem(sys.modules, "impact_warehouse.report.chart_worker", None)
    with caplog.at_level("WARNING"), release_in_process.start_chart_worker() as worker:
        assert worker is None
    assert "the reports' chart worker could not be started" in caplog.text
