"""The analyst copy of the audit warehouse: only the schemas analysts may read.

Tables are copied one by one (``CREATE TABLE … AS SELECT``) into a fresh file instead of
copying the audit file and dropping schemas: a dropped table's blocks can stay in the file as
free space, so landing-level detail from ``staging``/``intermediate`` could still be read from
the bytes of a published file. Views in the published schemas are materialised as tables, so
the copy never refers to a schema it does not contain. Table and column comments (the dbt docs)
are kept.

The file is written in DuckDB's 1.0 storage format (``PUBLISHED_STORAGE_VERSION``), which every
DuckDB 1.x and 2.x reader opens: analysts' tools (the DuckDB CLI and Python package 1.x, DBeaver
through JDBC) refuse the 2.0 format with "version number 69 … can only read 64–68". Each table
is also written as a Parquet file, for tools that read no DuckDB file at all.

Every published table carries ``organisation_code`` as its first column (taken from the
build's ``catalog.organisation``, i.e. from data): on an installation serving many
organisations an analyst who combines two releases, or a loader that unions them, can never
lose which organisation a row belongs to. A table that already has the column is checked to
hold that one code only. The release's docs site describes the column too
(:mod:`.docs_columns`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.sql_identifiers import quoted_identifier, quoted_literal

PUBLISHED_SCHEMAS: tuple[str, ...] = ("catalog", "marts", "reporting")
META_SCHEMA = "meta"
# The oldest storage format DuckDB 2.0 writes; DuckDB 1.0 and every later reader open it
# (header version number 64; checked with DuckDB 1.1.3, see tests/publish).
PUBLISHED_STORAGE_VERSION = "v1.0.0"
PARQUET_FOLDER = "parquet"
_SOURCE = "audit_source"
_TARGET = "published"
ORGANISATION_COLUMN = "organisation_code"
ORGANISATION_TABLE = "catalog.organisation"


@dataclass(frozen=True)
class TableCount:
    schema: str
    table: str
    row_count: int


@dataclass(frozen=True)
class ReleaseRow:
    """One line of ``meta.releases`` inside a published file."""

    release_id: str
    fiscal_year: int
    run_id: str
    created_at: str
    git_commit: str | None
    gate_result: dict[str, Any]
    is_current: bool
    organisation_code: str | None = None


def _published_relations(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, name, comment) of every table and view of the published schemas, sorted."""
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    return connection.execute(
        f"""
        select schema_name, table_name, coalesce(comment, '') from duckdb_tables()
        where database_name = ? and schema_name in ({placeholders})
        union all
        select schema_name, view_name, coalesce(comment, '') from duckdb_views()
        where database_name = ? and schema_name in ({placeholders}) and not internal
        order by 1, 2
        """,
        [_SOURCE, *PUBLISHED_SCHEMAS, _SOURCE, *PUBLISHED_SCHEMAS],
    ).fetchall()


Column = tuple[str, str | None]  # name, comment


def _published_columns(
    connection: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str], list[Column]]:
    """(schema, relation) → its columns in order, with their comments, for every relation of
    the published schemas: one catalog query for all of them, not two per table."""
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    columns: dict[tuple[str, str], list[Column]] = {}
    for schema, table, name, comment in connection.execute(
        f"""
        select schema_name, table_name, column_name, comment from duckdb_columns()
        where database_name = ? and schema_name in ({placeholders})
        order by schema_name, table_name, column_index
        """,
        [_SOURCE, *PUBLISHED_SCHEMAS],
    ).fetchall():
        columns.setdefault((schema, table), []).append((name, comment))
    return columns


def _copy_comments(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    comment: str,
    columns: Sequence[Column],
) -> None:
    target = f"{quoted_identifier(schema)}.{quoted_identifier(table)}"
    statements = [f"comment on table {target} is {quoted_literal(comment)}"] if comment else []
    statements += [
        f"comment on column {target}.{quoted_identifier(column)}"
        f" is {quoted_literal(column_comment)}"
        for column, column_comment in columns
        if column_comment is not None
    ]
    if statements:
        # One call for the table's comments: each statement is a catalog change either way,
        # but a call per column cost more than the change (about a third of a publish).
        connection.execute(";\n".join(statements))


def organisation_code_of(connection: duckdb.DuckDBPyConnection, database: str) -> str | None:
    """The code in ``catalog.organisation`` of ``database``; None when it has no such table."""
    schema, table = ORGANISATION_TABLE.split(".")
    (found,) = connection.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = ? and schema_name = ? and table_name = ?",
        [database, schema, table],
    ).fetchone()
    if not found:
        return None
    codes = connection.execute(
        f"select distinct {ORGANISATION_COLUMN} "
        f"from {quoted_identifier(database)}.{ORGANISATION_TABLE}"
    ).fetchall()
    if len(codes) != 1 or not codes[0][0]:
        raise ValueError(
            f"{ORGANISATION_TABLE} of {database} must hold exactly one organisation_code, "
            f"found {[code for (code,) in codes]}"
        )
    return str(codes[0][0])


def read_organisation_code(audit_db: Path) -> str | None:
    """The organisation whose build ``audit_db`` is (``catalog.organisation``)."""
    with duckdb.connect() as connection:
        connection.execute(f"attach {quoted_literal(str(audit_db))} as {_SOURCE} (read_only)")
        return organisation_code_of(connection, _SOURCE)


def _copy_table(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    organisation_code: str | None,
    column_names: Sequence[str],
) -> None:
    """Copy one published relation, with ``organisation_code`` first when it has none."""
    qualified = f"{quoted_identifier(schema)}.{quoted_identifier(table)}"
    source = f"{_SOURCE}.{qualified}"
    if organisation_code is None:
        connection.execute(f"create table {qualified} as select * from {source}")
        return
    if ORGANISATION_COLUMN in column_names:
        others = connection.execute(
            f"select distinct {ORGANISATION_COLUMN} from {source} "
            f"where {ORGANISATION_COLUMN} is distinct from ?",
            [organisation_code],
        ).fetchall()
        if others:
            raise ValueError(
                f"{schema}.{table} holds rows of organisation_code "
                f"{sorted(str(code) for (code,) in others)}, not only {organisation_code!r}; "
                "a release publishes one organisation's rows"
            )
        connection.execute(f"create table {qualified} as select * from {source}")
        return
    connection.execute(
        f"create table {qualified} as select "
        f"{quoted_literal(organisation_code)}::varchar as {ORGANISATION_COLUMN}, * from {source}"
    )
    connection.execute(
        f"comment on column {qualified}.{ORGANISATION_COLUMN} is "
        f"{quoted_literal('The organisation that published this release (catalog.organisation).')}"
    )


def _write_meta(
    connection: duckdb.DuckDBPyConnection,
    releases: Sequence[ReleaseRow],
    tables: Sequence[TableCount],
) -> None:
    connection.execute(f"create schema {META_SCHEMA}")
    connection.execute(
        f"""
        create table {META_SCHEMA}.releases (
            release_id varchar primary key, fiscal_year integer, run_id varchar,
            created_at timestamptz, git_commit varchar, gate_result json, is_current boolean,
            organisation_code varchar
        )
        """
    )
    connection.executemany(
        f"insert into {META_SCHEMA}.releases values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                row.release_id,
                row.fiscal_year,
                row.run_id,
                row.created_at,
                row.git_commit,
                json.dumps(row.gate_result, ensure_ascii=False, sort_keys=True),
                row.is_current,
                row.organisation_code,
            ]
            for row in releases
        ],
    )
    connection.execute(
        f"comment on table {META_SCHEMA}.releases is "
        "'Every release up to this one; is_current marks the release this file holds.'"
    )
    connection.execute(
        f"create table {META_SCHEMA}.tables "
        "(schema_name varchar, table_name varchar, row_count bigint)"
    )
    connection.executemany(
        f"insert into {META_SCHEMA}.tables values (?, ?, ?)",
        [[table.schema, table.table, table.row_count] for table in tables],
    )


def write_analyst_copy(
    audit_db: Path, target: Path, *, releases: Sequence[ReleaseRow]
) -> list[TableCount]:
    """Write a new DuckDB file at ``target`` with the published schemas and ``meta``.

    The organisation is the one of the audit warehouse's ``catalog.organisation``; a build
    without that table (no organisation known) is copied as it is.
    """
    if target.exists():
        raise FileExistsError(f"analyst copy target already exists: {target}")
    tables: list[TableCount] = []
    connection = duckdb.connect()
    try:
        connection.execute(
            f"attach {quoted_literal(str(target))} as {_TARGET} "
            f"(storage_version {quoted_literal(PUBLISHED_STORAGE_VERSION)})"
        )
        connection.execute(f"attach {quoted_literal(str(audit_db))} as {_SOURCE} (read_only)")
        connection.execute(f"use {_TARGET}")
        organisation_code = organisation_code_of(connection, _SOURCE)
        columns = _published_columns(connection)
        # One transaction for every table and comment: committed statement by statement, the
        # commits cost more than the copies (a third of a publish on demo data). A failure
        # half-way leaves nothing behind in the new file either way.
        connection.execute("begin transaction")
        for schema, table, comment in _published_relations(connection):
            qualified = f"{quoted_identifier(schema)}.{quoted_identifier(table)}"
            of_table = columns.get((schema, table), [])
            connection.execute(f"create schema if not exists {quoted_identifier(schema)}")
            _copy_table(connection, schema, table, organisation_code, [n for n, _ in of_table])
            _copy_comments(connection, schema, table, comment, of_table)
            (row_count,) = connection.execute(f"select count(*) from {qualified}").fetchone()
            tables.append(TableCount(schema, table, int(row_count)))
        connection.execute("commit")
        connection.execute(f"detach {_SOURCE}")
        _write_meta(connection, releases, tables)
        connection.execute(f"checkpoint {_TARGET}")
    finally:
        connection.close()
    return tables


def write_parquet_files(warehouse: Path, folder: Path) -> list[Path]:
    """One ``<schema>.<table>.parquet`` per published table of ``warehouse`` (and ``meta``)."""
    folder.mkdir(parents=True, exist_ok=False)
    written = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() order by 1, 2"
        ).fetchall()
        for schema, table in names:
            path = folder / f"{schema}.{table}.parquet"
            connection.execute(
                f"copy {quoted_identifier(schema)}.{quoted_identifier(table)} "
                f"to {quoted_literal(str(path))} (format parquet, compression zstd)"
            )
            written.append(path)
    return written
