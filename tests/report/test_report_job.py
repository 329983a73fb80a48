"""After a publish the DAG renders the release's reports; after a failed gate, nothing."""

from __future__ import annotations

from impact_warehouse.report import job
from impact_warehouse.settings import Settings


def test_a_failed_gate_renders_nothing(tmp_path):
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    failed = {"gate_passed": False, "failures": 2, "release_id": None}
    assert job.published_release_id(failed) is None
    assert job.render_after_publish(failed, settings) == []
    assert not (settings.work / "reports").exists()


def test_a_publish_renders_its_fiscal_year_and_the_one_before(published_reports):
    # The session fixture ran render_after_publish on the demo release (labelled FY2026).
    release_id = published_reports.release.release_id
    assert job.published_release_id({"gate_passed": True, "release_id": release_id}) == release_id
    assert {r["release_id"] for r in published_reports.reports.values()} == {release_id}
    assert sorted(published_reports.reports) == [2025, 2026]
