"""The ingest DAG isolates sources (issue 11): a failing source does not stop the others.

One real run (``impact pull`` → ``airflow dags test impact_ingest``) where three sources fail
at once: the operations workbooks and the panel deliveries cannot be written (their landing
folders are files: a fault no retry fixes, but one Airflow does retry) and one survey wave's
form is gone from the API (HTTP 404: not retried). Every other wave lands, the run summary
lists the three failures with their cause, the landing Asset is emitted for what landed, and
the run still ends failed with staff alerted.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date

import pytest
from dag_run_support import (
    LANDING_ASSET_URI,
    alerts,
    asset_event_count,
    command_env,
    dag_run_state,
    ingest_dag,
    latest_run_summary,
    task_states,
)

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources

AS_OF = date(2026, 11, 1)
TOKEN = "isolation-test-token"
MISSING_WAVE = "npo_mentoring_2025_post"


@pytest.fixture(scope="module")
def isolated_run(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("isolation")
    sources = root / "sources"
    generate_demo_sources(sources, seed=2025, as_of=AS_OF)
    # The form of one wave is deleted on the survey platform: the API answers 404 for it.
    form_id = load_catalog().waves[MISSING_WAVE].source_ref
    (sources / "google_forms" / "forms" / f"{form_id}.json").unlink()
    work = root / "work"
    # The workbooks' and panel files' landing folders cannot be created.
    (work / "landing").mkdir(parents=True)
    (work / "landing" / "operations").write_text("a file where a folder belongs\n")
    (work / "landing" / "panel_file").write_text("a file where a folder belongs\n")
    with FormsApiServer(sources / "google_forms", token=TOKEN) as server:
        env = command_env(
            work,
            IMPACT_INBOX_DIR=str(sources / "inbox"),
            IMPACT_FORMS_API_URL=server.url,
            IMPACT_FORMS_API_TOKEN=TOKEN,
            # One quick retry, so the test also shows which failures are retried.
            IMPACT_TASK_RETRIES="1",
            IMPACT_TASK_RETRY_DELAY_SECONDS="1",
        )
        args = ["pull", "--all", "--fiscal-year", "2025", "--as-of", AS_OF.isoformat()]
        result = ingest_dag(args, env)
    shutil.rmtree(sources / "google_forms")  # keep the temp folder small
    return work, result


@pytest.mark.slow
def test_the_other_sources_land_and_the_summary_lists_the_failed_ones(isolated_run) -> None:
    work, _ = isolated_run
    summary = latest_run_summary(work)
    failed = {(item["source"], item["wave_code"]) for item in summary["failed_sources"]}
    assert failed == {("operations", None), ("panel_file", None), ("google_forms", MISSING_WAVE)}
    causes = {item["source"]: item for item in summary["failed_sources"]}
    assert "NotADirectoryError" in causes["operations"]["detail"]
    assert "404" in causes["google_forms"]["detail"]
    assert "フォームが見つかりません" in causes["google_forms"]["message_ja"]
    # Every other FY2025 survey wave landed in the same run.
    fy2025_forms = {
        code
        for code, wave in load_catalog().waves.items()
        if wave.fiscal_year == 2025 and wave.source_system == "google_forms"
    }
    landed = {unit["wave_code"] for unit in summary["units"] if unit["landed"] > 0}
    assert landed == fy2025_forms - {MISSING_WAVE}
    assert set(summary["planned_waves"]) == fy2025_forms
    assert summary["landed"] > 0


@pytest.mark.slow
def test_the_run_ends_failed_after_the_summary_and_the_landing_asset(isolated_run) -> None:
    work, _ = isolated_run
    states = task_states(work, "impact_ingest")
    assert dag_run_state(work, "impact_ingest") == "failed"
    assert states[("check_configuration", -1)] == ("success", 1)
    assert states[("plan_waves", -1)][0] == "success"  # after the failed workbooks
    assert states[("summarise_run", -1)][0] == "success"
    assert states[("check_every_source_landed", -1)] == ("failed", 1)
    # A file-system fault is retried once (IMPACT_TASK_RETRIES=1); the API's 404 is not.
    assert states[("land_operations_workbooks", -1)] == ("failed", 2)
    assert states[("land_panel_deliveries", -1)] == ("failed", 2)
    wave_states = [state for (task, _), (state, _) in states.items() if task == "land_form_wave"]
    assert sorted(wave_states) == ["failed", "success", "success", "success", "success"]
    assert [
        tries
        for (task, _), (state, tries) in states.items()
        if (task, state) == ("land_form_wave", "failed")
    ] == [1]
    assert asset_event_count(work, LANDING_ASSET_URI) == 1


@pytest.mark.slow
def test_staff_are_alerted_and_the_command_says_why_in_japanese_first(isolated_run) -> None:
    work, result = isolated_run
    sent = [alert for alert in alerts(work) if alert["alert"]["kind"] == "task_failure"]
    # One alert for the run, from its last task, naming each failed source and its cause.
    (alert,) = sent
    assert alert["alert"]["check_name"] == "check_every_source_landed"
    cause = alert["alert"]["action_ja"]
    assert cause.startswith("取り込めなかったデータ元が3件あります")
    assert "運営記録のワークブック" in cause and MISSING_WAVE in cause
    assert result.returncode == 1
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("エラー: 3件のデータ元を取り込めませんでした")
    assert "Traceback" not in result.stderr
    assert "運営記録のワークブック" in result.stderr and MISSING_WAVE in result.stderr
    # What landed is printed (stdout) before the failures (stderr).
    assert "landed" in result.stdout and "run summary:" in result.stdout


def _task_instances(work) -> list[tuple[str, int, int, str | None, str]]:
    """(task_id, map_index, try_number, rendered_map_index, run_id) of the latest run."""
    database = work / "airflow" / "airflow.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(
            "select task_id, map_index, try_number, rendered_map_index, run_id "
            "from task_instance where dag_id = 'impact_ingest' and run_id = (select run_id "
            "from dag_run where dag_id = 'impact_ingest' order by id desc limit 1)"
        ).fetchall()


@pytest.mark.slow
def test_mapped_survey_tasks_are_named_by_their_wave(isolated_run) -> None:
    work, _ = isolated_run
    summary = latest_run_summary(work)
    names = {
        rendered
        for task_id, _, _, rendered, _ in _task_instances(work)
        if task_id == "land_form_wave"
    }
    # The failed wave too: the UI lists MISSING_WAVE, not "land_form_wave [3]".
    assert names == set(summary["planned_waves"])
    assert MISSING_WAVE in names


@pytest.mark.slow
def test_every_task_attempt_of_the_dags_test_run_has_a_readable_log(isolated_run) -> None:
    from airflow.utils.log.file_task_handler import StructuredLogMessage

    work, _ = isolated_run
    events = {}
    for task_id, map_index, tries, _, run_id in _task_instances(work):
        mapped = f"map_index={map_index}/" if map_index >= 0 else ""
        for attempt in range(1, tries + 1):
            # Airflow's default log_filename_template, where its UI reads task logs.
            path = (
                work
                / "airflow"
                / "logs"
                / "dag_id=impact_ingest"
                / f"run_id={run_id}"
                / f"task_id={task_id}"
                / f"{mapped}attempt={attempt}.log"
            )
            assert path.exists(), f"no log for {task_id}[{map_index}] attempt {attempt}"
            lines = path.read_text(encoding="utf-8").splitlines()
            messages = [StructuredLogMessage.model_validate_json(line) for line in lines]
            assert all(message.timestamp for message in messages)
            events[(task_id, map_index, attempt)] = "\n".join(m.event for m in messages)
    # Each log holds that task's own lines: the plan, the retried failure, the 404.
    assert "survey waves to pull" in events[("plan_waves", -1, 1)]
    assert "NotADirectoryError" in events[("land_operations_workbooks", -1, 2)]
    (missing_index,) = [
        index
        for task_id, index, _, rendered, _ in _task_instances(work)
        if (task_id, rendered) == ("land_form_wave", MISSING_WAVE)
    ]
    assert "404" in events[("land_form_wave", missing_index, 1)]
    assert "Skipping registering function" not in "\n".join(events.values())
