"""Configuration errors stop a run at once, say why in Japanese first, and alert staff
(issue 12): a missing pseudonymisation key, a missing Forms credential, an invalid catalog.

Real runs with the default retries (2, two minutes apart): a task that retried would make
these tests take minutes and show ``try_number`` 2 or more.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from dag_run_support import (
    alerts,
    command_env,
    copy_of_checkout,
    dag_run_state,
    ingest_dag,
    latest_run_summary,
    task_states,
)

from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.orchestration.airflow_env import (
    airflow_environment,
    airflow_executable,
    prepare_airflow,
)
from impact_warehouse.settings import Settings

AS_OF = date(2026, 11, 1)
TOKEN = "configuration-test-token"
PULL = ["pull", "--all", "--fiscal-year", "2025", "--as-of", AS_OF.isoformat()]


@pytest.fixture(scope="module")
def demo_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sources = tmp_path_factory.mktemp("configuration-sources")
    generate_demo_sources(sources, seed=2025, as_of=AS_OF)
    return sources


@pytest.fixture(scope="module")
def unconfigured_runs(tmp_path_factory: pytest.TempPathFactory, demo_sources: Path) -> dict:
    """Two pulls in one work folder: no key at all; then a key but no Forms credential."""
    work = tmp_path_factory.mktemp("unconfigured") / "work"
    inbox = str(demo_sources / "inbox")
    with FormsApiServer(demo_sources / "google_forms", token=TOKEN) as server:
        no_key = ingest_dag(
            PULL,
            command_env(
                work,
                IMPACT_INBOX_DIR=inbox,
                IMPACT_FORMS_API_URL=server.url,
                IMPACT_FORMS_API_TOKEN=TOKEN,
                IMPACT_PSEUDONYM_KEY=None,
            ),
        )
        no_key_states = task_states(work, "impact_ingest")
        no_key_alerts = alerts(work)
        no_key_summaries = list((work / "landing" / "_runs").glob("*.json"))
    no_credential = ingest_dag(PULL, command_env(work, IMPACT_INBOX_DIR=inbox))
    return {
        "work": work,
        "no_key": no_key,
        "no_key_states": no_key_states,
        "no_key_alerts": no_key_alerts,
        "no_key_summaries": no_key_summaries,
        "no_credential": no_credential,
        "no_credential_states": task_states(work, "impact_ingest"),
    }


@pytest.mark.slow
def test_a_missing_pseudonym_key_stops_the_run_at_once(unconfigured_runs: dict) -> None:
    result, states = unconfigured_runs["no_key"], unconfigured_runs["no_key_states"]
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("エラー: 仮名化キー(pseudonym key)が設定されていません")
    assert any("MissingPseudonymKey" in line for line in lines[1:])
    assert "Traceback" not in result.stderr
    assert states[("check_configuration", -1)] == ("failed", 1)  # no retry
    assert {state for key, (state, _) in states.items() if key[0] != "check_configuration"} == {
        "upstream_failed"
    }
    assert [a for a in unconfigured_runs["no_key_alerts"] if a["alert"]["kind"] == "task_failure"]
    assert unconfigured_runs["no_key_summaries"] == []  # nothing ran, nothing to summarise


@pytest.mark.slow
def test_a_missing_forms_credential_fails_the_surveys_only(unconfigured_runs: dict) -> None:
    result = unconfigured_runs["no_credential"]
    states = unconfigured_runs["no_credential_states"]
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("エラー: アンケート(Google Forms API)への接続設定がありません")
    assert "IMPACT_FORMS_API_TOKEN" in result.stderr  # the detail says what to set
    assert states[("plan_waves", -1)] == ("failed", 1)  # no retry
    # The workbooks and panel files landed all the same, and the summary says what failed.
    assert states[("land_operations_workbooks", -1)][0] == "success"
    assert states[("land_panel_deliveries", -1)][0] == "success"
    summary = latest_run_summary(unconfigured_runs["work"])
    assert {unit["source"] for unit in summary["units"]} == {"operations", "panel_file"}
    assert [(f["source"], f["task_id"]) for f in summary["failed_sources"]] == [
        ("google_forms", "plan_waves")
    ]


# -- an invalid catalog ------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout whose waves.csv says ``70%`` where a fraction belongs."""
    checkout = copy_of_checkout(tmp_path_factory.mktemp("broken-catalog") / "checkout")
    waves = checkout / "dbt_project" / "seeds" / "waves.csv"
    lines = waves.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].rstrip("\n").split(",")
    row[header.index("response_rate_target")] = "70%"
    lines[1] = ",".join(row) + "\n"
    waves.write_text("".join(lines), encoding="utf-8")
    return checkout


def _broken_env(checkout: Path, work: Path) -> dict[str, str]:
    env = command_env(work, IMPACT_PROJECT_DIR=str(checkout))
    settings = Settings.for_work_dir(work, work / "inbox")
    env.update(airflow_environment(settings))
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(checkout / "dags")  # the copy's DAG files
    env["IMPACT_RELEASE_DEADLINE_DAYS"] = "off"  # `dags test` cannot run a deadline alert
    return env


def test_both_dags_still_load_with_an_invalid_catalog(broken_checkout: Path, tmp_path) -> None:
    script = (
        "import json\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        f"bag = DagBag(dag_folder={str(broken_checkout / 'dags')!r})\n"
        "ingest = bag.dags['impact_ingest'].params\n"
        "print(json.dumps({'errors': bag.import_errors, 'dags': sorted(bag.dags),\n"
        "    'wave': ingest.get_param('wave').schema,\n"
        "    'wave_text': ingest.get_param('wave').description,\n"
        "    'year': bag.dags['impact_warehouse'].params.get_param('fiscal_year').schema}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=_broken_env(broken_checkout, tmp_path / "work"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["errors"] == {}
    assert loaded["dags"] == ["impact_ingest", "impact_warehouse"]
    # The trigger forms offer free fields instead of the catalog's choices.
    assert "enum" not in loaded["wave"] and "カタログにエラー" in loaded["wave_text"]
    assert "enum" not in loaded["year"]


@pytest.mark.slow
def test_an_invalid_catalog_fails_the_first_task_and_alerts_staff(
    broken_checkout: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    env = _broken_env(broken_checkout, work)
    prepare_airflow(env)
    outputs = {}
    for dag_id in ("impact_ingest", "impact_warehouse"):
        outputs[dag_id] = subprocess.run(
            [airflow_executable(), "dags", "test", dag_id],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert dag_run_state(work, dag_id) == "failed"
    ingest = task_states(work, "impact_ingest")
    assert ingest[("check_configuration", -1)] == ("failed", 1)
    assert ingest[("land_operations_workbooks", -1)][0] == "upstream_failed"
    assert ingest[("summarise_run", -1)][0] == "upstream_failed"
    warehouse = task_states(work, "impact_warehouse")
    assert warehouse[("check_catalog", -1)] == ("failed", 1)
    assert warehouse[("build_audit_warehouse", -1)][0] == "upstream_failed"
    # The task log carries the catalog's message: file, line, fix.
    assert "waves.csv line 2" in outputs["impact_ingest"].stdout + outputs["impact_ingest"].stderr
    # Staff are alerted through the usual failure path, for each DAG.
    failures = [
        json.dumps(a, ensure_ascii=False)
        for a in alerts(work)
        if a["alert"]["kind"] == "task_failure"
    ]
    for task_id in ("check_configuration", "check_catalog"):
        assert [text for text in failures if task_id in text], f"no alert names {task_id}"
    # The cause each task recorded for people (impact pull prints it) names file and line.
    recorded = [
        json.loads(line)
        for path in (work / "logs" / "task_errors").rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert {error["task_id"] for error in recorded} == {"check_configuration", "check_catalog"}
    assert all("waves.csv の 2 行目" in error["message_ja"] for error in recorded)
