"""Every organisation's current release in one PostgreSQL database, each analyst seeing only
their own organisation's rows (row-level security).

Layout: one PostgreSQL schema (``published`` by default) holds one table per published table
of the releases, named ``<release schema>__<table>`` (``reporting__rpt_outcome_results``),
with ``organisation_code`` first and the union of the organisations' columns (a column one
organisation's release lacks is null in its rows; one column with two types is refused,
naming table and column). A table's key is ``organisation_code`` followed by the key its
release records (:func:`.release_tables.release_keys`). ``loaded_releases`` says which
release of each organisation the rows come from.

Refreshing organisation A is one transaction that replaces only A's rows: B's rows are never
written (not even rewritten in place), and A's failure rolls back to what was there before.
Loaders are serialised by an advisory lock, since two refreshes may add columns to one table.

Who sees which rows (one role per organisation, row-level security) is :mod:`.roles`; the
loader's own login needs BYPASSRLS (or superuser) and CREATEROLE, and is not an analyst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
from psycopg2 import sql
from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import cursor as PgCursor
from psycopg2.extras import execute_values

from impact_warehouse.access.release_tables import (
    ORGANISATION_COLUMN,
    AccessLoadError,
    ReleaseTable,
    check_organisation_column,
    open_release,
    published_tables,
    release_keys,
    table_rows,
)
from impact_warehouse.access.roles import check_loader, ensure_role, secure_tables
from impact_warehouse.organisations import Organisation, organisation_work_dir
from impact_warehouse.publish import Release, current_release

DEFAULT_SCHEMA = "published"
LOADED_RELEASES = "loaded_releases"
# The loader's own list of the tables it made: only those are refreshed and secured, so an
# operator's table in the same schema is never touched, whatever its columns.
LOADED_TABLES = "loaded_tables"
# pg_advisory_xact_lock key shared by every access loader ("impact_a" as 8 bytes).
LOADER_LOCK = 0x696D706163745F61
INSERT_PAGE_ROWS = 1_000


@dataclass(frozen=True)
class Outcome:
    """What happened to one organisation: ``loaded``, ``skipped`` (no release) or ``failed``."""

    code: str
    status: str
    message_ja: str
    detail: str = ""
    release_id: str | None = None
    tables: int = 0
    rows: int = 0


def organisation_releases_dir(code: str, environ: Mapping[str, str] | None = None) -> Path:
    return organisation_work_dir(code, environ) / "releases"


def load_organisations(
    connection: PgConnection,
    organisations: list[Organisation],
    *,
    schema: str = DEFAULT_SCHEMA,
    environ: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Load each organisation's current release, each in its own transaction.

    One organisation's missing release or failure never stops the next one's load.
    """
    check_loader(connection)
    return [
        _load_organisation(connection, organisation, schema, environ)
        for organisation in organisations
    ]


def _load_organisation(
    connection: PgConnection,
    organisation: Organisation,
    schema: str,
    environ: Mapping[str, str] | None,
) -> Outcome:
    """One organisation's load, or why it failed or was skipped (never raised)."""
    code = organisation.code
    releases_dir = organisation_releases_dir(code, environ)
    try:
        release = current_release(releases_dir)
    except (ValueError, KeyError, OSError) as error:
        # A damaged CURRENT pointer or release.json fails this organisation alone.
        return Outcome(
            code,
            "failed",
            f"団体「{code}」の公開中のリリースの記録({releases_dir})を読めませんでした。"
            "前回載せた内容のままです。下の詳細をシステム担当者に伝えてください。",
            f"{code}: {type(error).__name__}: {error}",
        )
    if release is None:
        return _skip(connection, code, releases_dir)
    try:
        return refresh_organisation(connection, code, release, schema=schema)
    except AccessLoadError as error:
        return Outcome(code, "failed", error.message_ja, str(error), release.release_id)
    except (duckdb.Error, OSError) as error:
        return Outcome(
            code,
            "failed",
            f"団体「{code}」のリリース {release.release_id} を読めませんでした。"
            "前回載せた内容のままです。下の詳細をシステム担当者に伝えてください。",
            f"{code}: {type(error).__name__}: {error}",
            release.release_id,
        )
    except psycopg2.Error as error:
        return Outcome(
            code,
            "failed",
            f"団体「{code}」のリリースを PostgreSQL に載せられませんでした。"
            "前回載せた内容のままです。下の詳細をシステム担当者に伝えてください。",
            f"{code}: {type(error).__name__}: {str(error).strip()}",
            release.release_id,
        )


def _skip(connection: PgConnection, code: str, releases_dir: Path) -> Outcome:
    """No release to load; the organisation's role is made all the same, so the operator can
    add its analysts before its first release."""
    try:
        with connection, connection.cursor() as cursor:
            ensure_role(cursor, code)
    except AccessLoadError as error:
        return Outcome(code, "failed", error.message_ja, str(error))
    return Outcome(
        code,
        "skipped",
        f"団体「{code}」には公開中のリリースがありません。読み込まずに次へ進みます。",
        f"{code}: no CURRENT release in {releases_dir}",
    )


def refresh_organisation(
    connection: PgConnection, code: str, release: Release, *, schema: str = DEFAULT_SCHEMA
) -> Outcome:
    """Replace ``code``'s rows in every table with its release's, in one transaction."""
    with open_release(code, release) as duck:
        tables = published_tables(duck, release_keys(release))
        for table in tables:
            check_organisation_column(duck, table, code, release)
        rows = 0
        with connection, connection.cursor() as cursor:
            cursor.execute("select pg_advisory_xact_lock(%s)", [LOADER_LOCK])
            _ensure_schema(cursor, schema)
            ensure_role(cursor, code)
            existing = _loaded_columns(cursor, schema)
            for table in tables:
                _ensure_table(cursor, schema, table, existing.get(table.loaded_name))
                _comment(cursor, schema, table)
                _delete_rows(cursor, schema, table.loaded_name, code)
                for batch in table_rows(duck, table):
                    _insert(cursor, schema, table, code, batch)
                    rows += len(batch)
            loaded = {table.loaded_name for table in tables}
            # A table the new release no longer has holds none of this organisation's rows.
            for name in sorted(set(existing) - loaded - {LOADED_RELEASES}):
                _delete_rows(cursor, schema, name, code)
            _record_release(cursor, schema, code, release, len(tables), rows)
            secure_tables(cursor, schema, sorted(_loaded_columns(cursor, schema)))
    return Outcome(
        code,
        "loaded",
        f"団体「{code}」のリリース {release.release_id} を載せました"
        f"(表 {len(tables)}、{rows} 行)。",
        release_id=release.release_id,
        tables=len(tables),
        rows=rows,
    )


def _ensure_schema(cursor: PgCursor, schema: str) -> None:
    cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    cursor.execute(
        sql.SQL(
            "create table if not exists {}.{} ("
            "{} text primary key, release_id text not null, fiscal_year integer not null, "
            "release_created_at timestamptz not null, sha256 text not null, "
            "tables integer not null, row_count bigint not null, "
            "loaded_at timestamptz not null default now())"
        ).format(
            sql.Identifier(schema),
            sql.Identifier(LOADED_RELEASES),
            sql.Identifier(ORGANISATION_COLUMN),
        )
    )
    listed = sql.Identifier(schema, LOADED_TABLES)
    cursor.execute(
        sql.SQL("create table if not exists {} (table_name text primary key)").format(listed)
    )
    # The loader's bookkeeping: no grant and no policy, so no analyst reads a row of it.
    cursor.execute(sql.SQL("alter table {} enable row level security").format(listed))
    cursor.execute(sql.SQL("alter table {} force row level security").format(listed))


def _loaded_columns(cursor: PgCursor, schema: str) -> dict[str, dict[str, str]]:
    """Each table of ``schema`` the loader made (``loaded_tables``) and ``loaded_releases``:
    its columns and their types as format_type() prints them."""
    cursor.execute(
        sql.SQL(
            """
        select relations.relname, attributes.attname,
            pg_catalog.format_type(attributes.atttypid, attributes.atttypmod)
        from pg_catalog.pg_class as relations
        join pg_catalog.pg_namespace as namespaces on namespaces.oid = relations.relnamespace
        join pg_catalog.pg_attribute as attributes on attributes.attrelid = relations.oid
        where namespaces.nspname = %s and relations.relkind = 'r'
            and attributes.attnum > 0 and not attributes.attisdropped
            and (relations.relname = %s or relations.relname in (
                select table_name from {listed}))
        order by relations.relname, attributes.attnum
        """
        ).format(listed=sql.Identifier(schema, LOADED_TABLES)),
        [schema, LOADED_RELEASES],
    )
    tables: dict[str, dict[str, str]] = {}
    for table, column, type_name in cursor.fetchall():
        tables.setdefault(table, {})[column] = type_name
    return tables


def _ensure_table(
    cursor: PgCursor, schema: str, table: ReleaseTable, existing: dict[str, str] | None
) -> None:
    target = sql.Identifier(schema, table.loaded_name)
    if existing is None:
        columns = [sql.SQL("{} text not null").format(sql.Identifier(ORGANISATION_COLUMN))]
        columns += [
            sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(column.postgres_type))
            for column in table.columns
        ]
        if table.key:
            key = [ORGANISATION_COLUMN, *table.key]
            columns.append(
                sql.SQL("primary key ({})").format(
                    sql.SQL(", ").join(sql.Identifier(column) for column in key)
                )
            )
        cursor.execute(sql.SQL("create table {} ({})").format(target, sql.SQL(", ").join(columns)))
        cursor.execute(
            sql.SQL("insert into {} values (%s) on conflict do nothing").format(
                sql.Identifier(schema, LOADED_TABLES)
            ),
            [table.loaded_name],
        )
        if not table.key:
            cursor.execute(
                sql.SQL("create index on {} ({})").format(
                    target, sql.Identifier(ORGANISATION_COLUMN)
                )
            )
        return
    for column in table.columns:
        loaded_type = existing.get(column.name)
        if loaded_type is None:
            # Another organisation's rows get null in a column only this release has.
            cursor.execute(
                sql.SQL("alter table {} add column {} {}").format(
                    target, sql.Identifier(column.name), sql.SQL(column.postgres_type)
                )
            )
        elif loaded_type != column.postgres_type and not (
            _numeric(loaded_type)
            and _numeric(column.postgres_type)
            and _retyped(cursor, target, column.name, column.postgres_type)
        ):
            raise AccessLoadError(
                f"公開表 {table.qualified} の列 {column.name} の型が、すでに載っている"
                f"ほかの団体の表({loaded_type})とこのリリース({column.postgres_type})で"
                "違います。同じ列は同じ型にしてください(システム担当者に伝えてください)。",
                f"{schema}.{table.loaded_name}.{column.name}: loaded as {loaded_type}, "
                f"release has {column.postgres_type}",
            )


_NUMERIC_TYPES = frozenset({"smallint", "integer", "bigint", "real", "double precision"})


def _numeric(postgres_type: str) -> bool:
    return postgres_type in _NUMERIC_TYPES or postgres_type.startswith("numeric")


def _retyped(cursor: PgCursor, target: sql.Composable, column: str, postgres_type: str) -> bool:
    """Give a number ``column`` the release's number type when every loaded value converts (a
    new version of the project changed it, e.g. double → numeric); False, with nothing
    changed, otherwise. Text against a number stays a clash: that is two organisations
    meaning different things by one column, not an upgrade."""
    cursor.execute("savepoint retype")
    try:
        cursor.execute(
            sql.SQL("alter table {} alter column {} type {} using {}::{}").format(
                target,
                sql.Identifier(column),
                sql.SQL(postgres_type),
                sql.Identifier(column),
                sql.SQL(postgres_type),
            )
        )
    except psycopg2.Error:
        cursor.execute("rollback to savepoint retype")
        return False
    cursor.execute("release savepoint retype")
    return True


def _comment(cursor: PgCursor, schema: str, table: ReleaseTable) -> None:
    """The release's table and column descriptions (dbt docs), for analysts' SQL clients."""
    target = sql.Identifier(schema, table.loaded_name)
    if table.comment:
        cursor.execute(sql.SQL("comment on table {} is %s").format(target), [table.comment])
    for column in table.columns:
        if column.comment:
            cursor.execute(
                sql.SQL("comment on column {}.{} is %s").format(
                    target, sql.Identifier(column.name)
                ),
                [column.comment],
            )
    cursor.execute(
        sql.SQL("comment on column {}.{} is %s").format(
            target, sql.Identifier(ORGANISATION_COLUMN)
        ),
        ["The organisation whose release the row comes from (row-level security keys on it)."],
    )


def _delete_rows(cursor: PgCursor, schema: str, table: str, code: str) -> None:
    cursor.execute(
        sql.SQL("delete from {} where {} = %s").format(
            sql.Identifier(schema, table), sql.Identifier(ORGANISATION_COLUMN)
        ),
        [code],
    )


def _insert(
    cursor: PgCursor, schema: str, table: ReleaseTable, code: str, batch: list[tuple]
) -> None:
    names = [ORGANISATION_COLUMN, *(column.name for column in table.columns)]
    statement = sql.SQL("insert into {} ({}) values %s").format(
        sql.Identifier(schema, table.loaded_name),
        sql.SQL(", ").join(sql.Identifier(name) for name in names),
    )
    execute_values(
        cursor,
        statement.as_string(cursor),
        [(code, *row) for row in batch],
        page_size=INSERT_PAGE_ROWS,
    )


def _record_release(
    cursor: PgCursor, schema: str, code: str, release: Release, tables: int, rows: int
) -> None:
    cursor.execute(
        sql.SQL(
            "insert into {} ({}, release_id, fiscal_year, release_created_at, sha256, tables, "
            "row_count) values (%s, %s, %s, %s, %s, %s, %s) on conflict ({}) do update set "
            "release_id = excluded.release_id, fiscal_year = excluded.fiscal_year, "
            "release_created_at = excluded.release_created_at, sha256 = excluded.sha256, "
            "tables = excluded.tables, row_count = excluded.row_count, loaded_at = now()"
        ).format(
            sql.Identifier(schema, LOADED_RELEASES),
            sql.Identifier(ORGANISATION_COLUMN),
            sql.Identifier(ORGANISATION_COLUMN),
        ),
        [
            code,
            release.release_id,
            release.fiscal_year,
            release.created_at,
            release.sha256,
            tables,
            rows,
        ],
    )
