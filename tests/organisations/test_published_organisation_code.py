"""Every release and every published row says whose it is (issue 16).

A tiny audit warehouse (a ``catalog.organisation`` row, a reporting table, a mart that
already carries its organisation) is published the way ``impact publish`` keeps a release.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.publish import current_release, publish_release
from impact_warehouse.publish.releases import RELEASE_FILE, Release
from impact_warehouse.publish.snapshot import PARQUET_FOLDER

CODE = "kurashi_lab"
PASSED = {"passed": True, "source": "tests/organisations"}


def audit_warehouse(path: Path, *, organisation: str | None = CODE, mart_code: str = CODE) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema catalog; create schema marts; create schema reporting")
        connection.execute("create schema staging")
        if organisation is not None:
            connection.execute(
                "create table catalog.organisation as "
                "select ? as organisation_code, 'くらしラボ' as organisation_name_ja",
                [organisation],
            )
        connection.execute(
            "create table reporting.rpt_figures as "
            "select range as figure_id, range * 2 as value from range(3)"
        )
        connection.execute("comment on table reporting.rpt_figures is 'one row per figure'")
        connection.execute(
            "create table marts.fct_members as select ? as organisation_code, 1 as member_id",
            [mart_code],
        )
        connection.execute("create table staging.stg_answers as select 'x' as answer")
    return path


def publish(root: Path, audit: Path) -> Release:
    return publish_release(
        audit,
        fiscal_year=2025,
        run_id="organisations-tests",
        gate_result=PASSED,
        releases_dir=root / "releases",
        published_path=root / "published" / "warehouse.duckdb",
    )


def columns(database: Path, schema: str, table: str) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return [
            name
            for (name,) in connection.execute(
                "select column_name from duckdb_columns() where schema_name = ? "
                "and table_name = ? order by column_index",
                [schema, table],
            ).fetchall()
        ]


def test_every_published_table_starts_with_the_organisation_code(tmp_path: Path) -> None:
    release = publish(tmp_path, audit_warehouse(tmp_path / "audit.duckdb"))

    assert columns(release.warehouse_path, "reporting", "rpt_figures") == [
        "organisation_code",
        "figure_id",
        "value",
    ]
    # A table that had the column keeps it where it was, with its rows unchanged.
    assert columns(release.warehouse_path, "marts", "fct_members") == [
        "organisation_code",
        "member_id",
    ]
    with duckdb.connect(str(release.warehouse_path), read_only=True) as connection:
        for table in release.tables:
            codes = connection.execute(
                f"select distinct organisation_code from {table.schema}.{table.table}"
            ).fetchall()
            assert codes == [(CODE,)], table
        comment = connection.execute(
            "select comment from duckdb_columns() where table_name = 'rpt_figures' "
            "and column_name = 'organisation_code'"
        ).fetchone()
    assert comment is not None and "catalog.organisation" in comment[0]
    assert {(t.schema, t.table) for t in release.tables} == {
        ("catalog", "organisation"),
        ("marts", "fct_members"),
        ("reporting", "rpt_figures"),
    }


def test_each_parquet_file_carries_the_code_too(tmp_path: Path) -> None:
    release = publish(tmp_path, audit_warehouse(tmp_path / "audit.duckdb"))
    with duckdb.connect() as connection:
        for table in release.tables:
            path = release.directory / PARQUET_FOLDER / f"{table.schema}.{table.table}.parquet"
            frame = connection.execute(f"select * from '{path}'").fetchdf()
            assert frame.columns[0] == "organisation_code", path
            assert set(frame["organisation_code"]) == {CODE}, path


def test_the_release_record_and_meta_releases_name_the_organisation(tmp_path: Path) -> None:
    first = publish(tmp_path, audit_warehouse(tmp_path / "audit.duckdb"))
    second = publish(tmp_path, tmp_path / "audit.duckdb")

    record = json.loads((second.directory / RELEASE_FILE).read_text(encoding="utf-8"))
    assert record["organisation_code"] == CODE
    assert current_release(tmp_path / "releases") == second
    with duckdb.connect(str(tmp_path / "published" / "warehouse.duckdb"), read_only=True) as db:
        rows = db.execute(
            "select release_id, organisation_code, is_current from meta.releases order by 1"
        ).fetchall()
    assert rows == [(first.release_id, CODE, False), (second.release_id, CODE, True)]


def test_a_table_holding_another_organisations_rows_is_not_published(tmp_path: Path) -> None:
    audit = audit_warehouse(tmp_path / "audit.duckdb", mart_code="someone_else")

    with pytest.raises(ValueError, match=r"marts\.fct_members.*someone_else"):
        publish(tmp_path, audit)
    assert current_release(tmp_path / "releases") is None
    assert not (tmp_path / "published" / "warehouse.duckdb").exists()


def test_a_build_without_an_organisation_is_published_as_before(tmp_path: Path) -> None:
    release = publish(tmp_path, audit_warehouse(tmp_path / "audit.duckdb", organisation=None))

    assert release.organisation_code is None
    assert columns(release.warehouse_path, "reporting", "rpt_figures") == ["figure_id", "value"]


def test_a_release_written_before_organisations_reads_without_a_code(tmp_path: Path) -> None:
    release = publish(tmp_path, audit_warehouse(tmp_path / "audit.duckdb"))
    record = json.loads((release.directory / RELEASE_FILE).read_text(encoding="utf-8"))
    del record["organisation_code"]
    (release.directory / RELEASE_FILE).write_text(json.dumps(record), encoding="utf-8")

    assert Release.read(release.directory).organisation_code is None
