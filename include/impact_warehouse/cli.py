"""Command-line entry point: ``impact <command>``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import time
from datetime import date

from impact_warehouse.airflow_env import (
    airflow_environment,
    airflow_executable,
    prepare_airflow,
)
from impact_warehouse.landing.privacy import create_demo_key
from impact_warehouse.landing.summary import format_run_summary
from impact_warehouse.settings import paths


def _step(message: str) -> float:
    print(f"==> {message}", flush=True)
    return time.monotonic()


def _done(started: float) -> None:
    print(f"    done in {time.monotonic() - started:.1f} s", flush=True)


def run_demo(as_of: date | None, seed: int) -> int:
    """Generate demo sources, serve them as a Google Forms API, run both DAGs end to end."""
    from impact_warehouse.demo.forms_api_server import FormsApiServer
    from impact_warehouse.demo.generator import generate_demo_sources

    settings = paths()
    started = _step(f"generating demo sources (seed {seed}) into {settings.demo_sources}")
    manifest = generate_demo_sources(settings.demo_sources, seed=seed, as_of=as_of)
    print(f"    as of {manifest['as_of']}: {len(manifest.get('dirt', []))} dirt records injected")
    _done(started)
    if create_demo_key(settings.secrets / "pseudonym.key"):
        print(f"    created a demo pseudonymisation key in {settings.secrets}")

    env = {**os.environ, **airflow_environment(settings)}
    started = _step("preparing embedded Airflow (SQLite metadata, LocalExecutor)")
    prepare_airflow(env)
    _done(started)

    token = secrets.token_urlsafe(24)
    with FormsApiServer(settings.demo_sources / "google_forms", token=token) as server:
        env["AIRFLOW_CONN_IMPACT_FORMS_API"] = json.dumps(
            {"conn_type": "http", "host": server.url, "password": token}
        )
        env["IMPACT_INBOX_DIR"] = str(settings.demo_sources / "inbox")
        started = _step(f"running DAG impact_ingest (all waves) against {server.url}")
        ingest_ok = _run_dag("impact_ingest", {"scope": "all"}, env, settings, "demo_ingest")
        _done(started)
    if not ingest_ok:
        return 1
    latest = max(settings.run_summaries.glob("*.json"), key=lambda p: p.stat().st_mtime)
    print(format_run_summary(json.loads(latest.read_text(encoding="utf-8"))))
    print(f"landing zone: {settings.landing}\nrun summary: {latest}")

    started = _step("running DAG impact_warehouse (dbt build → quality gate → publish → alerts)")
    as_of_text = manifest["as_of"]  # the gate judges survey windows as of the demo's date
    if not _run_dag("impact_warehouse", {"as_of": as_of_text}, env, settings, "demo_warehouse"):
        return 1
    _done(started)
    return _print_publication(settings)


def _run_dag(dag_id: str, conf: dict, env: dict[str, str], settings, log_name: str) -> bool:
    """``airflow dags test`` one DAG; its full log goes to .work/logs/<log_name>.log."""
    result = subprocess.run(
        [airflow_executable(), "dags", "test", dag_id, "-c", json.dumps(conf)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log_path = settings.work / "logs" / f"{log_name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(result.stdout, encoding="utf-8")
    if result.returncode != 0 or "state=success" not in result.stdout:
        print(f"{dag_id} failed; full log: {log_path}", file=sys.stderr)
        print(result.stdout[-4000:], file=sys.stderr)
        return False
    print(f"    DAG log: {log_path}")
    return True


def _print_publication(settings) -> int:
    from impact_warehouse.publish import current_release, default_published_path

    release = current_release()
    if release is None:
        print("the quality gate did not pass: nothing was published (see the outbox)")
        return 1
    print(f"    published release {release.release_id} → {default_published_path()}")
    print(f"    staff alerts: {settings.work / 'outbox' / 'alerts.jsonl'}")
    print(
        f'    query it read-only: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{default_published_path()}', read_only=True)"
        f".sql('from reporting.rpt_summary where fiscal_year = 2025'))\""
    )
    return 0


def run_build() -> int:
    """Build the warehouse from the landing zone (dbt seed + run + test)."""
    from impact_warehouse.transform.dbt_runner import DbtRunError, run_dbt

    started = _step("building the warehouse (dbt build: models, data tests, unit tests)")
    try:
        run = run_dbt(["build"])
    except DbtRunError as error:
        print(f"dbt build failed:\n{error}", file=sys.stderr)
        return 1
    _done(started)
    print(f"    {len(run.node_statuses)} nodes passed; warehouse: {run.duckdb_path}")
    print(f'    try: duckdb -readonly {run.duckdb_path} "from reporting.rpt_summary"')
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="impact", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="generate demo data and run the pipeline end to end")
    demo.add_argument("--as-of", type=date.fromisoformat, default=None, help="default: today")
    demo.add_argument("--seed", type=int, default=2025)
    commands.add_parser("build", help="build the warehouse from the landing zone (dbt build)")
    commands.add_parser("airflow-env", help="print the embedded Airflow environment as exports")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return run_demo(args.as_of, args.seed)
    if args.command == "build":
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        return run_build()
    if args.command == "airflow-env":
        for name, value in airflow_environment().items():
            print(f"export {name}={value}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
