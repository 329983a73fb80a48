"""The pieces of the optional release approval that need no Airflow run: the catalog
column, the gate → approval → publish hand-off, what the approver reads, and the staff alert
after a rejection. The approval itself is tested through Airflow in
tests/dags/test_release_approval.py."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.__main__ import main
from impact_warehouse.notify.messages import Alert, render
from impact_warehouse.orchestration.approval import (
    NOT_REQUIRED,
    ApprovalError,
    approval_body,
    approved,
    require_approval,
)
from impact_warehouse.pipeline.handoff import BuildOutcome, GateOutcome
from impact_warehouse.publish.gate_runs import mark_gate_run_published, record_gate_run
from impact_warehouse.settings import paths

SUMMARY = {
    "as_of": "2026-11-23",
    "passed": True,
    "failures": 0,
    "warnings": 2,
    "checks": {"response_rate": {"status": "warning", "failures": 0, "warnings": 2}},
}


def gate_outcome(**changes: object) -> GateOutcome:
    values: dict = {
        "run_id": "manual__2026-11-23T22:15:00+00:00",
        "fiscal_year": 2026,
        "as_of": "2026-11-23",
        "audit_db": "/work/warehouse/audit.duckdb",
        "gate_passed": True,
        "failures": 0,
        "warnings": 2,
        "summary": SUMMARY,
        "data_docs": "/work/quality/data_docs/x",
        "gate_run": "/work/quality/gate_runs/x.json",
        "alert_fingerprints": ("a" * 32,),
        "alerts": {"sent": 2},
        "approval_required": True,
        "draft_reports": ("/work/drafts/run/reports/FY2026-x/fy2026/impact_report_fy2026.html",),
    }
    values.update(changes)
    return GateOutcome(**values)


def _organisation_with(tmp_path: Path, value: str) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    path = seeds / "organisation.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    rows[0]["release_approval"] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return seeds


def test_approval_is_off_in_the_shipped_catalog_and_read_from_the_column(
    tmp_path: Path,
) -> None:
    assert load_catalog().organisation.release_approval is False
    assert load_catalog(_organisation_with(tmp_path, "yes")).organisation.release_approval
    assert not load_catalog(
        _organisation_with(tmp_path / "empty", "")
    ).organisation.release_approval


def test_a_bad_approval_value_is_refused_by_the_catalog_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seeds = _organisation_with(tmp_path, "はい")
    with pytest.raises(CatalogError, match=r"release_approval.*neither yes nor no"):
        load_catalog(seeds)
    assert main(["--seeds", str(seeds)]) == 1
    assert "release_approval" in capsys.readouterr().err


def test_the_hand_off_survives_xcom_and_refuses_anything_else() -> None:
    outcome = gate_outcome()
    # Through JSON, as Airflow keeps it between the gate, approval and publish tasks.
    assert GateOutcome.from_xcom(json.loads(json.dumps(outcome.to_xcom()))) == outcome
    with pytest.raises(ValueError, match="missing \\['gate_run'\\]"):
        GateOutcome.from_xcom({k: v for k, v in outcome.to_xcom().items() if k != "gate_run"})
    with pytest.raises(ValueError, match="unknown \\['release_id'\\]"):
        GateOutcome.from_xcom({**outcome.to_xcom(), "release_id": "x"})
    with pytest.raises(TypeError, match="expected a GateOutcome"):
        GateOutcome.from_xcom(None)


def test_the_build_hands_the_gate_a_typed_outcome_through_xcom() -> None:
    built = BuildOutcome(
        audit_db="/w/audit.duckdb", nodes=3, seconds=1.5, source_freshness="pass", status_page=None
    )
    assert BuildOutcome.from_xcom(json.loads(json.dumps(built.to_xcom()))) == built
    with pytest.raises(ValueError, match="missing \\['nodes'"):
        BuildOutcome.from_xcom({"audit_db": "/w/audit.duckdb"})


def test_only_an_approve_lets_a_release_that_needs_approval_through() -> None:
    needed, not_needed = gate_outcome(), gate_outcome(approval_required=False)
    assert approved(not_needed, NOT_REQUIRED)
    assert approved(needed, {"chosen_options": ["Approve"]})
    for decision in ({"chosen_options": ["Reject"]}, NOT_REQUIRED | {"chosen_options": []}, None):
        assert not approved(needed, decision)
    with pytest.raises(ApprovalError, match="承認されていないため公開しません"):
        require_approval(needed, {"chosen_options": ["Reject"]})


def test_the_approver_reads_the_gate_summary_and_the_draft_report() -> None:
    body = approval_body(gate_outcome())
    assert "エラー: 0 件 / 注意: 2 件" in body
    assert "`response_rate`: warning" in body
    assert "file:///work/drafts/run/reports/FY2026-x/fy2026/impact_report_fy2026.html" in body
    assert "まだ公開されていません" in body


def test_staff_hear_in_japanese_that_a_rejected_release_was_not_published() -> None:
    drafts = list(gate_outcome().draft_reports)
    rendered = render(
        Alert(
            kind="release_rejected",
            fiscal_year=2026,
            run_id="manual__x",
            details={"draft_reports": drafts},
        ),
        settings=paths(),
    )
    assert "集計の公開が承認されませんでした" in rendered.subject and "2026年度" in rendered.subject
    assert "公開しませんでした" in rendered.body
    assert drafts[0] in rendered.body
    assert "前回公開のデータのまま" in rendered.body


def test_a_gate_run_recorded_before_the_approval_names_its_release_after(tmp_path: Path) -> None:
    run = record_gate_run(
        run_id="r",
        fiscal_year=2026,
        summary=SUMMARY,
        findings=[],
        release_id=None,
        data_docs=None,
        directory=tmp_path,
    )
    assert mark_gate_run_published(run.path, "FY2026-x").release_id == "FY2026-x"
    assert json.loads(run.path.read_text(encoding="utf-8"))["release_id"] == "FY2026-x"


def test_the_approved_build_is_frozen_and_a_changed_copy_is_never_published(
    tmp_path: Path,
) -> None:
    """Daily pulls rebuild the audit file while an approval waits: the publish releases the
    frozen copy the gate judged and the approver read, and refuses it if it changed."""
    import duckdb

    from impact_warehouse.pipeline.drafts import (
        GatedBuildChangedError,
        freeze_gated_build,
        verify_gated_build,
    )
    from impact_warehouse.pipeline.release import publish_after_gate
    from impact_warehouse.settings import Settings

    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    live = tmp_path / "work" / "warehouse" / "audit.duckdb"
    live.parent.mkdir(parents=True)
    with duckdb.connect(str(live)) as connection:
        connection.execute("create table gated as select 1 as answer")
    gate = freeze_gated_build(settings, gate_outcome(audit_db=str(live)))

    frozen = Path(gate.audit_db)
    assert frozen.parent.parent == settings.work / "drafts" and gate.audit_sha256
    with duckdb.connect(str(live)) as connection:  # the next pull's build
        connection.execute("create table rebuilt as select 2 as answer")
    verify_gated_build(gate)  # the frozen copy is untouched by the rebuild

    with duckdb.connect(str(frozen)) as connection:  # someone edits the draft
        connection.execute("create table edited as select 3 as answer")
    with pytest.raises(GatedBuildChangedError, match="公開を止めました"):
        publish_after_gate(settings, gate)
    assert not (settings.work / "releases").exists()
    assert not (settings.work / "published").exists()


def test_a_run_after_new_landing_data_offers_nothing_for_approval() -> None:
    """Approval on: the daily runs after each pull must not queue approvals that hold the DAG
    (and the status page, and the reminder lists) for days; the approval task skips."""
    from airflow.sdk.exceptions import AirflowSkipException

    from impact_warehouse.orchestration.approval import ReleaseApprovalOperator

    outcome = gate_outcome(publish_requested=False, draft_reports=())
    operator = ReleaseApprovalOperator(task_id="approve_release", gate=outcome.to_xcom())
    with pytest.raises(AirflowSkipException, match="new landing data"):
        operator.execute(context={})


def test_impact_publish_refuses_an_organisation_that_approves_in_airflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI is not a way around the approval: it refuses before building anything."""
    from impact_warehouse.cli import main as impact

    monkeypatch.setenv("IMPACT_CATALOG_DIR", str(_organisation_with(tmp_path, "yes")))
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    assert impact(["publish", "--fiscal-year", "2025"]) == 1
    printed = capsys.readouterr()
    assert "--without-approval" in printed.out + printed.err
    assert not (tmp_path / "work" / "warehouse").exists()
