"""The main-job command runs the impact_ingest and impact_warehouse DAGs end to end
(airflow dags test): landing → dbt build → quality gate → publish → alerts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_impact_demo_runs_the_ingest_dag_end_to_end(tmp_path):
    env = {**os.environ, "IMPACT_WORK_DIR": str(tmp_path / "work")}
    for variable in ("AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "IMPACT_INBOX_DIR"):
        env.pop(variable, None)  # the command must set up its own embedded Airflow
    result = subprocess.run(
        [sys.executable, "-m", "impact_warehouse.cli", "demo", "--as-of", "2026-11-23"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "running DAG impact_ingest" in result.stdout

    landing = tmp_path / "work" / "landing"
    summaries = list((landing / "_runs").glob("*.json"))
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    sources = {unit["source"] for unit in summary["units"]}
    assert sources == {"google_forms", "panel_file", "operations"}
    waves = {unit["wave_code"] for unit in summary["units"] if unit["source"] == "google_forms"}
    assert {"mamabono_2025_post", "followup_2025", "mamabono_2026_pre"} <= waves
    assert "mamabono_2026_post" not in waves  # its survey window has not opened yet
    assert summary["landed"] > 0 and summary["quarantined_total"] > 0
    assert (tmp_path / "work" / "airflow" / "airflow.db").exists()
    # ... then the impact_warehouse DAG builds, gates and publishes a release.
    assert "published release FY" in result.stdout
    assert (tmp_path / "work" / "warehouse" / "audit.duckdb").exists()
    assert (tmp_path / "work" / "published" / "warehouse.duckdb").exists()
    outbox = (tmp_path / "work" / "outbox" / "alerts.jsonl").read_text(encoding="utf-8")
    assert "release_published" in outbox
    # ... and renders the reports of the release: FY2026 (the demo's label) and FY2025.
    reports = sorted((tmp_path / "work" / "reports").glob("FY*/fy*/impact_report_fy*.html"))
    assert [path.parent.name for path in reports] == ["fy2025", "fy2026"], reports

    # Nothing the pipeline wrote (landing, Airflow logs and metadata, run summaries) may hold
    # personal data: only the vault does. The demo sources are the "source system" itself.
    work = tmp_path / "work"
    truth = work / "demo_sources" / "_truth" / "contacts.jsonl"
    emails = [
        json.loads(line)["value"].strip().lower()
        for line in truth.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["kind"] == "email"
    ]
    skipped = (work / "demo_sources", work / "vault")
    for path in work.rglob("*"):
        if path.is_file() and not any(folder in path.parents for folder in skipped):
            text = path.read_bytes().decode("utf-8", errors="ignore").lower()
            assert not [email for email in emails if email in text], path
