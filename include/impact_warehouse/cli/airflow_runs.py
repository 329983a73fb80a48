"""Commands that run the DAGs on the embedded Airflow with ``airflow dags test``: demo, pull."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from impact_warehouse.airflow_env import airflow_environment, airflow_executable, prepare_airflow
from impact_warehouse.cli.progress import fail, step
from impact_warehouse.landing.privacy import create_demo_key
from impact_warehouse.landing.summary import format_run_summary
from impact_warehouse.settings import Paths, paths


def run_dag(
    dag_id: str,
    conf: dict[str, Any],
    env: dict[str, str],
    log_name: str,
    logical_date: datetime | None = None,
) -> bool:
    """``airflow dags test`` one DAG; its full log goes to <work>/logs/<log_name>.log."""
    settings = paths()
    when = [logical_date.isoformat()] if logical_date else []
    result = subprocess.run(
        [airflow_executable(), "dags", "test", dag_id, *when, "-c", json.dumps(conf)],
        # `dags test` cannot run a DAG with a deadline alert (ops.deadline.release_deadline_alert)
        env={**env, "IMPACT_RELEASE_DEADLINE_DAYS": "off"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log_path = settings.work / "logs" / f"{log_name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(result.stdout, encoding="utf-8")
    if result.returncode != 0 or "state=success" not in result.stdout:
        print(result.stdout[-4000:], file=sys.stderr)
        fail(f"{dag_id} の実行が失敗しました。ログ: {log_path}", f"exit code {result.returncode}")
        return False
    print(f"    DAG log: {log_path}")
    return True


def _embedded_airflow() -> dict[str, str]:
    env = {**os.environ, **airflow_environment(paths())}
    done = step("preparing embedded Airflow (SQLite metadata, LocalExecutor)")
    prepare_airflow(env)
    done()
    return env


def latest_run_summary(settings: Paths) -> tuple[Path, dict[str, Any]] | None:
    summaries = list(settings.run_summaries.glob("*.json"))
    if not summaries:
        return None
    latest = max(summaries, key=lambda path: path.stat().st_mtime)
    return latest, json.loads(latest.read_text(encoding="utf-8"))


def forms_connection_configured(env: dict[str, str]) -> bool:
    return bool(
        env.get("AIRFLOW_CONN_IMPACT_FORMS_API")
        or (env.get("IMPACT_FORMS_API_URL") and env.get("IMPACT_FORMS_API_TOKEN"))
    )


def month_interval_end(month: str) -> datetime:
    """``2025-05`` → the run that covers May 2025: 1 June 2025 03:00 JST (the DAG's cron)."""
    from impact_warehouse.ops.calendar import TOKYO

    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise ValueError(f"--month {month!r} is not YYYY-MM") from None
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime(following.year, following.month, 1, 3, tzinfo=TOKYO)


def run_pull(
    *,
    scope: str,
    fiscal_year: int | None,
    program: str | None,
    wave: str | None,
    month: str | None = None,
) -> int:
    """Ingest now: one impact_ingest run (data interval = the month up to now, or ``month``)."""
    settings = paths()
    try:
        logical_date = month_interval_end(month) if month else None
    except ValueError as error:
        return fail("--month は 2025-05 のように年-月で指定してください。", str(error))
    env = _embedded_airflow()
    if not forms_connection_configured(env):
        # The connection may also live in the Airflow metadata database; say so, then try.
        print(
            "    note: AIRFLOW_CONN_IMPACT_FORMS_API / IMPACT_FORMS_API_URL+TOKEN are not set; "
            "using the connection impact_forms_api stored in Airflow, if any"
        )
    conf = {"scope": scope, "fiscal_year": fiscal_year, "program": program, "wave": wave}
    before = {path.name for path in settings.run_summaries.glob("*.json")}
    narrowed = ", ".join(f"{key}={value}" for key, value in conf.items() if value is not None)
    interval = f"month {month}" if month else "the month up to now"
    done = step(f"running DAG impact_ingest ({interval}; {narrowed})")
    if not run_dag("impact_ingest", conf, env, "pull_ingest", logical_date):
        return 1
    done()
    latest = latest_run_summary(settings)
    if latest is None or latest[0].name in before:
        return fail("取り込みの結果(run summary)が見つかりません。", str(settings.run_summaries))
    path, summary = latest
    waves = [unit["wave_code"] for unit in summary["units"] if unit["source"] == "google_forms"]
    if not waves:
        print(
            "    この期間に回答受付中のアンケートはありません (no survey window open: no responses)"
        )
    print(format_run_summary(summary))
    print(f"run summary: {path}")
    print("next: `impact publish` builds, checks and publishes the warehouse")
    return 0


def run_demo(as_of: date | None, seed: int) -> int:
    """Generate demo sources, serve them as a Google Forms API, run both DAGs end to end."""
    from impact_warehouse.demo.forms_api_server import FormsApiServer
    from impact_warehouse.demo.generator import generate_demo_sources

    settings = paths()
    done = step(f"generating demo sources (seed {seed}) into {settings.demo_sources}")
    manifest = generate_demo_sources(settings.demo_sources, seed=seed, as_of=as_of)
    print(f"    as of {manifest['as_of']}: {len(manifest.get('dirt', []))} dirt records injected")
    done()
    if create_demo_key(settings.secrets / "pseudonym.key"):
        print(f"    created a demo pseudonymisation key in {settings.secrets}")

    env = _embedded_airflow()
    token = secrets.token_urlsafe(24)
    with FormsApiServer(settings.demo_sources / "google_forms", token=token) as server:
        env["AIRFLOW_CONN_IMPACT_FORMS_API"] = json.dumps(
            {"conn_type": "http", "host": server.url, "password": token}
        )
        env["IMPACT_INBOX_DIR"] = str(settings.demo_sources / "inbox")
        done = step(f"running DAG impact_ingest (all waves) against {server.url}")
        # The demo's date is "today" for the whole run: waves opened by then are pulled.
        conf = {"scope": "all", "as_of": manifest["as_of"]}
        ingest_ok = run_dag("impact_ingest", conf, env, "demo_ingest")
        done()
    if not ingest_ok:
        return 1
    path, summary = latest_run_summary(settings) or (None, None)
    if summary is not None:
        print(format_run_summary(summary))
        print(f"landing zone: {settings.landing}\nrun summary: {path}")

    done = step("running DAG impact_warehouse (dbt build → quality gate → publish → alerts)")
    as_of_text = manifest["as_of"]  # the gate judges survey windows as of the demo's date
    if not run_dag("impact_warehouse", {"as_of": as_of_text}, env, "demo_warehouse"):
        return 1
    done()
    return print_publication(settings)


def print_publication(settings: Paths) -> int:
    from impact_warehouse.publish import current_release, default_published_path

    release = current_release()
    if release is None:
        return fail(
            "データ確認(品質ゲート)を通らなかったため、何も公開されていません。"
            f"お知らせ: {settings.work / 'outbox' / 'alerts.jsonl'}",
            "the quality gate did not pass; `impact status` shows why",
        )
    print(f"    published release {release.release_id} → {default_published_path()}")
    print(f"    staff alerts: {settings.work / 'outbox' / 'alerts.jsonl'}")
    # Rendered by the DAG's render_reports task: the release's fiscal year and the one before.
    for report in sorted((settings.work / "reports" / release.release_id).glob("fy*/*.html")):
        print(f"    impact report: {report}")
    print(
        f'    query it read-only: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{default_published_path()}', read_only=True)"
        f".sql('from reporting.rpt_summary where fiscal_year = 2025'))\""
    )
    return 0
