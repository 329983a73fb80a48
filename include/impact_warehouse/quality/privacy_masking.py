"""Mask personal data found after landing, so one respondent's slip never blocks a release.

Landing scrubs free text before anything is written, but the detector can still flag text in
the built warehouse: answers landed before the detector knew a form, a roster name added
later. Blocking the release for that (as the gate did) turns one respondent's typo into a
denial of service for every reader; publishing it would leak it. So, before the gate, every
cell the detector flags in a table analysts can read (the published schemas ``catalog``,
``marts``, ``reporting``) is replaced in the audit build by :data:`MASK`, and the masked cells
are listed in ``privacy.masked_cells`` by table, column, row key and wave, never by value.
The release copy is written table by table from the masked build, so it never holds the raw
text; the staff alert and the Data Docs show keys and waves only.

Identifier columns (``*_key``, ``*_code``, ``*_id``…) are not searched: masking a key would
break the joins analysts rely on (and hex pseudonyms can look like phone numbers). The
pipeline builds them from generated ids, pseudonyms and catalog codes, except the IDs staff
type into the operations workbook: those are scrubbed when they land
(``landing/operations_job.py``), like every other cell of it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from impact_warehouse.personal_data import RosterNames, find_personal_data
from impact_warehouse.personal_data.scan import vault_contacts
from impact_warehouse.sql_identifiers import quoted_identifier

log = logging.getLogger(__name__)

MASK = "［個人情報のため非表示］"
ANALYST_SCHEMAS: tuple[str, ...] = ("catalog", "marts", "reporting")
PRIVACY_SCHEMA = "privacy"
MASKED_TABLE = f"{PRIVACY_SCHEMA}.masked_cells"
# Text columns read by one statement (flagged_values): few statements, none of unbounded size.
_COLUMNS_PER_STATEMENT = 100
_IDENTIFIER = re.compile(r"(?:^|_)(?:key|keys|code|codes|id|ids|sha256|hash)$")
# The columns that locate a masked cell for staff, most specific first.
_ROW_KEY_COLUMNS = ("answer_key", "response_key")
# Finding kinds that are no one's contact in a schema: the catalog is written by staff to be
# published, and a link there (a report's source, the organisation's site) reaches no
# respondent.
_NOT_CONTACTS_IN_SCHEMA: dict[str, frozenset[str]] = {"catalog": frozenset({"link"})}
_TEXT_TYPES = ("VARCHAR", "JSON")


@dataclass(frozen=True)
class TextColumn:
    schema: str
    table: str
    column: str

    @property
    def qualified_table(self) -> str:
        return f"{quoted_identifier(self.schema)}.{quoted_identifier(self.table)}"


@dataclass(frozen=True)
class FlaggedValue:
    """A distinct text value of one column in which the detector found personal data."""

    column: TextColumn
    value: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class MaskedCell:
    """One masked cell, located without its value."""

    table: str
    column: str
    row_key: str | None
    response_key: str | None
    wave_code: str | None
    kinds: str


def is_identifier_column(column: str) -> bool:
    return _IDENTIFIER.search(column.lower()) is not None


def roster_names(vault_dir: Path | None) -> list[str]:
    """Names of people on the roster (from the vault), for the detector; [] without a vault."""
    return sorted(vault_contacts(vault_dir).get("name", set())) if vault_dir else []


def text_columns(
    con: duckdb.DuckDBPyConnection, schemas: Sequence[str] = ANALYST_SCHEMAS
) -> list[TextColumn]:
    """Text columns of ``schemas`` that can carry typed text (identifier columns left out)."""
    rows = con.execute(
        """
        select c.table_schema, c.table_name, c.column_name
        from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema in (select unnest(?::varchar[]))
          and t.table_type = 'BASE TABLE'
          and upper(c.data_type) in (select unnest(?::varchar[]))
        order by 1, 2, c.ordinal_position
        """,
        [list(schemas), list(_TEXT_TYPES)],
    ).fetchall()
    return [TextColumn(*row) for row in rows if not is_identifier_column(row[2])]


def flagged_values(
    con: duckdb.DuckDBPyConnection,
    columns: Iterable[TextColumn],
    *,
    names: Iterable[str] = (),
) -> list[FlaggedValue]:
    """Every distinct value of ``columns`` in which the detector finds personal data.

    Distinct values only: free text is a small share of the answers, and labels repeat, so the
    detector reads thousands of strings where the tables hold millions of rows.
    """
    # Compiled once: a list handed to the detector would be compiled again for every value.
    roster = names if isinstance(names, RosterNames) else RosterNames(names)
    flagged = []
    for column, value in _distinct_values(con, list(columns)):
        if value == MASK:
            continue
        ignored = _NOT_CONTACTS_IN_SCHEMA.get(column.schema, frozenset())
        findings = [
            finding
            for finding in find_personal_data(value, names=roster)
            if finding.kind not in ignored
        ]
        if findings:
            kinds = tuple(sorted({finding.kind for finding in findings}))
            flagged.append(FlaggedValue(column, value, kinds))
    return flagged


def _distinct_values(
    con: duckdb.DuckDBPyConnection, columns: list[TextColumn]
) -> Iterable[tuple[TextColumn, str]]:
    """(column, value) for every distinct non-null value of ``columns``, column by column.

    A statement for many columns at once: one per column cost more than its scan (about 300
    text columns, half the privacy check on demo data), and DuckDB runs the parts side by side.
    """
    for start in range(0, len(columns), _COLUMNS_PER_STATEMENT):
        chunk = columns[start : start + _COLUMNS_PER_STATEMENT]
        parts = [
            f"select distinct {index} as column_index, "
            f"cast({quoted_identifier(column.column)} as varchar) as value "
            f"from {column.qualified_table} "
            f"where {quoted_identifier(column.column)} is not null"
            for index, column in enumerate(chunk)
        ]
        rows = con.execute("\nunion all\n".join(parts) + "\norder by 1, 2").fetchall()
        for index, value in rows:
            yield chunk[index], value


def _create_masked_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {PRIVACY_SCHEMA}")
    con.execute(
        f"""
        create table if not exists {MASKED_TABLE} (
            table_name varchar, column_name varchar, row_key varchar, response_key varchar,
            wave_code varchar, kinds varchar
        )
        """
    )
    con.execute(
        f"comment on table {MASKED_TABLE} is 'Cells of analyst tables masked as personal data "
        "before the gate: located by key and wave, never by value. Not published.'"
    )


def _cells_of(
    con: duckdb.DuckDBPyConnection, flagged: FlaggedValue, table_columns: set[str]
) -> list[MaskedCell]:
    """The rows holding ``flagged.value``, located by their key and wave."""
    row_key = next((c for c in _ROW_KEY_COLUMNS if c in table_columns), None)
    if row_key is None:
        row_key = next((c for c in sorted(table_columns) if c.endswith("_key")), None)
    selected = [
        f"cast({quoted_identifier(row_key)} as varchar)" if row_key else "null",
        "cast(response_key as varchar)" if "response_key" in table_columns else "null",
        "cast(wave_code as varchar)" if "wave_code" in table_columns else "null",
    ]
    column = flagged.column
    rows = con.execute(
        f"select {', '.join(selected)} from {column.qualified_table} "
        f"where cast({quoted_identifier(column.column)} as varchar) = ?",
        [flagged.value],
    ).fetchall()
    return [
        MaskedCell(
            table=f"{column.schema}.{column.table}",
            column=column.column,
            row_key=key,
            response_key=response_key,
            wave_code=wave,
            kinds=",".join(flagged.kinds),
        )
        for key, response_key, wave in rows
    ]


def _mask_literal(con: duckdb.DuckDBPyConnection, column: TextColumn) -> str:
    (data_type,) = con.execute(
        "select data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? and column_name = ?",
        [column.schema, column.table, column.column],
    ).fetchone()
    # A JSON column must stay valid JSON: the marker becomes a JSON string.
    return "to_json(?::varchar)" if str(data_type).upper() == "JSON" else "?"


def mask_personal_data(
    audit_db: Path,
    *,
    vault_dir: Path | None = None,
    names: Sequence[str] | None = None,
    schemas: Sequence[str] = ANALYST_SCHEMAS,
) -> list[MaskedCell]:
    """Replace every flagged cell of the analyst tables of ``audit_db`` by :data:`MASK`.

    Returns the cells masked by this call; ``privacy.masked_cells`` keeps every cell masked
    in this build (see :func:`masked_cells`). Reads first and opens the file for writing only
    when something must be masked, so a clean build is never locked or rewritten. The audit
    file is made readable by its owner only (0600): it holds staging copies of landing.
    """
    # Compiled once for the scan; RosterNames refuses one string (its characters, no names).
    roster = RosterNames(names if names is not None else roster_names(vault_dir))
    with duckdb.connect(str(audit_db), read_only=True) as con:
        flagged = flagged_values(con, text_columns(con, schemas), names=roster)
    _restrict(audit_db)
    if not flagged:
        return []
    masked: list[MaskedCell] = []
    with duckdb.connect(str(audit_db)) as con:
        _create_masked_table(con)
        for item in flagged:
            column = item.column
            table_columns = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [column.schema, column.table],
                ).fetchall()
            }
            cells = _cells_of(con, item, table_columns)
            con.execute(
                f"update {column.qualified_table} set {quoted_identifier(column.column)} = "
                f"{_mask_literal(con, column)} "
                f"where cast({quoted_identifier(column.column)} as varchar) = ?",
                [MASK, item.value],
            )
            con.executemany(
                f"insert into {MASKED_TABLE} values (?, ?, ?, ?, ?, ?)",
                [
                    [c.table, c.column, c.row_key, c.response_key, c.wave_code, c.kinds]
                    for c in cells
                ],
            )
            masked.extend(cells)
        con.execute("checkpoint")
    log.warning(
        "masked %d cell(s) holding personal data in %d column(s) of %s (waves: %s)",
        len(masked),
        len({(c.table, c.column) for c in masked}),
        audit_db,
        ", ".join(sorted({c.wave_code for c in masked if c.wave_code})) or "none",
    )
    return masked


def masked_cells(con: duckdb.DuckDBPyConnection) -> list[MaskedCell]:
    """The cells masked in the build ``con`` reads, still masked (a rebuild clears them)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [PRIVACY_SCHEMA, "masked_cells"],
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        f"select distinct table_name, column_name, row_key, response_key, wave_code, kinds "
        f"from {MASKED_TABLE} order by all"
    ).fetchall()
    still_masked = []
    for row in rows:
        cell = MaskedCell(*row)
        if _is_still_masked(con, cell):
            still_masked.append(cell)
    return still_masked


def _is_still_masked(con: duckdb.DuckDBPyConnection, cell: MaskedCell) -> bool:
    """A dbt rebuild replaces the tables; a listed cell that is no longer the mask is stale."""
    schema, table = cell.table.split(".", 1)
    qualified = f"{quoted_identifier(schema)}.{quoted_identifier(table)}"
    try:
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        row_key = next((c for c in _ROW_KEY_COLUMNS if c in columns), None)
        if row_key is None:
            row_key = next((c for c in sorted(columns) if c.endswith("_key")), None)
        if row_key is None or cell.row_key is None:
            condition, params = "true", []
        else:
            condition, params = f"cast({quoted_identifier(row_key)} as varchar) = ?", [cell.row_key]
        value = f"cast({quoted_identifier(cell.column)} as varchar)"
        (count,) = con.execute(
            f"select count(*) from {qualified} where {condition} "
            f"and {value} in (?, to_json(?::varchar)::varchar)",
            [*params, MASK, MASK],
        ).fetchone()
    except duckdb.Error:
        return False
    return bool(count)


def _restrict(audit_db: Path) -> None:
    """Owner-only access to the audit build: it holds staging copies of landing."""
    try:
        os.chmod(audit_db, 0o600)
    except OSError as error:  # not the owner (e.g. a shared read-only mount): say so, go on
        log.warning("could not restrict %s to its owner: %s", audit_db, error)
