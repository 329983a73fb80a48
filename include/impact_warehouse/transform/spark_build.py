"""Build the warehouse on Apache Spark: the same dbt project with ``--target spark``.

dbt-spark's ``method: session`` runs every statement on the SparkSession of this process, so
``build_on_spark`` creates it first (``spark_session.get_session``: master from
``IMPACT_SPARK_MASTER``, default ``local[2]``; table files and metastore under
``<work>/spark/``), then runs ``dbt build --target spark``. Spark reads the landing folder
itself (``spark__read_landing_source``); nothing is loaded beforehand.
``python -m impact_warehouse.transform.spark_build`` does the same from a shell.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impact_warehouse.settings import Settings, paths
from impact_warehouse.transform.dbt_runner import DbtRun, DbtRunError, run_dbt
from impact_warehouse.transform.spark_session import JavaNotFoundError, get_session

log = logging.getLogger(__name__)

SPARK_TARGET = "spark"
# Seeds and models only: what the comparison test and the benchmark build. The data and unit
# tests run on the DuckDB build; on Spark each is a job of its own (minutes for 340).
SEEDS_AND_MODELS = (
    "build",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
)


@dataclass(frozen=True)
class SparkBuild:
    master: str
    run: DbtRun
    session_seconds: float

    @property
    def elapsed_seconds(self) -> float:
        return self.session_seconds + self.run.elapsed_seconds


def build_on_spark(
    *,
    settings: Settings,
    landing_dir: Path | None = None,
    target_path: Path | None = None,
    vars: Mapping[str, Any] | None = None,
    master: str | None = None,
    args: Sequence[str] = ("build",),
) -> SparkBuild:
    """``dbt build --target spark`` over the landing folder (default: ``settings``'), on this
    process's SparkSession, whose tables live under ``<work>/spark`` of ``settings``."""
    landing = (landing_dir or settings.landing).resolve()
    started = time.monotonic()
    session = get_session(master=master, work=settings.work)
    session_seconds = time.monotonic() - started
    log.info("SparkSession ready in %.1f s", session_seconds)
    target = target_path or settings.work / "dbt" / "target-spark"
    run = run_dbt(
        list(args),
        settings,
        profile_target=SPARK_TARGET,
        landing_dir=landing,
        target_path=target,
        vars=vars,
    )
    return SparkBuild(session.sparkContext.master, run, session_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run dbt build on Spark (IMPACT_SPARK_MASTER, default local[2])."
    )
    parser.add_argument("--landing", type=Path, default=None, help="landing folder")
    parser.add_argument("--master", default=None, help="Spark master (e.g. local[4])")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        build = build_on_spark(settings=paths(), landing_dir=args.landing, master=args.master)
    except JavaNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    except DbtRunError as error:
        print(f"dbt build (Spark) に失敗しました:\n{error}", file=sys.stderr)
        return 1
    print(
        f"Spark build ({build.master}) done in {build.elapsed_seconds:.1f} s "
        f"(session {build.session_seconds:.1f} s, dbt build {build.run.elapsed_seconds:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
