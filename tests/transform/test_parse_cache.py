"""dbt's saved parse is shared across work folders (transform/parse_cache.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform import parse_cache
from impact_warehouse.transform.dbt_runner import (
    DBT_PROJECT_DIR,
    PARTIAL_PARSE_FILE,
    profile_warehouse_path,
    run_dbt,
)


def _entry(**changes: object) -> Path | None:
    setup: dict = {
        "project": DBT_PROJECT_DIR,
        "profile_target": None,
        "database_name": "audit.duckdb",
        "seed_path": "seeds",
        "vars": None,
    }
    return parse_cache.entry_for(**{**setup, **changes})


def test_each_build_set_up_has_its_own_entry(monkeypatch, tmp_path):
    monkeypatch.setenv(parse_cache.CACHE_ENV, str(tmp_path))
    entries = {
        _entry(),
        _entry(profile_target="postgres"),
        _entry(database_name="warehouse.duckdb"),
        _entry(seed_path="../.work/dbt/catalog_seeds/0123456789abcdef"),
        _entry(vars={"as_of": "2026-01-01"}),
        _entry(project=tmp_path / "dbt_project"),
    }
    assert len(entries) == 6
    assert all(entry is not None and entry.parent == tmp_path for entry in entries)
    assert _entry() == _entry(vars={})  # no vars and empty vars parse alike


def test_an_empty_setting_turns_the_cache_off(monkeypatch):
    monkeypatch.setenv(parse_cache.CACHE_ENV, "")
    assert parse_cache.cache_dir() is None
    assert _entry() is None
    monkeypatch.delenv(parse_cache.CACHE_ENV)
    assert parse_cache.cache_dir() == parse_cache.DEFAULT_CACHE_DIR


def test_a_target_folder_keeps_its_own_parse(tmp_path):
    entry, saved = tmp_path / "cache" / "x.msgpack", tmp_path / "target" / PARTIAL_PARSE_FILE
    entry.parent.mkdir()
    saved.parent.mkdir()
    entry.write_bytes(b"from the cache")
    saved.write_bytes(b"its own")
    assert not parse_cache.restore(entry, saved)
    assert saved.read_bytes() == b"its own"
    saved.unlink()
    assert parse_cache.restore(entry, saved)
    assert saved.read_bytes() == b"from the cache"
    assert [path.name for path in saved.parent.iterdir()] == [PARTIAL_PARSE_FILE]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_cache_that_cannot_be_written_is_skipped(tmp_path):
    read_only = tmp_path / "cache"
    read_only.mkdir()
    read_only.chmod(0o500)
    saved = tmp_path / PARTIAL_PARSE_FILE
    saved.write_bytes(b"parse")
    try:
        assert not parse_cache.keep(saved, read_only / "x.msgpack")
    finally:
        read_only.chmod(0o700)


def test_a_cache_in_a_file_not_a_folder_is_skipped(tmp_path):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file")
    saved = tmp_path / PARTIAL_PARSE_FILE
    saved.write_bytes(b"parse")
    assert not parse_cache.keep(saved, not_a_folder / "x.msgpack")
    assert not parse_cache.restore(not_a_folder / "x.msgpack", tmp_path / "t" / "p.msgpack")


def _parse(root: Path, landing: Path) -> dict:
    """``dbt parse`` into ``root``'s own target folder and DuckDB file; dbt's perf info."""
    target = root / "target"
    run_dbt(
        ["parse"],  # dbt parse writes perf_info.json
        paths(),
        target_path=target,
        duckdb_path=root / "warehouse" / "warehouse.duckdb",
        landing_dir=landing,
    )
    return json.loads((target / "perf_info.json").read_text())


def test_a_new_work_folder_starts_from_another_folders_parse(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv(parse_cache.CACHE_ENV, str(cache))
    entry = _entry(database_name="warehouse.duckdb")
    assert entry is not None
    # A damaged entry (a half-written or foreign file) costs a full parse, never a failure.
    cache.mkdir()
    entry.write_bytes(b"\x93not a dbt manifest")
    working_dir = os.getcwd()

    first = _parse(tmp_path / "first", tmp_path / "landing-1")
    assert first["parsed_path_count"] == first["path_count"]  # every file: a full parse
    assert entry.read_bytes() == (tmp_path / "first" / "target" / PARTIAL_PARSE_FILE).read_bytes()

    # Another folder, another landing folder (an env var the sources read): dbt re-uses the
    # parse and re-reads only the files that changed.
    second = _parse(tmp_path / "second", tmp_path / "landing-2")
    assert second["path_count"] == first["path_count"]
    # 72 of 344 on the demo project: the sources and what reads them.
    assert second["parsed_path_count"] < first["path_count"] / 2
    assert os.getcwd() == working_dir


def test_only_the_most_recently_used_entries_are_kept(tmp_path):
    saved = tmp_path / PARTIAL_PARSE_FILE
    saved.write_bytes(b"parse")
    cache = tmp_path / "cache"
    cache.mkdir()

    def named(number: int) -> Path:
        return cache / (f"{number:0{parse_cache.ENTRY_DIGITS}x}" + parse_cache.SUFFIX)

    for number in range(parse_cache.MAX_ENTRIES):
        named(number).write_bytes(b"older parse")
        os.utime(named(number), (1_000_000 + number, 1_000_000 + number))
    # Not named as an entry: someone else's file in the folder, left alone however old.
    foreign = cache / f"keep-me{parse_cache.SUFFIX}"
    foreign.write_bytes(b"not ours")
    os.utime(foreign, (1, 1))
    # A restore marks an entry as used: the oldest write, yet kept.
    assert parse_cache.restore(named(0), tmp_path / "t.msgpack")

    newest = named(999)
    assert parse_cache.keep(saved, newest)
    kept = {path for path in cache.iterdir() if path != foreign}
    assert len(kept) == parse_cache.MAX_ENTRIES
    assert newest in kept and named(0) in kept
    assert named(1) not in kept  # the least recently used went
    assert foreign.exists()


def test_only_a_parse_dbt_wrote_in_the_run_is_kept(tmp_path):
    """A parse dbt merely accepted in a target folder (one another copy of the project may
    have left) is not filed under this set-up."""
    saved, entry = tmp_path / PARTIAL_PARSE_FILE, tmp_path / "cache" / "x.msgpack"
    saved.write_bytes(b"there before the run")
    before = parse_cache.signature(saved)
    assert not parse_cache.keep(saved, entry, before=before)
    assert not entry.exists()
    saved.unlink()
    saved.write_bytes(b"written by dbt in the run")
    assert parse_cache.keep(saved, entry, before=before)
    assert entry.read_bytes() == b"written by dbt in the run"


def test_a_relative_cache_setting_is_made_absolute(monkeypatch, tmp_path):
    """dbt runs in the DuckDB file's folder: a relative cache folder must not follow it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(parse_cache.CACHE_ENV, "parse-cache")
    assert parse_cache.cache_dir() == tmp_path / "parse-cache"


def test_the_duckdb_file_is_named_relative_to_its_folder_only_when_that_is_safe(tmp_path):
    database = tmp_path / "warehouse" / "audit.duckdb"
    assert profile_warehouse_path(database, None) == ("audit.duckdb", database.parent)
    assert profile_warehouse_path(database, "audit") == ("audit.duckdb", database.parent)
    # Other engines read no DuckDB file: nothing changes for them (Spark's metastore, say,
    # would follow the working directory).
    assert profile_warehouse_path(database, "postgres") == (str(database), None)
    assert profile_warehouse_path(database, "spark") == (str(database), None)
    # Relative, "md:x" would be MotherDuck and ":memory:" no file at all;
    # "~x" DuckDB would expand to the home folder.
    for name in ("md:x.duckdb", ":memory:", "s3:bucket.duckdb", "~x.duckdb"):
        assert profile_warehouse_path(tmp_path / name, None) == (str(tmp_path / name), None)
