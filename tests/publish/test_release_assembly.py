"""What a release holds and when: readable by DuckDB 1.x, Parquet beside it, and every part
(Data Docs, docs site) added before the release is listed or published, never after."""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb
import pytest
from test_releases import PASSED, build_audit_db, publish

from impact_warehouse.publish import current_release, list_releases, publish_release
from impact_warehouse.publish.snapshot import PARQUET_FOLDER

# DuckDB 1.0 … 1.1 read storage version 64 only; 1.2 … 1.5 read 64 … 68; 2.0 writes 69.
DUCKDB_1_STORAGE_NUMBER = 64


def storage_number(database: Path) -> int:
    """The storage version number in a DuckDB file's main header (after 'DUCK')."""
    header = database.read_bytes()[:20]
    assert header[8:12] == b"DUCK", header
    (number,) = struct.unpack("<Q", header[12:20])
    return number


def test_published_file_is_in_the_storage_format_duckdb_1_reads(tmp_path: Path) -> None:
    release = publish(tmp_path, "r1", rows=20)

    assert storage_number(release.warehouse_path) == DUCKDB_1_STORAGE_NUMBER
    assert storage_number(tmp_path / "published" / "warehouse.duckdb") == DUCKDB_1_STORAGE_NUMBER
    with duckdb.connect(str(release.warehouse_path), read_only=True) as connection:
        comment = connection.execute(
            "select comment from duckdb_tables() where table_name = 'fct_figures'"
        ).fetchone()
        assert comment == ("one row per figure",)


def test_every_published_table_is_also_a_parquet_file(tmp_path: Path) -> None:
    release = publish(tmp_path, "r1", rows=20)
    folder = release.directory / PARQUET_FOLDER

    files = sorted(path.name for path in folder.glob("*.parquet"))
    expected = sorted(f"{table.schema}.{table.table}.parquet" for table in release.tables)
    assert set(expected) <= set(files)
    assert "meta.releases.parquet" in files
    assert not any(name.startswith(("staging.", "intermediate.")) for name in files)
    with duckdb.connect() as connection:
        for table in release.tables:
            path = folder / f"{table.schema}.{table.table}.parquet"
            (rows,) = connection.execute(f"select count(*) from '{path}'").fetchone()
            assert rows == table.row_count, path


def test_attached_parts_are_written_before_the_release_is_listed(tmp_path: Path) -> None:
    first = publish(tmp_path, "r1", rows=5)
    seen_while_attaching: dict[str, object] = {}

    def attach(directory: Path) -> None:
        seen_while_attaching["listed"] = [
            release.release_id for release in list_releases(tmp_path / "releases")
        ]
        seen_while_attaching["current"] = current_release(tmp_path / "releases").release_id
        seen_while_attaching["directory"] = directory
        (directory / "docs").mkdir()
        (directory / "docs" / "index.html").write_text("<html>docs</html>", encoding="utf-8")

    audit = build_audit_db(tmp_path / "audit" / "r2.duckdb", "r2", 7)
    second = publish_release(
        audit,
        fiscal_year=2025,
        run_id="r2",
        gate_result=PASSED,
        releases_dir=tmp_path / "releases",
        published_path=tmp_path / "published" / "warehouse.duckdb",
        attach=attach,
    )

    # While its parts were added, the new release was neither listed nor current.
    assert seen_while_attaching["listed"] == [first.release_id]
    assert seen_while_attaching["current"] == first.release_id
    assert seen_while_attaching["directory"] != second.directory
    assert (
        (second.directory / "docs" / "index.html")
        .read_text(encoding="utf-8")
        .endswith("docs</html>")
    )


def test_a_failing_attachment_publishes_nothing(tmp_path: Path) -> None:
    first = publish(tmp_path, "r1", rows=5)

    def attach(directory: Path) -> None:
        raise OSError("disk full while copying the Data Docs")

    audit = build_audit_db(tmp_path / "audit" / "r2.duckdb", "r2", 7)
    with pytest.raises(OSError, match="disk full"):
        publish_release(
            audit,
            fiscal_year=2025,
            run_id="r2",
            gate_result=PASSED,
            releases_dir=tmp_path / "releases",
            published_path=tmp_path / "published" / "warehouse.duckdb",
            attach=attach,
        )
    assert [release.release_id for release in list_releases(tmp_path / "releases")] == [
        first.release_id
    ]
    assert current_release(tmp_path / "releases").release_id == first.release_id
    assert not [child for child in (tmp_path / "releases").iterdir() if child.name.startswith(".")]
