"""SIGKILL ``publish_release`` at each step: the current release stays valid (complete, its
checksum matches, the published file opens) and the next publish works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.publish import current_release, list_releases
from impact_warehouse.publish.files import sha256_of
from impact_warehouse.publish.history import read_history
from impact_warehouse.publish.lock import LOCK_TIMEOUT_ENV, publish_lock

WORKER = Path(__file__).with_name("publish_worker.py")

KILL_POINTS = [
    pytest.param("fsync:*/.building-*/warehouse.duckdb:1", id="new-release-not-yet-synced"),
    pytest.param("after:*/.building-*/release.json:1", id="release-written-not-renamed"),
    pytest.param("after:*/releases/FY*:1", id="release-renamed-not-published"),
    pytest.param("copy:*/published/.warehouse.duckdb.tmp-*:1", id="mid-copy-to-published"),
    pytest.param("after:*/published/warehouse.duckdb:1", id="published-before-current"),
    pytest.param("before:*/releases/CURRENT:1", id="current-pointer-not-renamed"),
]


def publish(work: Path, tag: str, kill: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(WORKER), str(work), tag, *([kill] if kill else [])]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def release_tag_of(path: Path) -> str:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        (tag,) = connection.execute(
            "select any_value(release_id) from marts.fct_figures"
        ).fetchone()
        (rows,) = connection.execute("select count(*) from marts.fct_figures").fetchone()
    finally:
        connection.close()
    assert rows == 20000
    return tag


def assert_valid(work: Path) -> str:
    """The current release is complete and matches its checksum; the published file opens and
    is a copy of one complete release. Returns the current release's tag."""
    releases = work / "releases"
    current = current_release(releases)
    assert current is not None
    assert sha256_of(current.warehouse_path) == current.sha256
    complete = {release.sha256 for release in list_releases(releases)}
    assert current.sha256 in complete
    published = work / "published" / "warehouse.duckdb"
    assert sha256_of(published) in complete
    release_tag_of(published)
    return release_tag_of(current.warehouse_path)


@pytest.mark.slow
@pytest.mark.parametrize("kill", KILL_POINTS)
def test_publish_killed_midway_keeps_a_valid_release_and_the_next_publish_works(kill, tmp_path):
    work = tmp_path / "work"
    first = publish(work, "first")
    assert first.returncode == 0, first.stderr
    killed = publish(work, "second", kill)
    assert killed.returncode == -signal.SIGKILL, f"not killed at {kill}: {killed.stderr[-800:]}"
    assert assert_valid(work) in {"first", "second"}

    third = publish(work, "third")
    assert third.returncode == 0, third.stderr
    assert assert_valid(work) == "third"
    published = work / "published" / "warehouse.duckdb"
    assert sha256_of(published) == current_release(work / "releases").sha256


@pytest.mark.slow
def test_leftovers_of_a_killed_publish_are_removed_by_the_next_publish(tmp_path):
    work = tmp_path / "work"
    if publish(work, "first").returncode != 0:
        raise RuntimeError("first publish failed")
    if publish(work, "second", "fsync:*/.building-*/warehouse.duckdb:1").returncode != -9:
        raise RuntimeError("the publish was not killed")
    if publish(work, "third").returncode != 0:
        raise RuntimeError("third publish failed")
    hidden = [p for p in work.rglob(".*") if ".building-" in p.name or ".tmp-" in p.name]
    assert hidden == []


@pytest.mark.slow
def test_the_copy_to_the_published_file_left_by_a_killed_publish_is_removed(tmp_path):
    work = tmp_path / "work"
    assert publish(work, "first").returncode == 0
    killed = publish(work, "second", "copy:*/published/.warehouse.duckdb.tmp-*:1")
    assert killed.returncode == -signal.SIGKILL
    assert list((work / "published").glob(".*.tmp-*"))  # the half copy is there
    assert publish(work, "third").returncode == 0
    assert [p for p in work.rglob(".*") if ".building-" in p.name or ".tmp-" in p.name] == []
    assert not (work / "releases" / "SWITCHING").exists()


@pytest.mark.slow
def test_a_publish_killed_between_file_and_pointer_keeps_them_in_agreement(tmp_path):
    work = tmp_path / "work"
    if publish(work, "first").returncode != 0:
        raise RuntimeError("first publish failed")
    if publish(work, "second", "after:*/published/warehouse.duckdb:1").returncode != -9:
        raise RuntimeError("the publish was not killed")
    published = work / "published" / "warehouse.duckdb"
    releases = work / "releases"
    # Before any later publish: status and reports (current_release) name what analysts read.
    assert sha256_of(published) == current_release(releases).sha256
    assert release_tag_of(published) == "second"
    assert (releases / "CURRENT").read_text().strip() != current_release(releases).release_id

    # The next publish completes the half switch: CURRENT and the history catch up, once.
    assert publish(work, "third").returncode == 0
    events = read_history(releases)
    assert [release_tag_of(releases / e["to"] / "warehouse.duckdb") for e in events] == [
        "first",
        "second",
        "third",
    ]
    assert events[1].get("recovered") is True
    assert [e["from"] for e in events[1:]] == [events[0]["to"], events[1]["to"]]
    assert (releases / "CURRENT").read_text().strip() == current_release(releases).release_id
    assert sha256_of(published) == current_release(releases).sha256
    assert not (releases / "SWITCHING").exists()


@pytest.mark.slow
def test_a_publish_killed_before_the_switch_point_leaves_the_old_release_everywhere(tmp_path):
    work = tmp_path / "work"
    assert publish(work, "first").returncode == 0
    killed = publish(work, "second", "before:*/published/warehouse.duckdb:1")
    assert killed.returncode == -signal.SIGKILL
    releases = work / "releases"
    assert (releases / "SWITCHING").exists()  # the journal announced a switch that never came
    assert release_tag_of(work / "published" / "warehouse.duckdb") == "first"
    assert release_tag_of(current_release(releases).warehouse_path) == "first"
    assert publish(work, "third").returncode == 0
    assert [e["action"] for e in read_history(releases)] == ["publish", "publish"]
    assert assert_valid(work) == "third"


@pytest.mark.slow
def test_two_publishes_at_once_are_serialised_and_agree(tmp_path):
    """Two real processes publish into one work folder at the same time."""
    work = tmp_path / "work"
    assert publish(work, "first").returncode == 0
    racers = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(work), tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("left", "right")
    ]
    outcomes = [(*racer.communicate(timeout=300), racer.returncode) for racer in racers]
    for _, stderr, returncode in outcomes:
        assert returncode == 0, stderr
    releases = work / "releases"
    kept = list_releases(releases)
    assert len(kept) == 3
    assert {release_tag_of(release.warehouse_path) for release in kept} == {
        "first",
        "left",
        "right",
    }
    current = current_release(releases)
    assert (releases / "CURRENT").read_text().strip() == current.release_id
    assert sha256_of(work / "published" / "warehouse.duckdb") == current.sha256
    assert assert_valid(work) in {"left", "right"}
    # One after the other: each switch starts from the release the previous one made current,
    # and the last switch is the current release.
    events = read_history(releases)
    assert [e["from"] for e in events[1:]] == [e["to"] for e in events[:-1]]
    assert events[-1]["to"] == current.release_id
    assert len({e["to"] for e in events}) == 3


@pytest.mark.slow
def test_a_publish_waiting_too_long_for_another_stops_with_a_japanese_message(tmp_path):
    work = tmp_path / "work"
    assert publish(work, "first").returncode == 0
    before = current_release(work / "releases")
    with publish_lock(work / "releases", timeout=0):
        waiting = subprocess.run(
            [sys.executable, str(WORKER), str(work), "second"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, LOCK_TIMEOUT_ENV: "0.5"},
        )
    assert waiting.returncode == 1
    assert "PublishBusyError" in waiting.stderr
    assert "別の公開（またはリリースの切り替え）が実行中" in waiting.stderr
    assert f"プロセス {os.getpid()}" in waiting.stderr
    assert list_releases(work / "releases") == [before]
    assert current_release(work / "releases") == before
