"""A release record, gate run or CURRENT edited by hand or damaged on disk.

One damaged release must not stop listing, publishing or rolling back to the others, and
wherever a damaged record is needed the answer names the file, in Japanese for staff, not a
traceback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_releases import publish

from impact_warehouse.cli import main
from impact_warehouse.publish import current_release, list_releases, resolve_release
from impact_warehouse.publish.files import DamagedRecordError
from impact_warehouse.publish.gate_runs import (
    latest_gate_run,
    mark_gate_run_published,
    record_gate_run,
)
from impact_warehouse.publish.releases import damaged_releases
from impact_warehouse.publish.rollback import make_current
from impact_warehouse.settings import Settings

DAMAGES = {
    "truncated": '{"release_id": "FY2025-',
    "empty": "",
    "not an object": "[1, 2]",
    "fields of something else": '{"hello": "world"}',
    "tables not objects": '{"tables": [1], "release_id": "x"}',
    "not UTF-8": b"\xff\xfe{",
}


def _damage(path: Path, damage: str | bytes) -> None:
    if isinstance(damage, bytes):
        path.write_bytes(damage)
    else:
        path.write_text(damage, encoding="utf-8")


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_old_release_is_left_out_and_publishing_goes_on(
    tmp_path: Path, damage: str
) -> None:
    old = publish(tmp_path, "old", 2)
    kept = publish(tmp_path, "kept", 3)
    _damage(old.directory / "release.json", DAMAGES[damage])
    releases = tmp_path / "releases"

    assert [release.release_id for release in list_releases(releases)] == [kept.release_id]
    (problem,) = damaged_releases(releases)
    assert problem.path == old.directory / "release.json"
    assert str(problem.path) in problem.message_ja

    newest = publish(tmp_path, "newest", 4)
    assert current_release(releases) == newest
    # Asked for by name, the damaged one says why it cannot be served.
    with pytest.raises(DamagedRecordError, match=r"release\.json cannot be read"):
        resolve_release(old.release_id, releases)


def test_current_naming_a_damaged_release_is_explained_and_a_publish_replaces_it(
    tmp_path: Path,
) -> None:
    first = publish(tmp_path, "first", 2)
    second = publish(tmp_path, "second", 3)
    releases = tmp_path / "releases"
    _damage(second.directory / "release.json", "{")

    with pytest.raises(DamagedRecordError) as raised:
        current_release(releases)
    assert raised.value.path == second.directory / "release.json"

    # Rolling back to a readable release still works; so does the next publish.
    settings = Settings.for_work_dir(tmp_path, tmp_path / "inbox")
    assert make_current(first.release_id, settings).release == first
    third = publish(tmp_path, "third", 4)
    assert current_release(releases) == third


@pytest.mark.parametrize("pointer", ["no-such-release\n", "../outside\n", ".building-1234\n"])
def test_current_naming_no_release_folder_is_explained(tmp_path: Path, pointer: str) -> None:
    publish(tmp_path, "first", 2)
    (tmp_path / "releases" / "CURRENT").write_text(pointer, encoding="utf-8")
    with pytest.raises(DamagedRecordError, match="not a release folder"):
        current_release(tmp_path / "releases")


def _gate_run(directory: Path, moment: datetime):
    return record_gate_run(
        run_id="manual__1",
        fiscal_year=2025,
        summary={"as_of": "2026-11-23", "passed": True, "checks": {}},
        findings=[],
        release_id=None,
        data_docs=None,
        directory=directory,
        judged_at=moment,
    )


@pytest.mark.parametrize("damage", ["truncated", "not an object", "fields of something else"])
def test_a_damaged_gate_run_is_named_not_rewritten(tmp_path: Path, damage: str) -> None:
    run = _gate_run(tmp_path, datetime(2026, 11, 23, tzinfo=UTC))
    _damage(run.path, DAMAGES[damage])
    with pytest.raises(DamagedRecordError) as raised:
        latest_gate_run(tmp_path)
    assert raised.value.path == run.path
    with pytest.raises(DamagedRecordError):
        mark_gate_run_published(run.path, "FY2025-x")
    assert run.path.read_text(encoding="utf-8") == DAMAGES[damage]  # left for the engineer


def test_the_commands_answer_in_japanese_not_with_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path))
    old = publish(tmp_path, "old", 2)
    current = publish(tmp_path, "current", 3)
    _damage(old.directory / "release.json", "{")

    assert main(["releases"]) == 0
    captured = capsys.readouterr()
    assert current.release_id in captured.out and old.release_id not in captured.out
    assert "注意: 記録ファイル" in captured.err and "release.json" in captured.err

    _damage(current.directory / "release.json", "")
    assert main(["status"]) == 1
    captured = capsys.readouterr()
    assert "エラー: 記録ファイル" in captured.err
    assert "Traceback" not in captured.err
    assert f"{current.directory / 'release.json'} cannot be read" in captured.err
