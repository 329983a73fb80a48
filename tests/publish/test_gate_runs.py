"""The gate-run record behind ``impact status``: every run kept, the newest found, no values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from impact_warehouse.publish.gate_runs import latest_gate_run, record_gate_run
from impact_warehouse.quality.model import Finding

SUMMARY = {
    "as_of": "2026-11-23",
    "passed": False,
    "failures": 1,
    "warnings": 0,
    "checks": {
        "no_personal_data": {"status": "failure", "failures": 1, "warnings": 0, "seconds": 0.2},
        "scale_domain": {"status": "passed", "failures": 0, "warnings": 0, "seconds": 0.1},
    },
}


def personal_data_finding() -> Finding:
    return Finding(
        check_name="no_personal_data",
        severity="failure",
        program_code="mamabono",
        cohort_code=None,
        wave_code="mamabono_2025_post",
        observed=1.0,
        threshold=0.0,
        message_en="Column answer_text holds an email: taro@example.com",
        details={
            "table": "marts.fct_answers",
            "column": "answer_text",
            "kind": "email",
            "values": 1,
            "sample": "taro@example.com",
            "response_keys": ["r-1", "r-2"],
        },
    )


def test_a_run_is_kept_without_any_failing_value(tmp_path: Path) -> None:
    run = record_gate_run(
        run_id="manual__2026-11-23T22:15:00+00:00",
        fiscal_year=2025,
        summary=SUMMARY,
        findings=[personal_data_finding()],
        release_id=None,
        data_docs="/work/quality/data_docs/x",
        directory=tmp_path,
    )

    stored = run.path.read_text(encoding="utf-8")
    assert "taro@example.com" not in stored and "r-1" not in stored
    (finding,) = latest_gate_run(tmp_path).findings
    assert finding["wave_code"] == "mamabono_2025_post"
    assert finding["details"] == {
        "table": "marts.fct_answers",
        "column": "answer_text",
        "kind": "email",
        "values": 1,
    }
    assert latest_gate_run(tmp_path).checks["no_personal_data"] == {
        "status": "failure",
        "failures": 1,
        "warnings": 0,
    }


def test_the_newest_run_is_the_latest_whatever_its_verdict(tmp_path: Path) -> None:
    assert latest_gate_run(tmp_path) is None
    passed = {**SUMMARY, "passed": True, "failures": 0}
    record_gate_run(
        run_id="passed",
        fiscal_year=2026,
        summary=passed,
        findings=[],
        release_id="FY2026-20261201-0300-0abc",
        data_docs=None,
        directory=tmp_path,
        judged_at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
    )
    record_gate_run(
        run_id="failed",
        fiscal_year=2025,
        summary=SUMMARY,
        findings=[personal_data_finding()],
        release_id=None,
        data_docs=None,
        directory=tmp_path,
        judged_at=datetime(2026, 12, 1, 4, 0, tzinfo=UTC),
    )
    latest = latest_gate_run(tmp_path)
    assert latest is not None and latest.run_id == "failed" and not latest.passed
    assert latest.judged_at == "2026-12-01T04:00:00.000000Z"
