"""Releases and the atomic publish, on small hand-built DuckDB files (no dbt run)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.publish import (
    current_release,
    list_releases,
    open_release,
    publish_release,
)
from impact_warehouse.publish.history import read_history
from impact_warehouse.settings import paths
from impact_warehouse.sql_identifiers import quoted_literal

PASSED = {"passed": True, "failures": [], "warnings": []}

# Runs in another process: reopens the published file every iteration and checks that the
# release it sees is complete (every figure row carries the current release id, and as many
# rows as meta.tables records). Prints one JSON line per iteration, "ERROR …" on any failure;
# stops when the stop file exists (no fixed duration: a loaded machine only makes it slower).
READER = """
import json, os, sys, time
import duckdb

path, stop_file = sys.argv[1], sys.argv[2]
while not os.path.exists(stop_file):
    try:
        connection = duckdb.connect(path, read_only=True)
        try:
            (release_id,) = connection.execute(
                "select release_id from meta.releases where is_current"
            ).fetchone()
            (expected,) = connection.execute(
                "select row_count from meta.tables"
                " where schema_name = 'marts' and table_name = 'fct_figures'"
            ).fetchone()
            rows, ids = connection.execute(
                "select count(*), list(distinct release_id) from marts.fct_figures"
            ).fetchone()
        finally:
            connection.close()
    except Exception as error:
        print("ERROR", repr(error), flush=True)
        sys.exit(1)
    print(json.dumps({"release": release_id, "rows": rows, "expected": expected, "ids": ids}),
          flush=True)
    time.sleep(0.005)
"""


class Reader:
    """The READER process, and every observation it printed."""

    def __init__(self, published: Path, stop_file: Path) -> None:
        self.stop_file = stop_file
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER, str(published), str(stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []

    def wait_until_it_sees(self, release_id: str) -> None:
        """Read its lines until one shows ``release_id`` (it reopens the file each time)."""
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            assert line and not line.startswith("ERROR"), line + self.process.stderr.read()
            self.lines.append(line)
            if json.loads(line)["release"] == release_id:
                return

    def stop(self) -> list[dict]:
        self.stop_file.touch()
        try:
            output, errors = self.process.communicate(timeout=120)
        finally:
            self.process.kill()
        assert self.process.returncode == 0, output[-2000:] + errors[-2000:]
        return [json.loads(line) for line in [*self.lines, *output.splitlines()]]


def build_audit_db(path: Path, release_tag: str, figure_rows: int) -> Path:
    """An audit warehouse with every layer; fct_figures rows all carry ``release_tag``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    connection = duckdb.connect(str(path))
    try:
        for schema in ("catalog", "staging", "intermediate", "marts", "reporting"):
            connection.execute(f"create schema {schema}")
        connection.execute(
            "create table catalog.waves as select * from (values "
            "('FY2025_pre', 'pre'), ('FY2025_post', 'post')) as t(wave_code, wave_type)"
        )
        connection.execute(
            "create table staging.stg_google_forms__responses as "
            "select 'participant-' || i as participant_pseudonym, 'secret answer' as raw_json "
            "from range(10) t(i)"
        )
        connection.execute(
            "create table intermediate.int_answers as select i as answer_id from range(10) t(i)"
        )
        connection.execute(
            "create table marts.fct_figures as select ? as release_id, i as figure_id, "
            "i * 1.5 as value from range(?) t(i)",
            [release_tag, figure_rows],
        )
        connection.execute("comment on table marts.fct_figures is 'one row per figure'")
        connection.execute("comment on column marts.fct_figures.value is 'the figure'")
        connection.execute(
            "create table reporting.rpt_headline as select ? as release_id, ? as respondents",
            [release_tag, figure_rows],
        )
        connection.execute(
            "create view reporting.rpt_headline_view as select * from reporting.rpt_headline"
        )
    finally:
        connection.close()
    return path


def publish(tmp_path: Path, tag: str, rows: int, run_id: str | None = None):
    audit = build_audit_db(tmp_path / "audit" / f"{tag}.duckdb", tag, rows)
    return publish_release(
        audit,
        fiscal_year=2025,
        run_id=run_id or tag,
        gate_result=PASSED,
        git_commit="0123abcd",
        releases_dir=tmp_path / "releases",
        published_path=tmp_path / "published" / "warehouse.duckdb",
    )


def query(path: Path, sql: str) -> list[tuple]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_publish_creates_release_and_current(tmp_path: Path) -> None:
    release = publish(tmp_path, "first", 7, run_id="manual__2026-11-23T22:15:00+00:00")

    # Short: fiscal year, publish minute (UTC), 4 hex; the run id is kept in release.json.
    assert re.fullmatch(r"FY2025-\d{8}-\d{4}-[0-9a-f]{4}", release.release_id)
    assert len(release.release_id) == 25
    recorded = json.loads((release.directory / "release.json").read_text(encoding="utf-8"))
    assert recorded["release_id"] == release.release_id
    assert recorded["run_id"] == "manual__2026-11-23T22:15:00+00:00"
    assert recorded["git_commit"] == "0123abcd"
    assert recorded["gate_result"] == PASSED
    assert {"schema": "marts", "table": "fct_figures", "row_count": 7} in recorded["tables"]
    assert (tmp_path / "releases" / "CURRENT").read_text().strip() == release.release_id
    assert current_release(tmp_path / "releases") == release

    published = tmp_path / "published" / "warehouse.duckdb"
    assert published.read_bytes() == release.warehouse_path.read_bytes()
    assert query(published, "select release_id, is_current from meta.releases") == [
        (release.release_id, True)
    ]
    assert query(published, "select count(*) from marts.fct_figures") == [(7,)]
    assert query(
        published,
        "select comment from duckdb_columns() "
        "where table_name = 'fct_figures' and column_name = 'value'",
    ) == [("the figure",)]
    assert list(tmp_path.joinpath("releases").glob(".*")) == []
    (event,) = read_history(tmp_path / "releases")
    assert event["action"] == "publish" and event["to"] == release.release_id
    assert event["from"] is None and event["run_id"] == release.run_id and event["by"]


def test_published_file_holds_only_analyst_schemas(tmp_path: Path) -> None:
    release = publish(tmp_path, "first", 3)

    schemas = query(
        release.warehouse_path,
        "select distinct schema_name from duckdb_tables() order by 1",
    )
    assert schemas == [("catalog",), ("marts",), ("meta",), ("reporting",)]
    # The view became a table, so nothing refers to a schema the file does not hold.
    assert query(
        release.warehouse_path, "select count(*) from duckdb_views() where not internal"
    ) == [(0,)]
    assert query(release.warehouse_path, "select * from reporting.rpt_headline_view") == [
        ("first", 3)
    ]
    assert b"secret answer" not in release.warehouse_path.read_bytes()


def test_older_release_can_be_read_back_after_newer_publish(tmp_path: Path) -> None:
    first = publish(tmp_path, "first", 4)
    second = publish(tmp_path, "second", 9)

    releases_dir = tmp_path / "releases"
    assert [release.release_id for release in list_releases(releases_dir)] == [
        first.release_id,
        second.release_id,
    ]
    assert current_release(releases_dir) == second
    connection = open_release(first.release_id, releases_dir)
    try:
        assert connection.execute(
            "select distinct release_id, count(*) over () from marts.fct_figures"
        ).fetchall() == [("first", 4)]
        with pytest.raises(duckdb.Error):
            connection.execute("create table marts.changed as select 1")
    finally:
        connection.close()
    published = tmp_path / "published" / "warehouse.duckdb"
    assert query(published, "select release_id, is_current from meta.releases order by 1") == [
        (first.release_id, False),
        (second.release_id, True),
    ]


def test_default_locations_are_in_the_work_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path / "work"))
    audit = build_audit_db(tmp_path / "work" / "warehouse" / "audit.duckdb", "only", 2)

    release = publish_release(
        audit,
        fiscal_year=2024,
        run_id="scheduled",
        gate_result=PASSED,
        git_commit="abc",
        releases_dir=paths().releases,
        published_path=paths().published_warehouse,
    )

    assert release.directory == tmp_path / "work" / "releases" / release.release_id
    assert (tmp_path / "work" / "published" / "warehouse.duckdb").exists()
    assert current_release(paths().releases) == release
    assert list_releases(paths().releases) == [release]


def test_failed_gate_leaves_current_untouched(tmp_path: Path) -> None:
    release = publish(tmp_path, "good", 5)
    current_pointer = tmp_path / "releases" / "CURRENT"
    published = tmp_path / "published" / "warehouse.duckdb"
    before = (current_pointer.read_bytes(), published.read_bytes())

    corrupted = build_audit_db(tmp_path / "audit" / "bad.duckdb", "bad", 1)
    with pytest.raises(ValueError, match="gate failed"):
        publish_release(
            corrupted,
            fiscal_year=2025,
            run_id="bad",
            gate_result={"passed": False, "failures": ["scale domain"]},
            git_commit="0123abcd",
            releases_dir=tmp_path / "releases",
            published_path=published,
        )

    assert (current_pointer.read_bytes(), published.read_bytes()) == before
    assert [r.release_id for r in list_releases(tmp_path / "releases")] == [release.release_id]


def test_connection_held_open_during_publish_keeps_the_old_release(tmp_path: Path) -> None:
    publish(tmp_path, "old", 4)
    published = tmp_path / "published" / "warehouse.duckdb"
    connection = duckdb.connect(str(published), read_only=True)
    try:
        publish(tmp_path, "new", 6)
        assert connection.execute(
            "select distinct release_id, count(*) over () from marts.fct_figures"
        ).fetchall() == [("old", 4)]
    finally:
        connection.close()
    assert query(published, "select count(*) from marts.fct_figures") == [(6,)]


def test_reader_in_another_process_sees_complete_releases_during_publishes(
    tmp_path: Path,
) -> None:
    first = publish(tmp_path, "release-0", 100)
    reader = Reader(tmp_path / "published" / "warehouse.duckdb", tmp_path / "stop")
    reader.wait_until_it_sees(first.release_id)  # running before the first publish
    tags = {first.release_id: "release-0"}
    for number in range(1, 6):
        release = publish(tmp_path, f"release-{number}", 100 + number * 37)
        tags[release.release_id] = f"release-{number}"
        reader.wait_until_it_sees(release.release_id)
    observations = reader.stop()

    for seen in observations:
        assert seen["release"] in tags
        assert seen["ids"] == [tags[seen["release"]]]
        assert seen["rows"] == seen["expected"]
    assert {seen["release"] for seen in observations} == set(tags)


def test_comments_are_copied_verbatim_whatever_they_hold(tmp_path: Path) -> None:
    """Every comment of a table goes to the copy in one call: quotes, semicolons and
    statement-like text in a comment or a name stay text, column by column."""
    audit = build_audit_db(tmp_path / "audit" / "hostile.duckdb", "hostile", 2)
    hostile = 'it\'s; drop table marts.fct_figures; --\n二行目 "quoted"'
    with duckdb.connect(str(audit)) as connection:
        connection.execute(
            'create table marts."odd; name" as select 1 as "it\'s", 2 as "semi;colon", 3 as plain'
        )
        connection.execute(f'comment on table marts."odd; name" is {quoted_literal(hostile)}')
        connection.execute(
            f'comment on column marts."odd; name"."it\'s" is {quoted_literal(hostile)}'
        )
        connection.execute(
            f'comment on column marts."odd; name"."semi;colon" is {quoted_literal("second")}'
        )
    release = publish_release(
        audit,
        fiscal_year=2025,
        run_id="hostile",
        gate_result=PASSED,
        releases_dir=tmp_path / "releases",
        published_path=tmp_path / "published" / "warehouse.duckdb",
    )

    copy = release.warehouse_path
    assert query(copy, "select count(*) from marts.fct_figures") == [(2,)]
    assert query(copy, "select comment from duckdb_tables() where table_name = 'odd; name'") == [
        (hostile,)
    ]
    assert query(
        copy,
        "select column_name, comment from duckdb_columns() "
        "where table_name = 'odd; name' order by column_index",
    ) == [("it's", hostile), ("semi;colon", "second"), ("plain", None)]
