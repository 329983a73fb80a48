"""The statistics on Spark: each SQL twin in marts/spark/ gives the rows of the DuckDB build.

A plain local SparkSession gets the table functions of transform/spark_functions.py; every
relation the twins read is copied from the DuckDB demo build into a Spark view of the same
name (with the DuckDB column types), each twin's SQL is rendered (ref → that view, var → its
default, the macro spark_relation_rows as dbt has it) and run, and its rows are compared with
the DuckDB table of the same name: same columns and types, same rows in any order, floats
within 1e-9. Skipped only where Java is absent (``make test`` installs
openjdk-17-jre-headless).
"""

from __future__ import annotations

import datetime
import math
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pytest

import impact_warehouse
from impact_warehouse.settings import PROJECT_ROOT

TOLERANCE = 1e-9
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
TWINS = sorted((DBT_PROJECT / "models" / "marts" / "spark").glob("*.sql"))
REF = re.compile(r"ref\('(\w+)'\)")

# The end-to-end tier (make test-all): a Spark session.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None, reason="Spark needs Java (openjdk-17-jre-headless)"
    ),
]


@pytest.fixture(scope="module")
def warehouse(demo_warehouse_for_seed: Callable[[int], Any]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo_warehouse_for_seed(2025).database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory, warehouse: duckdb.DuckDBPyConnection) -> Any:
    from pyspark.sql import SparkSession

    from impact_warehouse.transform.spark_functions import register

    package_root = str(Path(impact_warehouse.__file__).parents[1])
    with pytest.MonkeyPatch.context() as patch:
        # Python workers are separate processes: they need this interpreter and the package.
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("PYTHONPATH", package_root, prepend=os.pathsep)
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        started = time.monotonic()
        session = (
            SparkSession.builder.master("local[1]")
            .appName("test_spark_functions")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
            .getOrCreate()
        )
        register(session)
        for name in sorted({name for twin in TWINS for name in REF.findall(twin.read_text())}):
            _copy_relation(name, warehouse, session)
        print(f"\nSpark session and inputs {time.monotonic() - started:.1f} s")
        try:
            yield session
        finally:
            session.stop()


def test_every_statistics_model_has_a_spark_twin() -> None:
    marts = DBT_PROJECT / "models" / "marts"
    postgres = {path.name for path in (marts / "postgres").glob("*.sql")}
    python_models = {path.with_suffix(".sql").name for path in marts.glob("*/*.py")}
    assert {path.name for path in TWINS} == postgres == python_models


@pytest.mark.parametrize("twin", TWINS, ids=lambda path: path.stem)
def test_twin_matches_duckdb(twin: Path, spark: Any, warehouse: duckdb.DuckDBPyConnection) -> None:
    started = time.monotonic()
    result = spark.sql(_rendered(twin))
    rows = [tuple(row) for row in result.collect()]
    print(f"\n{twin.stem}: {len(rows)} rows in {time.monotonic() - started:.1f} s")

    duckdb_columns = _duckdb_columns(twin.stem, warehouse)
    assert [(field.name, field.dataType) for field in result.schema.fields] == [
        (name, _spark_type(data_type)) for name, data_type in duckdb_columns
    ]
    duckdb_rows = warehouse.execute(f"select * from {_qualified(twin.stem, warehouse)}").fetchall()
    assert len(rows) == len(duckdb_rows)
    expected = sorted((_normalised(row) for row in duckdb_rows), key=_sort_key)
    actual = sorted((_normalised(row) for row in rows), key=_sort_key)
    mismatches = [
        (want, got) for want, got in zip(expected, actual, strict=True) if not _same_row(want, got)
    ]
    assert not mismatches, f"{len(mismatches)} rows differ, first: {mismatches[0]}"


def _rendered(twin: Path) -> str:
    """The twin's SQL as dbt renders it, with each ref the Spark view of the same name."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    macros = environment.from_string(
        (DBT_PROJECT / "macros" / "spark_relation_rows.sql").read_text()
    ).module
    return environment.from_string(twin.read_text()).render(
        config=lambda **_: "",
        ref=lambda name: name,
        var=lambda _name, default: default,
        spark_relation_rows=macros.spark_relation_rows,
    )


def _qualified(name: str, warehouse: duckdb.DuckDBPyConnection) -> str:
    schemas = warehouse.execute(
        "select schema_name from duckdb_tables() where table_name = ?", [name]
    ).fetchall()
    assert len(schemas) == 1, f"{name}: {schemas}"
    return f'"{schemas[0][0]}"."{name}"'


def _duckdb_columns(name: str, warehouse: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    result = warehouse.execute(f"describe {_qualified(name, warehouse)}").fetchall()
    return [(row[0], row[1]) for row in result]


def _copy_relation(name: str, warehouse: duckdb.DuckDBPyConnection, spark: Any) -> None:
    from pyspark.sql.types import StructField, StructType

    schema = StructType(
        [
            StructField(column, _spark_type(data_type), nullable=True)
            for column, data_type in _duckdb_columns(name, warehouse)
        ]
    )
    rows = warehouse.execute(f"select * from {_qualified(name, warehouse)}").fetchall()
    spark.createDataFrame(rows, schema).createOrReplaceTempView(name)


def _spark_type(data_type: str) -> Any:
    """The Spark type a DuckDB column type arrives as."""
    from pyspark.sql import types

    if data_type.endswith("[]"):
        return types.ArrayType(_spark_type(data_type[:-2]))
    if match := re.fullmatch(r"MAP\((\w+), (\w+)\)", data_type):
        return types.MapType(_spark_type(match[1]), _spark_type(match[2]))
    if match := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", data_type):
        return types.DecimalType(int(match[1]), int(match[2]))
    simple = {
        "VARCHAR": types.StringType(),
        "JSON": types.StringType(),
        "BOOLEAN": types.BooleanType(),
        "INTEGER": types.IntegerType(),
        "BIGINT": types.LongType(),
        "UBIGINT": types.LongType(),
        "HUGEINT": types.DecimalType(38, 0),
        "DOUBLE": types.DoubleType(),
        "DATE": types.DateType(),
        "TIMESTAMP": types.TimestampNTZType(),
        "TIMESTAMP WITH TIME ZONE": types.TimestampType(),
    }
    return simple[data_type]


def _normalised(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_value(value) for value in row)


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
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
