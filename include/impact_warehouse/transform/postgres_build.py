"""Build the warehouse on PostgreSQL: load landing into tables, then ``dbt build``.

The same dbt project as the DuckDB build, with ``--target postgres`` (``profiles.yml`` reads
``IMPACT_PG_HOST``, ``IMPACT_PG_PORT``, ``IMPACT_PG_USER``, ``IMPACT_PG_PASSWORD``,
``IMPACT_PG_DBNAME``). ``python -m impact_warehouse.transform.postgres_build`` does both steps
against the database those variables name.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

from impact_warehouse.settings import Settings, paths
from impact_warehouse.transform.dbt_runner import DbtRun, DbtRunError, run_dbt
from impact_warehouse.transform.postgres_connection import PostgresConnection
from impact_warehouse.transform.postgres_landing import LoadedTable, load_landing

log = logging.getLogger(__name__)

POSTGRES_TARGET = "postgres"


def connection_from_environment(environ: Mapping[str, str] | None = None) -> PostgresConnection:
    """The connection ``profiles.yml`` uses for the postgres target (same defaults)."""
    environ = os.environ if environ is None else environ
    port = environ.get("IMPACT_PG_PORT", "5432")
    if not port.isdigit():
        raise ValueError(f"IMPACT_PG_PORT must be a port number, not {port!r}")
    return PostgresConnection(
        host=environ.get("IMPACT_PG_HOST", "127.0.0.1"),
        port=int(port),
        user=environ.get("IMPACT_PG_USER", "impact"),
        password=environ.get("IMPACT_PG_PASSWORD", ""),
        dbname=environ.get("IMPACT_PG_DBNAME", "impact"),
    )


@dataclass(frozen=True)
class PostgresBuild:
    loaded: list[LoadedTable]
    run: DbtRun
    load_seconds: float

    @property
    def elapsed_seconds(self) -> float:
        return self.load_seconds + self.run.elapsed_seconds


def build_on_postgres(
    connection: PostgresConnection,
    *,
    settings: Settings,
    landing_dir: Path | None = None,
    target_path: Path | None = None,
    vars: Mapping[str, Any] | None = None,
) -> PostgresBuild:
    """Reload ``landing.*`` from the landing folder (default: ``settings``'), then
    ``dbt build --target postgres``."""
    landing = (landing_dir or settings.landing).resolve()
    started = time.monotonic()
    database = psycopg2.connect(**connection.psycopg2_kwargs())
    try:
        loaded = load_landing(database, landing)
    finally:
        database.close()
    load_seconds = time.monotonic() - started
    log.info("loaded %d landing tables into PostgreSQL in %.1f s", len(loaded), load_seconds)
    target = target_path or settings.work / "dbt" / "target-postgres"
    run = run_dbt(
        ["build"],
        settings,
        profile_target=POSTGRES_TARGET,
        environment=connection.environment(),
        landing_dir=landing,
        target_path=target,
        vars=vars,
    )
    return PostgresBuild(loaded, run, load_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load landing into PostgreSQL (IMPACT_PG_*) and run dbt build on it."
    )
    parser.add_argument("--landing", type=Path, default=None, help="landing folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        build = build_on_postgres(
            connection_from_environment(), settings=paths(), landing_dir=args.landing
        )
    except DbtRunError as error:
        print(f"dbt build (PostgreSQL) に失敗しました:\n{error}", file=sys.stderr)
        return 1
    print(
        f"PostgreSQL build done in {build.elapsed_seconds:.1f} s "
        f"(landing load {build.load_seconds:.1f} s, dbt build {build.run.elapsed_seconds:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
