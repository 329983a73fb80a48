"""The second engine: the same dbt project on a real PostgreSQL server gives the same tables.

A PostgreSQL 15 server (Debian postgresql + postgresql-plpython3-15, installed by
``make test``) is started in a temporary folder for this module. The demo landing is loaded
into it, ``dbt build --target postgres`` runs seeds, models, data tests and unit tests, and
every reporting table (plus the contract table marts.fct_indicator_results, computed there
in PL/Python) is compared with the DuckDB build of the same landing: same columns, same rows
in any order, floats within 1e-9.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg2
import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.postgres_build import PostgresBuild, build_on_postgres
from impact_warehouse.transform.postgres_landing import (
    LandingLoadError,
    landing_sources,
    load_landing,
)
from postgres_test_server import PostgresServer

# The end-to-end tier (make test-all): the project built on PostgreSQL
pytestmark = pytest.mark.slow

TOLERANCE = 1e-9
COMPARED_MARTS = (
    "fct_indicator_results",
    "fct_nonresponse_balance",
    "fct_nonresponse_weighted_shares",
    "fct_comparison_adjusted",
    "fct_covariate_balance",
)
JSONB = 3802  # pg_type oid


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="module")
def duckdb_build(demo_warehouse_for_seed: Callable[[int], Any]) -> Any:
    return demo_warehouse_for_seed(2025)


@pytest.fixture(scope="module")
def postgres_build(
    postgres_server: PostgresServer,
    duckdb_build: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> PostgresBuild:
    build = build_on_postgres(
        postgres_server.connection,
        landing_dir=duckdb_build.landing,
        target_path=tmp_path_factory.mktemp("postgres-target"),
        settings=paths(),
    )
    print(
        f"\nPostgreSQL build {build.elapsed_seconds:.1f} s (landing load "
        f"{build.load_seconds:.1f} s) vs DuckDB build {duckdb_build.run.elapsed_seconds:.1f} s"
    )
    return build


@pytest.fixture(scope="module")
def postgres(postgres_server: PostgresServer, postgres_build: PostgresBuild) -> Iterator[Any]:
    connection = psycopg2.connect(**postgres_server.connection.psycopg2_kwargs())
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="module")
def warehouse(duckdb_build: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(duckdb_build.database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def test_build_runs_data_and_unit_tests_on_postgres(postgres_build: PostgresBuild) -> None:
    statuses = postgres_build.run.node_statuses
    kinds = {unique_id.split(".")[0] for unique_id in statuses}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    assert set(statuses.values()) <= {"success", "pass"}, {
        node: status for node, status in statuses.items() if status not in {"success", "pass"}
    }
    # PostgreSQL builds the contract table with the SQL model over PL/Python.
    result_nodes = [
        item.node
        for item in postgres_build.run.result.results
        if item.node.unique_id == "model.impact_warehouse.fct_indicator_results"
    ]
    assert [node.original_file_path for node in result_nodes] == [
        "models/marts/postgres/fct_indicator_results.sql"
    ]


def test_landing_is_loaded_whole(postgres: Any, warehouse: duckdb.DuckDBPyConnection) -> None:
    """Every landed record reaches PostgreSQL: staging row counts match DuckDB's."""
    staging = {
        ("google_forms", "responses"): "stg_google_forms__responses",
        ("google_forms", "question_map"): "stg_google_forms__question_map",
        ("google_forms", "forms"): "stg_google_forms__forms",
        ("panel_file", "responses"): "stg_panel_file__responses",
        ("panel_file", "question_map"): "stg_panel_file__question_map",
        ("operations", "roster"): "stg_operations__roster",
        ("quarantine", "records"): "stg_quarantine__records",
    }
    declared = {(source.source_name, source.table_name) for source in landing_sources()}
    assert set(staging) <= declared
    with postgres.cursor() as cursor:
        for (source_name, table_name), model in staging.items():
            cursor.execute(f"select count(*) from landing.{source_name}__{table_name}")
            (landed,) = cursor.fetchone()
            (expected,) = warehouse.execute(f"select count(*) from staging.{model}").fetchone()
            assert landed == expected > 0, (source_name, table_name)


def test_loader_types_columns_and_rejects_a_bad_line_whole(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """Declared columns only, typed; missing keys null; empty sources empty tables; a bad
    line names its file and line and leaves the previous load in place."""
    admin = psycopg2.connect(**postgres_server.connection.psycopg2_kwargs())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("create database loader_check")
    admin.close()
    settings = {**postgres_server.connection.psycopg2_kwargs(), "dbname": "loader_check"}
    connection = psycopg2.connect(**settings)
    roster = tmp_path / "operations" / "roster" / "part-0001.jsonl"
    roster.parent.mkdir(parents=True)
    roster.write_text(
        json.dumps({"record_key": "a", "row_number": 3, "fiscal_year": 2025, "extra": 1})
        + "\n"
        + json.dumps({"record_key": "b\tc"})
        + "\n",
        encoding="utf-8",
    )
    panel = tmp_path / "panel_file" / "responses" / "w1" / "part-0001.jsonl"
    panel.parent.mkdir(parents=True)
    panel.write_text(json.dumps({"record_key": "p", "answers": {"Q1": "７"}}) + "\n")
    try:
        loaded = {table.relation_name: table.rows for table in load_landing(connection, tmp_path)}
        assert loaded["operations__roster"] == 2
        assert loaded["quarantine__records"] == 0
        with connection.cursor() as cursor:
            cursor.execute(
                "select record_key, row_number, fiscal_year from landing.operations__roster "
                "order by record_key"
            )
            assert cursor.fetchall() == [("a", 3, "2025"), ("b\tc", None, None)]
            cursor.execute("select answers ->> 'Q1' from landing.panel_file__responses")
            assert cursor.fetchall() == [("７",)]

        roster.write_text(json.dumps({"record_key": "x", "row_number": "three"}) + "\n")
        with pytest.raises(LandingLoadError, match=rf"{roster}:1: .*operations__roster"):
            load_landing(connection, tmp_path)
        with connection.cursor() as cursor:
            cursor.execute("select count(*) from landing.operations__roster")
            assert cursor.fetchone() == (2,)
    finally:
        connection.close()


def test_try_cast_reads_what_duckdb_reads(postgres: Any) -> None:
    with postgres.cursor() as cursor:
        for text, sql_type in [
            ("７", "integer"),
            (" 12 ", "integer"),
            ("7.0", "integer"),
            ("1_000", "integer"),
            ("abc", "integer"),
            ("2.5", "double precision"),
            ("NaN", "integer"),
            ("2025-02-30", "date"),
            ("2025-10-03T12:34:56.123+09:00", "timestamptz"),
        ]:
            cursor.execute(f"select impact_udf.try_cast(%s, null::{sql_type})", [text])
            (postgres_value,) = cursor.fetchone()
            duckdb_type = "double" if sql_type == "double precision" else sql_type
            (duckdb_value,) = duckdb.execute(
                f"select try_cast(? as {duckdb_type})", [text]
            ).fetchone()
            assert postgres_value == duckdb_value, (text, sql_type)


def reporting_tables(warehouse: duckdb.DuckDBPyConnection) -> list[str]:
    rows = warehouse.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'reporting' and table_name like 'rpt\\_%' escape '\\' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in rows]


def test_same_reporting_tables(postgres: Any, warehouse: duckdb.DuckDBPyConnection) -> None:
    with postgres.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'reporting' order by table_name"
        )
        postgres_tables = [name for (name,) in cursor.fetchall()]
    assert reporting_tables(warehouse) == postgres_tables
    assert len(postgres_tables) >= 10


def _compared_relations() -> list[str]:
    # Listed without a database so the parametrisation is known at collection time; the
    # test above checks that this list is exactly DuckDB's set of reporting tables.
    models = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "reporting"
    reporting = sorted(f"reporting.{path.stem}" for path in models.glob("rpt_*.sql"))
    return reporting + [f"marts.{name}" for name in COMPARED_MARTS]


@pytest.mark.parametrize("relation", _compared_relations())
def test_table_matches_duckdb(
    relation: str, postgres: Any, warehouse: duckdb.DuckDBPyConnection
) -> None:
    rows = assert_same_table(relation, postgres, warehouse)
    assert rows > 0


@pytest.mark.parametrize("schema", ["catalog", "staging", "intermediate", "marts"])
def test_every_layer_matches_duckdb(
    schema: str, postgres: Any, warehouse: duckdb.DuckDBPyConnection
) -> None:
    """Not only the published tables: every seed, staging, intermediate and mart table."""
    tables = [
        name
        for (name,) in warehouse.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name",
            [schema],
        ).fetchall()
    ]
    assert tables
    with postgres.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables where table_schema = %s "
            "order by table_name",
            [schema],
        )
        assert [name for (name,) in cursor.fetchall()] == tables
    for table in tables:
        assert_same_table(f"{schema}.{table}", postgres, warehouse)


def assert_same_table(relation: str, postgres: Any, warehouse: duckdb.DuckDBPyConnection) -> int:
    """Same columns in the same order, same rows in any order; returns the row count."""
    duckdb_result = warehouse.execute(f"select * from {relation}")
    duckdb_columns = [column[0] for column in duckdb_result.description]
    duckdb_rows = duckdb_result.fetchall()
    with postgres.cursor() as cursor:
        cursor.execute(f"select * from {relation}")
        postgres_columns = [column.name for column in cursor.description]
        # jsonb arrives parsed, DuckDB's JSON as text: compare both as parsed JSON.
        json_columns = {
            index for index, column in enumerate(cursor.description) if column.type_code == JSONB
        }
        postgres_rows = cursor.fetchall()

    assert postgres_columns == duckdb_columns, relation
    assert len(postgres_rows) == len(duckdb_rows), relation
    expected = sorted((_normalised(row, json_columns) for row in duckdb_rows), key=_sort_key)
    actual = sorted((_normalised(row, json_columns) for row in postgres_rows), key=_sort_key)
    mismatches = [
        (want, got) for want, got in zip(expected, actual, strict=True) if not _same_row(want, got)
    ]
    assert not mismatches, f"{relation}: {len(mismatches)} rows differ, first: {mismatches[0]}"
    return len(postgres_rows)


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
        return float(value)  # DuckDB sums are HUGEINT, PostgreSQL's numeric or bigint
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


def test_server_runs_unprivileged_and_cleans_up() -> None:
    server = PostgresServer()
    connection_settings = server.start()
    root = server.root
    assert root is not None and (root / "data" / "postmaster.pid").exists()
    # PostgreSQL refuses root; under root (CI) the server runs as the postgres OS user.
    assert (root / "data").stat().st_uid != 0
    connection = psycopg2.connect(**connection_settings.psycopg2_kwargs())
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "select current_setting('TimeZone'), current_setting('lc_collate'), "
                "current_setting('server_version_num')::int"
            )
            assert cursor.fetchone()[:2] == ("UTC", "C")
    finally:
        connection.close()
    server.stop()
    server.stop()  # idempotent
    assert not root.exists()
