"""An organisation's current release as the access loader reads it: tables, columns, rows.

The release is another party's file, so it is opened with the portfolio's locked-down
read-only connection (:func:`impact_warehouse.portfolio.sources.open_read_only`) after its
file is checked against the sha256 its ``release.json`` recorded. Only the published schemas
(:data:`impact_warehouse.publish.PUBLISHED_SCHEMAS`) are read, never ``meta``.

Every row the loader writes carries ``organisation_code``. A table that already has the
column (releases since session 8 put it first) must hold only the release's own code; a
table without it gets the code of the release's ``catalog.organisation``.

A table's key is the one dbt recorded for its model in the release's own
``docs/manifest.json`` (``primary_key``: the contract's key, or the columns its unique tests
cover); the loader puts ``organisation_code`` in front of it, since two organisations have
the same codes and keys. A table without a recorded key (the catalog seeds) has none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from impact_warehouse.organisations import CODE_PATTERN
from impact_warehouse.portfolio.sources import open_read_only
from impact_warehouse.publish import PUBLISHED_SCHEMAS, Release
from impact_warehouse.publish.files import sha256_of
from impact_warehouse.sql_identifiers import quoted_identifier

ORGANISATION_COLUMN = "organisation_code"
FETCH_ROWS = 2_000
MANIFEST = ("docs", "manifest.json")

# DuckDB type → PostgreSQL type, spelled as PostgreSQL's format_type() prints it, so a loaded
# column's type compares equal to a release's. A published column of another type (a list, a
# struct) is refused with its table and column named, not loaded as text nobody can query.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "INTERVAL": "interval",
    "JSON": "jsonb",
    "BLOB": "bytea",
}


class AccessLoadError(RuntimeError):
    """One organisation's release cannot be loaded; ``message_ja`` tells staff what to do,
    ``str()`` is the English detail."""

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_ja = message_ja


@dataclass(frozen=True)
class ReleaseColumn:
    name: str
    postgres_type: str
    comment: str | None = None  # the dbt docs the release carries


@dataclass(frozen=True)
class ReleaseTable:
    schema: str
    table: str
    columns: tuple[ReleaseColumn, ...]  # without organisation_code
    has_organisation_column: bool
    key: tuple[str, ...] = ()  # without organisation_code; () when the release records none
    comment: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def loaded_name(self) -> str:
        """The table's name in PostgreSQL's one schema: ``reporting__rpt_outcome_results``."""
        return f"{self.schema}__{self.table}"


def postgres_type(duckdb_type: str, where: str) -> str:
    if duckdb_type in POSTGRES_TYPES:
        return POSTGRES_TYPES[duckdb_type]
    if duckdb_type.startswith("DECIMAL("):
        return "numeric" + duckdb_type.removeprefix("DECIMAL")
    raise AccessLoadError(
        f"公開表の列 {where} の型 {duckdb_type} は PostgreSQL に載せられません。"
        "システム担当者に伝えてください。",
        f"{where}: DuckDB type {duckdb_type} has no PostgreSQL mapping in the access loader",
    )


def check_release_file(code: str, release: Release) -> None:
    if not release.warehouse_path.is_file() or sha256_of(release.warehouse_path) != release.sha256:
        raise AccessLoadError(
            f"団体「{code}」のリリース {release.release_id} のファイルが release.json の"
            "記録(sha256)と一致しません。リリースを作り直してください。",
            f"{code}: {release.warehouse_path} does not match sha256 {release.sha256}",
        )


def release_organisation(connection: duckdb.DuckDBPyConnection, code: str, release: Release) -> str:
    """The release's own organisation code (``catalog.organisation``), which must be ``code``."""
    try:
        rows = connection.execute(
            f"select {ORGANISATION_COLUMN} from catalog.organisation"
        ).fetchall()
    except duckdb.CatalogException as error:
        raise AccessLoadError(
            f"団体「{code}」のリリース {release.release_id} に catalog.organisation が"
            "ありません。新しいリリースを作ってください。",
            f"{code}: release {release.release_id} has no catalog.organisation: {error}",
        ) from error
    found = rows[0][0] if len(rows) == 1 else None
    if found != code or not CODE_PATTERN.match(found or ""):
        raise AccessLoadError(
            f"団体「{code}」のリリース {release.release_id} は団体「{found}」のものです"
            f"(catalog.organisation は {len(rows)} 行)。組織フォルダとリリースを確かめてください。",
            f"{code}: release {release.release_id} catalog.organisation holds {rows!r}",
        )
    return code


def release_keys(release: Release) -> dict[tuple[str, str], tuple[str, ...]]:
    """(schema, table) → key columns, from the release's dbt manifest (empty without one)."""
    manifest = release.directory.joinpath(*MANIFEST)
    if not manifest.is_file():
        return {}
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    except (OSError, ValueError) as error:
        raise AccessLoadError(
            f"リリース {release.release_id} の {'/'.join(MANIFEST)} を読めません。"
            "リリースを作り直してください。",
            f"{manifest}: {error}",
        ) from error
    keys = {}
    for node in nodes.values():
        key = node.get("primary_key") if isinstance(node, dict) else None
        if key and all(isinstance(column, str) for column in key):
            keys[(node.get("schema"), node.get("alias") or node.get("name"))] = tuple(key)
    return keys


def published_tables(
    connection: duckdb.DuckDBPyConnection,
    keys: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
) -> list[ReleaseTable]:
    """Every table of the published schemas, with its columns in order and its key."""
    keys = keys or {}
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    described = connection.execute(
        f"""
        select columns.schema_name, columns.table_name, columns.column_name,
            columns.data_type, columns.comment, tables.comment
        from duckdb_columns() as columns
        inner join duckdb_tables() as tables on tables.database_name = columns.database_name
            and tables.schema_name = columns.schema_name
            and tables.table_name = columns.table_name
        where columns.database_name = current_database()
            and columns.schema_name in ({placeholders})
        order by columns.schema_name, columns.table_name, columns.column_index
        """,
        list(PUBLISHED_SCHEMAS),
    ).fetchall()
    grouped: dict[tuple[str, str], list[tuple[str, str, str | None]]] = {}
    table_comments: dict[tuple[str, str], str | None] = {}
    for schema, table, column, data_type, column_comment, table_comment in described:
        grouped.setdefault((schema, table), []).append((column, data_type, column_comment))
        table_comments[(schema, table)] = table_comment
    tables = []
    for (schema, table), columns in grouped.items():
        by_name = {name: data_type for name, data_type, _ in columns}
        if ORGANISATION_COLUMN in by_name and by_name[ORGANISATION_COLUMN] != "VARCHAR":
            raise AccessLoadError(
                f"公開表 {schema}.{table} の {ORGANISATION_COLUMN} 列が文字列ではありません"
                f"({by_name[ORGANISATION_COLUMN]})。システム担当者に伝えてください。",
                f"{schema}.{table}.{ORGANISATION_COLUMN} is {by_name[ORGANISATION_COLUMN]}",
            )
        tables.append(
            ReleaseTable(
                schema=schema,
                table=table,
                columns=tuple(
                    ReleaseColumn(
                        name, postgres_type(data_type, f"{schema}.{table}.{name}"), comment or None
                    )
                    for name, data_type, comment in columns
                    if name != ORGANISATION_COLUMN
                ),
                has_organisation_column=ORGANISATION_COLUMN in by_name,
                key=_usable_key(keys.get((schema, table), ()), by_name),
                comment=table_comments[(schema, table)] or None,
            )
        )
    return tables


def _usable_key(key: tuple[str, ...], columns: Mapping[str, str]) -> tuple[str, ...]:
    """The recorded key, if the table has every column of it (else none: the manifest and
    the table disagree, and a key of missing columns cannot be declared)."""
    key = tuple(column for column in key if column != ORGANISATION_COLUMN)
    return key if key and all(column in columns for column in key) else ()


def check_organisation_column(
    connection: duckdb.DuckDBPyConnection, table: ReleaseTable, code: str, release: Release
) -> None:
    """A table that carries ``organisation_code`` holds only ``code`` in it, never null."""
    if not table.has_organisation_column:
        return
    qualified = f"{quoted_identifier(table.schema)}.{quoted_identifier(table.table)}"
    others = connection.execute(
        f"select distinct {ORGANISATION_COLUMN} from {qualified} "
        f"where {ORGANISATION_COLUMN} is distinct from ? order by 1 limit 5",
        [code],
    ).fetchall()
    if others:
        found = ", ".join(repr(row[0]) for row in others)
        raise AccessLoadError(
            f"団体「{code}」のリリース {release.release_id} の公開表 {table.qualified} に"
            f"ほかの団体コード({found})の行があります。リリースを作り直してください。",
            f"{code}: {table.qualified} of release {release.release_id} holds "
            f"{ORGANISATION_COLUMN} values {found}",
        )


def table_rows(
    connection: duckdb.DuckDBPyConnection, table: ReleaseTable
) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in batches, columns in :attr:`ReleaseTable.columns` order."""
    columns = ", ".join(quoted_identifier(column.name) for column in table.columns)
    cursor = connection.execute(
        f"select {columns} from {quoted_identifier(table.schema)}.{quoted_identifier(table.table)}"
    )
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield batch


def open_release(code: str, release: Release) -> duckdb.DuckDBPyConnection:
    """The release's file, checked and opened read-only; its organisation must be ``code``."""
    check_release_file(code, release)
    connection = open_read_only(release)
    try:
        release_organisation(connection, code, release)
    except BaseException:
        connection.close()
        raise
    return connection
