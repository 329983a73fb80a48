"""Copy the landing zone into PostgreSQL tables, one per dbt landing source.

DuckDB reads the JSON-lines part files directly (``read_json`` over each source's
``meta.external_location`` glob); PostgreSQL cannot read files on the client. So before a
``dbt build --target postgres`` this module reloads every source declared in
``dbt_project/models/staging/*/_*__sources.yml`` into ``landing.<source>__<table>``, with the
declared columns and types (``varchar`` → ``text``, ``json`` → ``jsonb``, ``integer``), and
``postgres__read_landing_source`` selects from those tables. A source with no part file yet
gets an empty table, as DuckDB's empty relation.

Each load replaces all landing tables in one transaction (``COPY`` streamed from the files,
never the whole zone in memory), so a build reads one consistent snapshot.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2
import yaml
from psycopg2 import sql

from impact_warehouse.settings import PROJECT_ROOT, paths

log = logging.getLogger(__name__)

LANDING_SCHEMA = "landing"
SOURCES_GLOB = "models/staging/*/_*__sources.yml"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# external_location is "{{ env_var('IMPACT_LANDING_DIR', …) }}/<glob relative to landing>".
_LOCATION = re.compile(r"^\{\{\s*env_var\(\s*'IMPACT_LANDING_DIR'[^}]*\}\}/(?P<glob>.+)$")
POSTGRES_TYPES = {"varchar": "text", "json": "jsonb", "integer": "integer"}


class LandingLoadError(RuntimeError):
    """A source declaration or a landed line cannot be loaded; the message says which."""


@dataclass(frozen=True)
class LandingColumn:
    name: str
    data_type: str  # as declared in the sources YAML

    @property
    def postgres_type(self) -> str:
        return POSTGRES_TYPES[self.data_type]


@dataclass(frozen=True)
class LandingSource:
    source_name: str
    table_name: str
    glob: str  # relative to the landing folder
    columns: tuple[LandingColumn, ...]

    @property
    def relation_name(self) -> str:
        """The table in the ``landing`` schema (postgres__read_landing_source uses the same)."""
        return f"{self.source_name}__{self.table_name}"


def landing_sources(project_dir: Path = DBT_PROJECT_DIR) -> list[LandingSource]:
    """Every landing source declared in the dbt project, with its glob and typed columns."""
    found: list[LandingSource] = []
    for path in sorted(project_dir.glob(SOURCES_GLOB)):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources", []):
            for table in source.get("tables", []):
                found.append(_landing_source(path, source["name"], table))
    if not found:
        raise LandingLoadError(f"no landing sources found under {project_dir / SOURCES_GLOB}")
    return found


def _landing_source(path: Path, source_name: str, table: dict[str, Any]) -> LandingSource:
    where = f"{path.name}: source {source_name}.{table.get('name')}"
    meta = (table.get("config") or {}).get("meta") or table.get("meta") or {}
    match = _LOCATION.match(str(meta.get("external_location", "")))
    if not match:
        raise LandingLoadError(
            f"{where}: meta.external_location must be "
            "\"{{ env_var('IMPACT_LANDING_DIR', …) }}/<glob>\" to be loadable into PostgreSQL"
        )
    columns = []
    for column in table.get("columns", []):
        data_type = str(column.get("data_type", "")).lower()
        if data_type not in POSTGRES_TYPES:
            raise LandingLoadError(
                f"{where}: column {column.get('name')} has data_type {data_type!r}; the "
                f"PostgreSQL loader knows {', '.join(POSTGRES_TYPES)} (add a mapping in "
                "impact_warehouse/transform/postgres_landing.py)"
            )
        columns.append(LandingColumn(column["name"], data_type))
    return LandingSource(source_name, table["name"], match["glob"], tuple(columns))


@dataclass(frozen=True)
class LoadedTable:
    relation_name: str
    files: int
    rows: int


def load_landing(
    connection: Any, landing_dir: Path, sources: Iterable[LandingSource] | None = None
) -> list[LoadedTable]:
    """Replace every ``landing.<source>__<table>`` with the landed part files, atomically."""
    sources = list(sources or landing_sources())
    loaded: list[LoadedTable] = []
    # One transaction: commit on success, roll back on any error.
    with connection, connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("create schema if not exists {}").format(sql.Identifier(LANDING_SCHEMA))
        )
        for source in sources:
            loaded.append(_load_source(cursor, landing_dir, source))
    return loaded


def _load_source(cursor: Any, landing_dir: Path, source: LandingSource) -> LoadedTable:
    table = sql.Identifier(LANDING_SCHEMA, source.relation_name)
    column_definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(column.postgres_type))
        for column in source.columns
    )
    cursor.execute(sql.SQL("drop table if exists {}").format(table))
    cursor.execute(sql.SQL("create table {} ({})").format(table, column_definitions))
    files = sorted(landing_dir.glob(source.glob))
    counter = _Counter()
    stream = _IterStream(counter.count(_copy_lines(files, source)))
    column_names = sql.SQL(", ").join(sql.Identifier(column.name) for column in source.columns)
    try:
        cursor.copy_expert(
            sql.SQL("copy {} ({}) from stdin").format(table, column_names).as_string(cursor),
            stream,
        )
    except psycopg2.Error:
        # psycopg2 reports an error raised while reading the stream as a cancelled COPY.
        if stream.error is not None:
            raise stream.error from None
        raise
    return LoadedTable(source.relation_name, len(files), counter.rows)


def _copy_lines(files: list[Path], source: LandingSource) -> Iterator[bytes]:
    """COPY text-format lines: declared columns only, missing keys null (as read_json)."""
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    fields = [
                        _copy_field(record.get(column.name), column) for column in source.columns
                    ]
                except (ValueError, TypeError) as error:
                    raise LandingLoadError(
                        f"{path}:{line_number}: cannot load into "
                        f"{LANDING_SCHEMA}.{source.relation_name}: {error}"
                    ) from error
                yield ("\t".join(fields) + "\n").encode("utf-8")


def _copy_field(value: Any, column: LandingColumn) -> str:
    if value is None:
        return r"\N"
    if column.data_type == "integer":
        if isinstance(value, bool):
            raise ValueError(f"column {column.name}: {value!r} is not an integer")
        text = str(int(value))
    elif column.data_type == "json":
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, str):
        text = value
    else:
        # read_json reading a JSON number or object into a varchar column keeps its JSON text.
        text = json.dumps(value, ensure_ascii=False)
    return _escape(text)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Counter:
    def __init__(self) -> None:
        self.rows = 0

    def count(self, lines: Iterator[bytes]) -> Iterator[bytes]:
        for line in lines:
            self.rows += 1
            yield line


class _IterStream(io.RawIOBase):
    """A read-only file over an iterator of byte chunks, for ``copy_expert`` to stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""
        self.error: Exception | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 1 << 16 if size is None or size < 0 else size
        while len(self._pending) < size:
            try:
                chunk = next(self._chunks, None)
            except Exception as error:
                self.error = error
                raise
            if chunk is None:
                break
            self._pending += chunk
        result, self._pending = self._pending[:size], self._pending[size:]
        return result


def main(argv: list[str] | None = None) -> int:
    """``python -m impact_warehouse.transform.postgres_landing``: load IMPACT_LANDING_DIR
    into the database named by the IMPACT_PG_* variables."""
    from impact_warehouse.transform.postgres_build import connection_from_environment

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--landing", type=Path, default=None, help="landing folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    landing = (args.landing or paths().landing).resolve()
    started = time.monotonic()
    connection = psycopg2.connect(**connection_from_environment().psycopg2_kwargs())
    try:
        tables = load_landing(connection, landing)
    finally:
        connection.close()
    for table in tables:
        print(f"{LANDING_SCHEMA}.{table.relation_name}: {table.rows} rows from {table.files} files")
    print(f"loaded {landing} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
