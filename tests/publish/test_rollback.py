"""``make_current``: an earlier release served again, atomically, recorded and announced."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_releases import Reader, publish, query

from impact_warehouse.cli.releases import run_make_current
from impact_warehouse.publish import ReleaseLookupError, current_release
from impact_warehouse.publish.history import read_history
from impact_warehouse.publish.lock import LOCK_TIMEOUT_ENV, PublishBusyError, publish_lock
from impact_warehouse.publish.rollback import ReleaseFileChangedError, make_current
from impact_warehouse.settings import Settings


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Alerts go to the outbox of this work folder."""
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path))
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", "outbox")
    monkeypatch.setenv("IMPACT_ACTOR", "yamada")
    return tmp_path


def outbox(work: Path) -> list[dict]:
    path = work / "outbox" / "alerts.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rollback(work: Path, release_id: str, **kwargs):
    return make_current(release_id, Settings.for_work_dir(work, work / "inbox"), **kwargs)


def test_make_current_serves_the_earlier_release_records_it_and_alerts_once(work: Path) -> None:
    first = publish(work, "first", 4)
    second = publish(work, "second", 9)
    published = work / "published" / "warehouse.duckdb"

    result = rollback(work, first.release_id[:-1], reason="2件目の公開に誤りがあったため")

    assert result.changed and result.release == first and result.previous == second
    assert current_release(work / "releases") == first
    assert published.read_bytes() == first.warehouse_path.read_bytes()
    assert query(published, "select distinct release_id from marts.fct_figures") == [("first",)]
    assert query(published, "select release_id from meta.releases where is_current") == [
        (first.release_id,)
    ]
    event = read_history(work / "releases")[-1]
    assert event["action"] == "make_current"
    assert (event["from"], event["to"], event["by"]) == (
        second.release_id,
        first.release_id,
        "yamada",
    )
    assert event["reason"] == "2件目の公開に誤りがあったため" and event["at"].endswith("Z")

    alerts = [record for record in outbox(work) if record["alert"]["kind"] == "release_rolled_back"]
    assert len(alerts) == 1 and result.alert_status == "sent"
    (alert,) = alerts
    assert "リリースを切り替えました" in alert["subject"]
    assert f"以前のリリース {first.release_id} に戻しました" in alert["body"]
    assert first.release_id in alert["body"] and second.release_id in alert["body"]
    assert "yamada" in alert["body"] and "新しい集計" not in alert["subject"]


def test_a_caller_with_its_own_folders_gets_the_alert_in_its_own_outbox(
    work: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment's work folder is not the caller's: nothing is read or written there."""
    first = publish(work, "first", 4)
    publish(work, "second", 9)
    elsewhere = tmp_path_factory.mktemp("environment-work")
    monkeypatch.setenv("IMPACT_WORK_DIR", str(elsewhere))

    assert rollback(work, first.release_id).alert_status == "sent"

    assert [record["alert"]["kind"] for record in outbox(work)] == ["release_rolled_back"]
    assert current_release(work / "releases") == first
    assert list(elsewhere.iterdir()) == []


def test_moving_forward_again_is_announced_as_such(work: Path) -> None:
    first = publish(work, "first", 4)
    second = publish(work, "second", 9)
    rollback(work, first.release_id)

    rollback(work, second.release_id)

    last = outbox(work)[-1]
    assert f"新しい方のリリース {second.release_id} に切り替えました" in last["body"]
    assert current_release(work / "releases") == second
    assert [e["to"] for e in read_history(work / "releases")] == [
        first.release_id,
        second.release_id,
        first.release_id,
        second.release_id,
    ]


def test_making_the_current_release_current_changes_nothing(work: Path) -> None:
    only = publish(work, "only", 3)
    history_before = read_history(work / "releases")

    result = rollback(work, only.release_id)

    assert not result.changed and result.alert_status is None
    assert read_history(work / "releases") == history_before
    assert outbox(work) == []


def test_an_unknown_or_ambiguous_id_switches_nothing(work: Path) -> None:
    publish(work, "first", 3)
    second = publish(work, "second", 5)
    for wrong in ("FY1999", "FY2025-"):
        with pytest.raises(ReleaseLookupError):
            rollback(work, wrong)
    for empty in ("", "  "):
        with pytest.raises(ReleaseLookupError) as raised:
            rollback(work, empty)
        assert raised.value.message_ja.startswith("リリースIDが空です")
        assert second.release_id in raised.value.message_ja  # the latest are listed
    assert current_release(work / "releases") == second
    assert outbox(work) == []


def test_a_release_file_changed_after_publish_is_not_served(work: Path) -> None:
    first = publish(work, "first", 3)
    second = publish(work, "second", 5)
    with first.warehouse_path.open("ab") as handle:
        handle.write(b"tampered")

    with pytest.raises(ReleaseFileChangedError):
        rollback(work, first.release_id)

    assert current_release(work / "releases") == second
    assert (work / "published" / "warehouse.duckdb").read_bytes() == (
        second.warehouse_path.read_bytes()
    )


def test_reader_in_another_process_sees_complete_releases_during_rollbacks(work: Path) -> None:
    releases = [publish(work, f"release-{n}", 100 + n * 37) for n in range(3)]
    tags = {release.release_id: f"release-{n}" for n, release in enumerate(releases)}
    reader = Reader(work / "published" / "warehouse.duckdb", work / "stop")
    reader.wait_until_it_sees(releases[2].release_id)  # running before the first switch
    for target in (0, 1, 2, 0, 1):
        rollback(work, releases[target].release_id)
        reader.wait_until_it_sees(releases[target].release_id)
    observations = reader.stop()

    for seen in observations:
        assert seen["ids"] == [tags[seen["release"]]]
        assert seen["rows"] == seen["expected"]
    assert {seen["release"] for seen in observations} == set(tags)
    assert [e["to"] for e in read_history(work / "releases") if e["action"] == "make_current"] == [
        releases[n].release_id for n in (0, 1, 2, 0, 1)
    ]


def test_a_rollback_while_a_publish_holds_the_lock_waits_then_stops_in_japanese(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = publish(work, "first", 4)
    second = publish(work, "second", 9)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0")
    with publish_lock(work / "releases"):
        with pytest.raises(PublishBusyError) as busy:
            rollback(work, first.release_id)
        assert run_make_current(first.release_id) == 1
    assert "リリースの切り替えを始められませんでした" in busy.value.staff_message
    assert f"プロセス {os.getpid()}" in busy.value.staff_message
    assert "エラー: 別の公開（またはリリースの切り替え）が実行中" in capsys.readouterr().err
    assert current_release(work / "releases") == second
    assert [e["to"] for e in read_history(work / "releases")] == [
        first.release_id,
        second.release_id,
    ]
    # Once the holder is gone the same rollback goes through.
    assert rollback(work, first.release_id).changed
    assert current_release(work / "releases") == first


def test_a_half_switch_is_finished_by_the_next_rollback(work: Path) -> None:
    """A journal whose copy is already the published file (the process died right after the
    switch point): readers follow the published file, and the rollback records it first."""
    first = publish(work, "first", 4)
    second = publish(work, "second", 9)
    releases, published = work / "releases", work / "published" / "warehouse.duckdb"
    history_before = read_history(releases)
    identity = published.stat()
    journal = {
        "switch": "0" * 32,
        "action": "publish",
        "to": first.release_id,
        "from": second.release_id,
        "by": "airflow",
        "at": "2026-12-01T03:12:00+00:00",
        "published": str(published.resolve()),
        "device": identity.st_dev,
        "inode": identity.st_ino,
        "details": {"run_id": "died"},
    }
    published.write_bytes(first.warehouse_path.read_bytes())  # same inode: the switched file
    (releases / "SWITCHING").write_text(json.dumps(journal), encoding="utf-8")

    assert current_release(releases) == first  # what analysts read, before any repair
    assert (releases / "CURRENT").read_text().strip() == second.release_id

    result = rollback(work, second.release_id)
    assert result.previous == first and current_release(releases) == second
    events = read_history(releases)[len(history_before) :]
    assert [(e["action"], e["to"], e.get("recovered")) for e in events] == [
        ("publish", first.release_id, True),
        ("make_current", second.release_id, None),
    ]
    assert events[0]["at"] == "2026-12-01T03:12:00Z"  # when analysts got it, not the repair
    assert not (releases / "SWITCHING").exists()
