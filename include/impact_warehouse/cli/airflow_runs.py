"""Running the DAGs on the embedded Airflow with ``airflow dags test``: ``impact demo``, and
the ingest DAG run the DAG tests drive (:func:`run_ingest_dag`). ``impact pull`` runs the
ingest job in this process (:mod:`impact_warehouse.cli.pipeline`).

Inside an organisation's scope (``impact organisations run``/``demo``) the DAGs run are that
organisation's (``impact_ingest__<code>``), on the installation's one Airflow, and the Forms
connection the demo hands them is the organisation's (``AIRFLOW_CONN_IMPACT_FORMS_API__<CODE>``).

A DAG runs in a subprocess, so its exceptions cannot be caught here: the tasks record why
they failed (``orchestration.task_errors``) and :func:`run_dag` prints that cause in Japanese first,
the technical detail below, then where the full log is.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from impact_warehouse.cli.progress import fail, fail_with_causes, refuse_outside_organisation, step
from impact_warehouse.landing.privacy import create_demo_key
from impact_warehouse.landing.summary import format_run_summary
from impact_warehouse.orchestration.airflow_env import (
    airflow_environment,
    airflow_executable,
    prepare_airflow,
)
from impact_warehouse.orchestration.dag_test_logs import write_task_logs
from impact_warehouse.orchestration.task_errors import TaskError, last_try_per_task, latest_errors
from impact_warehouse.organisations import (
    scoped_airflow_id,
    scoped_dag_id,
)
from impact_warehouse.settings import Settings, paths

# The ingest DAG's last task: it fails when a source failed, repeating their causes.
RUN_VERDICT_TASK = "check_every_source_landed"


@dataclass(frozen=True)
class DagTestRun:
    """How one ``airflow dags test`` ended, and the causes its failed tasks recorded."""

    dag_id: str
    ok: bool
    returncode: int
    output: str
    log_path: Path
    errors: list[TaskError]


def airflow_dags_test(
    dag_id: str,
    conf: dict[str, Any],
    env: dict[str, str],
    log_name: str,
    logical_date: datetime | None = None,
) -> DagTestRun:
    """``airflow dags test`` one DAG; its full log goes to <work>/logs/<log_name>.log."""
    settings = paths()
    when = [logical_date.isoformat()] if logical_date else []
    # A margin for file-time granularity: only this run's records are newer than this.
    started = datetime.now(UTC) - timedelta(seconds=1)
    result = subprocess.run(
        [airflow_executable(), "dags", "test", dag_id, *when, "-c", json.dumps(conf)],
        # `dags test` cannot run a DAG with a deadline alert
        # (orchestration.deadline.release_deadline_alert)
        env={**env, "IMPACT_RELEASE_DEADLINE_DAYS": "off"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log_path = settings.work / "logs" / f"{log_name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(result.stdout, encoding="utf-8")
    # `dags test` prints the task logs only: file them where Airflow's UI reads them too.
    write_task_logs(result.stdout, dag_id, env)
    ok = result.returncode == 0 and "state=success" in result.stdout
    errors = [] if ok else last_try_per_task(latest_errors(settings, dag_id, started))
    return DagTestRun(dag_id, ok, result.returncode, result.stdout, log_path, errors)


def report_dag_failure(run: DagTestRun) -> int:
    """The recorded causes, Japanese first; the end of the Airflow output when there are none
    (e.g. the DAG file could not be parsed)."""
    causes = [
        (error.label, error.message_ja, error.detail)
        for error in run.errors
        # The run's verdict repeats the failed sources' causes: show them, not the verdict.
        if error.task_id != RUN_VERDICT_TASK or len(run.errors) == 1
    ]
    if not causes:
        print(run.output[-4000:], file=sys.stderr)
    return fail_with_causes(
        f"{run.dag_id} の実行が失敗しました。",
        causes,
        f"log: {run.log_path} (exit code {run.returncode})",
    )


def run_dag(
    dag_id: str,
    conf: dict[str, Any],
    env: dict[str, str],
    log_name: str,
    logical_date: datetime | None = None,
) -> bool:
    """Run one DAG (:func:`airflow_dags_test`); on failure print why. True when it succeeded."""
    run = airflow_dags_test(dag_id, conf, env, log_name, logical_date)
    if not run.ok:
        report_dag_failure(run)
        return False
    print(f"    DAG log: {run.log_path}")
    return True


def _embedded_airflow() -> dict[str, str]:
    # With a registry the DAGs are each organisation's (impact_ingest__<code>): a run
    # outside any organisation's scope has no DAG to run and no folders of its own.
    if refuse_outside_organisation():
        raise SystemExit(1)
    try:
        env = {**os.environ, **airflow_environment(paths())}
    except ValueError as error:  # a bad AIRFLOW__API__PORT: say so before starting anything
        fail("AIRFLOW__API__PORT にはポート番号(1〜65535)を指定してください。", str(error))
        raise SystemExit(1) from error
    done = step("preparing embedded Airflow (SQLite metadata, LocalExecutor)")
    prepare_airflow(env)
    done()
    return env


def latest_run_summary(
    settings: Settings, since: datetime | None = None
) -> tuple[Path, dict[str, Any]] | None:
    """The newest run summary (written after ``since``, when given)."""
    summaries = [
        path
        for path in settings.run_summaries.glob("*.json")
        if since is None or datetime.fromtimestamp(path.stat().st_mtime, UTC) >= since
    ]
    if not summaries:
        return None
    latest = max(summaries, key=lambda path: path.stat().st_mtime)
    return latest, json.loads(latest.read_text(encoding="utf-8"))


def forms_connection_variable(environ: dict[str, str] | None = None) -> str:
    """``AIRFLOW_CONN_IMPACT_FORMS_API``, or ``…__<CODE>`` inside an organisation's scope."""
    from impact_warehouse.orchestration.airflow_support import FORMS_CONNECTION_ID

    return "AIRFLOW_CONN_" + scoped_airflow_id(FORMS_CONNECTION_ID, environ).upper()


def forms_connection_configured(env: dict[str, str]) -> bool:
    return bool(
        env.get(forms_connection_variable(env))
        or (env.get("IMPACT_FORMS_API_URL") and env.get("IMPACT_FORMS_API_TOKEN"))
    )


def month_interval_end(month: str) -> datetime:
    """``2025-05`` → the run that covers May 2025: 1 June 2025 03:00 (the DAG's cron, in the
    organisation's time zone)."""
    from impact_warehouse.ops.calendar import configured_calendar

    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"--month {month!r} is not YYYY-MM") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return configured_calendar().ingest_run_at(following)


def pull_preflight(settings: Settings, wave: str | None, as_of: date | None) -> int | None:
    """What ``impact pull`` can judge before starting Airflow: the catalog, the named wave, a
    pseudonym key given in the environment. An exit code when the run cannot work, else None.

    A key or Forms connection that is not in the environment may be stored in Airflow: the
    DAG's first tasks judge those, at once and without retries.
    """
    from impact_warehouse.landing.privacy import MissingPseudonymKey
    from impact_warehouse.ops.preflight import (
        ConfigurationError,
        check_catalog,
        check_process_settings,
        check_pseudonym_key,
    )
    from impact_warehouse.orchestration.airflow_support import PSEUDONYM_KEY_VARIABLE

    try:
        catalog = check_catalog()
        check_process_settings()
    except ConfigurationError as error:
        return fail(error.message_ja, error.detail)
    if wave is not None:
        known = catalog.waves.get(wave)
        if known is None or known.source_system != "google_forms":
            form_waves = sorted(
                code for code, item in catalog.waves.items() if item.source_system == "google_forms"
            )
            reason = (
                "カタログ(waves.csv)にありません"
                if known is None
                else "ファイルで届く比較群パネルです(inbox/panel に置くと取り込みます)"
            )
            return fail(
                f"アンケート {wave} は{reason}。"
                "--wave には Google Forms のアンケートを指定してください。",
                f"--wave {wave!r}: not a google_forms wave; known: {', '.join(form_waves)}",
            )
        day = as_of or date.today()
        if known.open_date > day:
            return fail(
                f"アンケート {wave} はまだ回答受付が始まっていません(開始日 {known.open_date})。",
                f"{wave} opens on {known.open_date}, after {day}",
            )
    variable = os.environ.get(f"AIRFLOW_VAR_{scoped_airflow_id(PSEUDONYM_KEY_VARIABLE).upper()}")
    try:
        check_pseudonym_key(settings, variable.encode("utf-8") if variable else None)
    except ConfigurationError as error:
        if not isinstance(error.__cause__, MissingPseudonymKey):
            return fail(error.message_ja, error.detail)
        # Not in the environment: it may be an Airflow Variable; check_configuration decides.
    return None


def run_ingest_dag(
    *,
    scope: str,
    fiscal_year: int | None,
    program: str | None,
    wave: str | None,
    month: str | None = None,
    as_of: date | None = None,
) -> int:
    """One impact_ingest DAG run on the embedded Airflow (data interval = the month up to now,
    or ``month``), reported as ``impact pull`` reports its run: for the DAG tests.

    ``wave`` pulls that wave whatever its window. A source that fails does not stop the
    others: the command prints what landed, then the failed sources with their cause, and
    exits 1.
    """
    settings = paths()
    try:
        logical_date = month_interval_end(month) if month else None
    except ValueError as error:
        return fail("--month は 2025-05 のように年-月で指定してください。", str(error))
    problem = pull_preflight(settings, wave, as_of)
    if problem is not None:
        return problem
    env = _embedded_airflow()
    if not forms_connection_configured(env):
        # The connection may also live in the Airflow metadata database; say so, then try.
        print(
            "    note: AIRFLOW_CONN_IMPACT_FORMS_API / IMPACT_FORMS_API_URL+TOKEN are not set; "
            "using the connection impact_forms_api stored in Airflow, if any"
        )
    conf = {
        "scope": scope,
        "fiscal_year": fiscal_year,
        "program": program,
        "wave": wave,
        "as_of": as_of.isoformat() if as_of else None,
    }
    started = datetime.now(UTC) - timedelta(seconds=1)
    dag_id = scoped_dag_id("impact_ingest")
    done = step(f"running DAG {dag_id} ({_ingest_run_description(conf, month, wave)})")
    run = airflow_dags_test(dag_id, conf, env, "pull_ingest", logical_date)
    latest = latest_run_summary(settings, since=started)
    if run.ok:
        done()
    if latest is None:
        if not run.ok:
            return report_dag_failure(run)
        return fail("取り込みの結果(run summary)が見つかりません。", str(settings.run_summaries))
    return _report_ingest_run(run, *latest)


def _ingest_run_description(conf: dict[str, Any], month: str | None, wave: str | None) -> str:
    """The interval the run covers and the parameters that narrow it, for the progress line."""
    narrowed = ", ".join(f"{key}={value}" for key, value in conf.items() if value is not None)
    interval = f"month {month}" if month else "the month up to now"
    if wave is not None:
        interval = f"wave {wave}, whatever its window"
    return f"{interval}; {narrowed}"


def _report_ingest_run(run: DagTestRun, path: Path, summary: dict[str, Any]) -> int:
    """Prints the run summary as ``impact pull`` does; 1 when a source failed or the DAG run
    did not succeed, so staff see what landed before what failed."""
    waves = [unit["wave_code"] for unit in summary["units"] if unit["source"] == "google_forms"]
    if not waves and not summary.get("failed_sources"):
        print(
            "    この期間に回答受付中のアンケートはありません (no survey window open: no responses)"
        )
    print(format_run_summary(summary))
    print(f"run summary: {path}")
    failures = summary.get("failed_sources") or []
    if failures:
        return fail_with_causes(
            f"{len(failures)}件のデータ元を取り込めませんでした(ほかは取り込み済みです)。",
            [
                (failure_label(failure), failure["message_ja"], failure["detail"])
                for failure in failures
            ],
            f"log: {run.log_path}; staff were alerted. Fix the cause and run `impact pull` again: "
            "what already landed is not landed twice.",
        )
    if not run.ok:
        return report_dag_failure(run)
    print("next: `impact publish` builds, checks and publishes the warehouse")
    return 0


def failure_label(failure: dict[str, Any]) -> str:
    from impact_warehouse.pipeline.ingest import SOURCE_NAMES_JA

    name = SOURCE_NAMES_JA.get(failure["source"], failure["source"])
    return f"{name} {failure['wave_code']}" if failure.get("wave_code") else name


def run_demo(as_of: date | None, seed: int) -> int:
    """Generate demo sources, serve them as a Google Forms API, run both DAGs end to end."""
    from impact_warehouse.demo.forms_api_server import FormsApiServer
    from impact_warehouse.demo.sources import generate_for_catalog

    settings = paths()
    done = step(
        f"generating demo sources (seed {seed}) for the catalog in {settings.catalog} "
        f"into {settings.demo_sources}"
    )
    manifest = generate_for_catalog(settings.demo_sources, seed=seed, as_of=as_of)
    print(f"    as of {manifest['as_of']}: {len(manifest.get('dirt', []))} dirt records injected")
    done()
    if create_demo_key(settings.secrets / "pseudonym.key"):
        print(f"    created a demo pseudonymisation key in {settings.secrets}")

    env = _embedded_airflow()
    token = secrets.token_urlsafe(24)
    with FormsApiServer(settings.demo_sources / "google_forms", token=token) as server:
        env[forms_connection_variable(env)] = json.dumps(
            {"conn_type": "http", "host": server.url, "password": token}
        )
        env["IMPACT_INBOX_DIR"] = str(settings.demo_sources / "inbox")
        ingest_dag = scoped_dag_id("impact_ingest")
        done = step(f"running DAG {ingest_dag} (all waves) against {server.url}")
        # The demo's date is "today" for the whole run: waves opened by then are pulled.
        conf = {"scope": "all", "as_of": manifest["as_of"]}
        ingest_ok = run_dag(ingest_dag, conf, env, "demo_ingest")
        done()
    if not ingest_ok:
        return 1
    path, summary = latest_run_summary(settings) or (None, None)
    if summary is not None:
        print(format_run_summary(summary))
        print(f"landing zone: {settings.landing}\nrun summary: {path}")

    warehouse_dag = scoped_dag_id("impact_warehouse")
    done = step(f"running DAG {warehouse_dag} (dbt build → quality gate → publish → alerts)")
    as_of_text = manifest["as_of"]  # the gate judges survey windows as of the demo's date
    if not run_dag(warehouse_dag, {"as_of": as_of_text}, env, "demo_warehouse"):
        return 1
    done()
    return print_publication(settings)


def print_publication(settings: Settings) -> int:
    from impact_warehouse.publish import current_release

    release = current_release(settings.releases)
    if release is None:
        return fail(
            "データ確認(品質ゲート)を通らなかったため、何も公開されていません。"
            f"お知らせ: {settings.work / 'outbox' / 'alerts.jsonl'}",
            "the quality gate did not pass; `impact status` shows why",
        )
    print(f"    published release {release.release_id} → {settings.published_warehouse}")
    print(f"    staff alerts: {settings.work / 'outbox' / 'alerts.jsonl'}")
    # Rendered by the DAG's render_reports task: the release's fiscal year and the one before.
    for report in sorted((settings.work / "reports" / release.release_id).glob("fy*/*.html")):
        print(f"    impact report: {report}")
    print(
        f'    query it read-only: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{settings.published_warehouse}', read_only=True)"
        f".sql('from reporting.rpt_summary where fiscal_year = 2025'))\""
    )
    return 0
