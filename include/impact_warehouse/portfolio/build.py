"""A portfolio release: the mapped figures of every organisation's current release, in one file.

``<work>/portfolio/releases/<portfolio_id>/`` holds ``portfolio_figures.duckdb`` (schema
``portfolio``: ``organisations``, ``common_indicators``, ``indicator_figures``), the same
tables as Parquet files, ``portfolio_report.html`` and ``portfolio.json``, the manifest naming
each source release id with its sha256 and the sha256 of every file it was built from. The
folder is assembled under a hidden name and renamed whole (as a warehouse release is, see
:mod:`impact_warehouse.publish.releases`), so a listed portfolio is always complete; then
``<work>/portfolio/releases/CURRENT`` names it.

Every figure is copied as its organisation published it; the portfolio computes nothing, so
it can be checked cell by cell against the source files.
"""

from __future__ import annotations

import json
import secrets
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.durable_files import fsync_directory
from impact_warehouse.portfolio.definitions import (
    COMMON_INDICATORS_FILE,
    PORTFOLIO_FILE,
    Portfolio,
    read_mappings,
)
from impact_warehouse.portfolio.report import write_report
from impact_warehouse.portfolio.sources import (
    FIGURE_COLUMNS,
    INSTRUMENT_COLUMNS,
    PUBLISHED_TABLE,
    SourceRelease,
    check_mappings,
    current_source,
    mapped_figures,
)
from impact_warehouse.publish.files import (
    DamagedRecordError,
    FieldTypes,
    checked_fields,
    fsync_file,
    read_json_record,
    read_pointer,
    sha256_of,
    write_text_atomically,
)
from impact_warehouse.publish.lock import publish_lock
from impact_warehouse.publish.snapshot import PUBLISHED_STORAGE_VERSION, write_parquet_files
from impact_warehouse.settings import Settings
from impact_warehouse.sql_identifiers import quoted_literal

PORTFOLIO_DATABASE = "portfolio_figures.duckdb"
MANIFEST_FILE = "portfolio.json"
REPORT_FILE = "portfolio_report.html"
CURRENT_POINTER = "CURRENT"
SCHEMA = "portfolio"
BUILDING_PREFIX = ".building-"

_FIGURE_TYPES = {
    "fiscal_year": "integer",
    "numerator": "bigint",
    "denominator": "bigint",
    "value": "double",
    "ci_lower": "double",
    "ci_upper": "double",
    "comparison_denominator": "bigint",
    "comparison_value": "double",
    "comparison_ci_lower": "double",
    "comparison_ci_upper": "double",
    "difference_points": "double",
    "difference_ci_lower": "double",
    "difference_ci_upper": "double",
    "is_suppressed": "boolean",
}
TABLES: dict[str, str] = {
    "organisations": """
        organisation_code varchar primary key, organisation_name_ja varchar,
        organisation_name_en varchar, release_id varchar not null, fiscal_year integer,
        release_created_at varchar, release_sha256 varchar not null
    """,
    "common_indicators": """
        common_indicator_code varchar primary key, label_ja varchar, label_en varchar,
        good_direction varchar, definition_ja varchar, definition_en varchar,
        display_order integer
    """,
    "indicator_figures": ", ".join(
        [
            "organisation_code varchar not null",
            "common_indicator_code varchar not null",
            *(f"{column} {_FIGURE_TYPES.get(column, 'varchar')}" for column in FIGURE_COLUMNS),
            *(f"{column} varchar" for column in INSTRUMENT_COLUMNS),
            "note_ja varchar",
            "note_en varchar",
            "primary key (organisation_code, common_indicator_code)",
        ]
    ),
}
COMMENTS = {
    "organisations": "One row per organisation: the release its figures were copied from.",
    "common_indicators": "The funder's common indicators (common_indicators.csv).",
    "indicator_figures": (
        "One row per organisation × common indicator: the organisation-wide figure of its "
        f"release's fiscal year, copied from {PUBLISHED_TABLE} (already suppressed), with "
        "the scale's label and the question's wording from the release's catalog and the "
        "organisation's note on what differs."
    ),
}


@dataclass(frozen=True)
class SourceEntry:
    organisation_code: str
    release_id: str
    fiscal_year: int
    created_at: str
    sha256: str
    mapping_file: str
    mapping_sha256: str


@dataclass(frozen=True)
class PortfolioRelease:
    portfolio_id: str
    created_at: str
    common_indicators_sha256: str
    portfolio_sha256: str
    sources: tuple[SourceEntry, ...]
    tables: dict[str, int]
    sha256: str
    directory: Path

    @property
    def database_path(self) -> Path:
        return self.directory / PORTFOLIO_DATABASE

    @property
    def report_path(self) -> Path:
        return self.directory / REPORT_FILE

    def to_json(self) -> str:
        record = asdict(self)
        record.pop("directory")
        return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, directory: Path) -> PortfolioRelease:
        """The manifest in ``directory``; :class:`DamagedRecordError` when it is missing, is not
        JSON or lacks a field of the right type."""
        path = directory / MANIFEST_FILE
        record = checked_fields(read_json_record(path), path, _MANIFEST_FIELDS)
        unknown = set(record) - set(_MANIFEST_FIELDS)
        if unknown:
            raise DamagedRecordError(path, f"it has unknown fields {sorted(unknown)}")
        sources = []
        for source in record["sources"]:
            checked_fields(source, path, _SOURCE_FIELDS)
            sources.append(SourceEntry(**{name: source[name] for name in _SOURCE_FIELDS}))
        if not all(isinstance(count, int) for count in record["tables"].values()):
            raise DamagedRecordError(path, "its field 'tables' holds a count that is no number")
        return cls(**{**record, "sources": tuple(sources)}, directory=directory)


_SOURCE_FIELDS: FieldTypes = {
    "organisation_code": str,
    "release_id": str,
    "fiscal_year": int,
    "created_at": str,
    "sha256": str,
    "mapping_file": str,
    "mapping_sha256": str,
}
_MANIFEST_FIELDS: FieldTypes = {
    "portfolio_id": str,
    "created_at": str,
    "common_indicators_sha256": str,
    "portfolio_sha256": str,
    "sources": list,
    "tables": dict,
    "sha256": str,
}


def portfolio_releases_dir(settings: Settings) -> Path:
    return settings.work / "portfolio" / "releases"


def current_portfolio(releases_dir: Path) -> PortfolioRelease | None:
    """The portfolio ``CURRENT`` names (None before the first build); :class:`DamagedRecordError`
    when the pointer or the manifest it leads to cannot be read."""
    # Written whole, never empty (build_portfolio): an empty pointer is a damaged one.
    name = read_pointer(
        releases_dir / CURRENT_POINTER,
        _is_portfolio_name,
        "a portfolio folder",
        empty_is_none=False,
    )
    return None if name is None else PortfolioRelease.read(releases_dir / name)


def _is_portfolio_name(name: str) -> bool:
    """A portfolio folder's name (``P-…``), nothing that leads elsewhere."""
    return name.startswith("P-") and Path(name).name == name and name.isprintable()


def _new_id(created: datetime, releases_dir: Path) -> str:
    while True:
        portfolio_id = f"P-{created:%Y%m%d-%H%M}-{secrets.token_hex(2)}"
        if not (releases_dir / portfolio_id).exists():
            return portfolio_id


def collect_sources(portfolio: Portfolio) -> list[tuple[SourceRelease, list[dict[str, Any]]]]:
    """Every organisation's current release and mapped figures, every mapping checked first."""
    collected = []
    for organisation in portfolio.organisations:
        mappings = read_mappings(organisation, portfolio.common_indicators)
        source = current_source(organisation)
        check_mappings(source, mappings, portfolio.common_indicators)
        figures = [
            {
                "organisation_code": organisation.organisation_code,
                "common_indicator_code": mapping.common_indicator_code,
                **figure,
                "note_ja": mapping.note_ja,
                "note_en": mapping.note_en,
            }
            for mapping, figure in zip(mappings, mapped_figures(source, mappings), strict=True)
        ]
        collected.append((source, figures))
    return collected


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    connection.executemany(
        f"insert into {SCHEMA}.{table} ({', '.join(columns)}) "
        f"values ({', '.join('?' for _ in columns)})",
        [[row[column] for column in columns] for row in rows],
    )


def write_portfolio_database(
    target: Path,
    portfolio: Portfolio,
    collected: list[tuple[SourceRelease, list[dict[str, Any]]]],
) -> dict[str, int]:
    """Write the portfolio file (DuckDB 1.0 storage, like a release) and count its rows."""
    connection = duckdb.connect()
    try:
        connection.execute(
            f"attach {quoted_literal(str(target))} as target"
            f" (storage_version {quoted_literal(PUBLISHED_STORAGE_VERSION)})"
        )
        connection.execute("use target")
        connection.execute(f"create schema {SCHEMA}")
        for table, columns in TABLES.items():
            connection.execute(f"create table {SCHEMA}.{table} ({columns})")
            connection.execute(
                f"comment on table {SCHEMA}.{table} is {quoted_literal(COMMENTS[table])}"
            )
        _insert(
            connection,
            "organisations",
            [
                {
                    "organisation_code": source.organisation.organisation_code,
                    "organisation_name_ja": source.organisation_name_ja,
                    "organisation_name_en": source.organisation_name_en,
                    "release_id": source.release.release_id,
                    "fiscal_year": source.fiscal_year,
                    "release_created_at": source.release.created_at,
                    "release_sha256": source.release.sha256,
                }
                for source, _ in collected
            ],
        )
        _insert(
            connection,
            "common_indicators",
            [asdict(indicator) for indicator in portfolio.common_indicators.values()],
        )
        _insert(connection, "indicator_figures", [row for _, rows in collected for row in rows])
        counts = {
            table: connection.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]
            for table in TABLES
        }
        connection.execute("checkpoint target")
    finally:
        connection.close()
    return counts


def build_portfolio(
    portfolio: Portfolio,
    releases_dir: Path,
    *,
    render: bool = True,
) -> PortfolioRelease:
    """Read every organisation's current release, write a new portfolio release, make it
    current. Nothing is written if any file or release is refused (:class:`PortfolioError`).

    Writing holds the lock of ``releases_dir`` (:func:`~impact_warehouse.publish.lock.publish_lock`,
    the releases' own), so two builds at once cannot leave ``CURRENT`` naming the older one.
    """
    collected = collect_sources(portfolio)
    with publish_lock(releases_dir, operation_ja="ポートフォリオの作成"):
        # Under the lock no other build runs: a .building-* folder is what a killed one left.
        for leftover in releases_dir.glob(f"{BUILDING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)
        release = _write_release(portfolio, collected, releases_dir, render=render)
        write_text_atomically(releases_dir / CURRENT_POINTER, release.portfolio_id + "\n")
    return release


def _write_release(
    portfolio: Portfolio,
    collected: list[tuple[SourceRelease, list[dict[str, Any]]]],
    releases_dir: Path,
    *,
    render: bool,
) -> PortfolioRelease:
    created = datetime.now(UTC)
    portfolio_id = _new_id(created, releases_dir)
    building = releases_dir / f"{BUILDING_PREFIX}{uuid.uuid4().hex[:8]}"
    building.mkdir()
    try:
        database = building / PORTFOLIO_DATABASE
        tables = write_portfolio_database(database, portfolio, collected)
        fsync_file(database)
        write_parquet_files(database, building / "parquet")
        release = PortfolioRelease(
            portfolio_id=portfolio_id,
            created_at=created.isoformat(timespec="seconds").replace("+00:00", "Z"),
            common_indicators_sha256=sha256_of(portfolio.folder / COMMON_INDICATORS_FILE),
            portfolio_sha256=sha256_of(portfolio.folder / PORTFOLIO_FILE),
            sources=tuple(
                SourceEntry(
                    organisation_code=source.organisation.organisation_code,
                    release_id=source.release.release_id,
                    fiscal_year=source.fiscal_year,
                    created_at=source.release.created_at,
                    sha256=source.release.sha256,
                    mapping_file=str(source.organisation.mapping_path),
                    mapping_sha256=sha256_of(source.organisation.mapping_path),
                )
                for source, _ in collected
            ),
            tables=tables,
            sha256=sha256_of(database),
            directory=releases_dir / portfolio_id,
        )
        if render:
            write_report(database, building / REPORT_FILE, portfolio_id=portfolio_id)
        write_text_atomically(building / MANIFEST_FILE, release.to_json())
        building.rename(release.directory)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    fsync_directory(releases_dir)
    return release
