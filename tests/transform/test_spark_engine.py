"""The third engine: the same dbt project on Apache Spark gives the same tables as on DuckDB.

The demo landing is built with ``dbt build --target spark`` on a ``local-cluster[2,1,1024]``
master (two executor processes, as on a real cluster; dbt-spark's session method, Spark
reading the JSON-lines landing itself), and every catalog (seed), staging, intermediate,
mart and reporting table is compared with the DuckDB build of the same landing: same tables,
same columns in the same order, same rows in any order, floats within 1e-9.

Needs Java 17 (``make test`` installs Debian's openjdk-17-jre-headless); skipped, saying
so, only where no Java runtime can be found.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from impact_warehouse.settings import Settings
from impact_warehouse.transform.spark_build import SEEDS_AND_MODELS, SparkBuild, build_on_spark
from impact_warehouse.transform.spark_session import (
    EMPTY_PART_ENV,
    java_executable,
    stop_session,
)

if java_executable() is None:
    pytest.skip(
        "Spark needs Java 17 and none was found (JAVA_HOME or java on the PATH): install "
        "openjdk-17-jre-headless (make test does, through include/install_system_packages.sh)",
        allow_module_level=True,
    )


# The DuckDB build of the demo (shared with other modules) and the Spark build run in the
# first test's setup: a few minutes on an idle 2-core machine, far more on a loaded one.
# The end-to-end tier (make test-all): the whole project built on a Spark cluster.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

TOLERANCE = 1e-9
MASTER = "local-cluster[2,1,1024]"
COMPARED_SCHEMAS = ("catalog", "staging", "intermediate", "marts", "reporting")


@pytest.fixture(scope="module")
def duckdb_build(demo_warehouse_for_seed: Callable[[int], Any]) -> Any:
    return demo_warehouse_for_seed(2025)


@pytest.fixture(scope="module")
def spark_build(
    duckdb_build: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparkBuild]:
    root = tmp_path_factory.mktemp("spark")
    build = build_on_spark(
        landing_dir=duckdb_build.landing,
        target_path=root / "target",
        master=MASTER,
        settings=Settings.for_work_dir(root, root / "inbox"),
        # Seeds and models: the data and unit tests pass on the DuckDB build of this landing,
        # and this module proves every table equal to it; on Spark each test is a job of its
        # own (several minutes for 340 on 2 cores).
        args=SEEDS_AND_MODELS,
    )
    print(
        f"\nSpark build ({build.master}) {build.elapsed_seconds:.1f} s (session "
        f"{build.session_seconds:.1f} s) vs DuckDB build {duckdb_build.run.elapsed_seconds:.1f} s"
    )
    yield build
    stop_session()


@pytest.fixture(scope="module")
def spark(spark_build: SparkBuild) -> Any:
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session is not None
    return session


@pytest.fixture(scope="module")
def warehouse(duckdb_build: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(duckdb_build.database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def test_build_runs_on_a_cluster_of_executor_processes(spark_build: SparkBuild, spark: Any) -> None:
    assert spark_build.master == MASTER
    statuses = spark_build.run.node_statuses
    kinds = {unique_id.split(".")[0] for unique_id in statuses}
    assert {"seed", "model"} <= kinds
    assert set(statuses.values()) <= {"success", "pass"}, {
        node: status for node, status in statuses.items() if status not in {"success", "pass"}
    }
    # Two executors besides the driver did the work.
    executors = spark.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors == 3


def duckdb_tables(warehouse: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = warehouse.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def spark_tables(spark: Any, schema: str) -> list[str]:
    rows = spark.sql(f"show tables in {schema}").collect()
    return sorted(row.tableName for row in rows if not row.isTemporary)


@pytest.mark.parametrize("schema", COMPARED_SCHEMAS)
def test_every_table_matches_duckdb(
    schema: str, spark: Any, warehouse: duckdb.DuckDBPyConnection
) -> None:
    """Every seed, staging, intermediate, mart and reporting table, row for row."""
    tables = duckdb_tables(warehouse, schema)
    assert tables
    assert spark_tables(spark, schema) == tables
    compared = {table: assert_same_table(f"{schema}.{table}", spark, warehouse) for table in tables}
    print(
        f"\n{schema}: {len(compared)} tables compared: "
        + ", ".join(f"{table} ({rows})" for table, rows in compared.items())
    )


def assert_same_table(relation: str, spark: Any, warehouse: duckdb.DuckDBPyConnection) -> int:
    """Same columns in the same order, same rows in any order; returns the row count."""
    duckdb_result = warehouse.execute(f"select * from {relation}")
    duckdb_columns = [column[0] for column in duckdb_result.description]
    # DuckDB's JSON values arrive as text, Spark keeps JSON as text: compare them parsed.
    json_columns = {
        index
        for index, column in enumerate(duckdb_result.description)
        if str(column[1]).upper() == "JSON"
    }
    duckdb_rows = duckdb_result.fetchall()
    frame = spark.sql(f"select * from {relation}")
    spark_columns = list(frame.columns)
    spark_rows = [tuple(row) for row in frame.collect()]

    assert spark_columns == duckdb_columns, relation
    assert len(spark_rows) == len(duckdb_rows), relation
    expected = sorted((_normalised(row, json_columns) for row in duckdb_rows), key=_sort_key)
    actual = sorted((_normalised(row, json_columns) for row in spark_rows), key=_sort_key)
    mismatches = [
        (want, got) for want, got in zip(expected, actual, strict=True) if not _same_row(want, got)
    ]
    assert not mismatches, f"{relation}: {len(mismatches)} rows differ, first: {mismatches[0]}"
    return len(spark_rows)


def _normalised(row: tuple[Any, ...], json_columns: set[int]) -> tuple[Any, ...]:
    return tuple(
        _json_text(value) if index in json_columns else _value(value)
        for index, value in enumerate(row)
    )


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    parsed = json.loads(value) if isinstance(value, str) else value
    return json.dumps(parsed, sort_keys=True, ensure_ascii=False)


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # DuckDB sums are HUGEINT, Spark's bigint
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return tuple(_value(item) for item in value)
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Exact values order the rows; floats are rounded so last-bit differences do not reorder.
    return tuple(
        (0, "")
        if value is None
        else (1, round(value, 6))
        if isinstance(value, float)
        else (2, str(value))
        for value in row
    )


def _same_row(want: tuple[Any, ...], got: tuple[Any, ...]) -> bool:
    return all(_same_value(a, b) for a, b in zip(want, got, strict=True))


def _same_value(want: Any, got: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(want, got, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    return want == got


def test_an_empty_landing_source_is_an_empty_table(spark: Any, tmp_path: Path) -> None:
    """A glob that matches no part file reads as no rows with the declared columns."""
    empty = os.environ[EMPTY_PART_ENV]
    missing = tmp_path / "nothing" / "*" / "part-*.jsonl"
    rows = spark.sql(
        "select from_json(value, 'record_key string') as landed "
        f"from text.`/{{{str(missing)[1:]},{empty[1:]}}}` where trim(value) <> ''"
    ).collect()
    assert rows == []
