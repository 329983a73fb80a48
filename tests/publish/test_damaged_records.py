"""A release record, gate run or CURRENT edited by hand or damaged on disk.

One damaged release must not stop listing, publishing or rolling back to the others, and
wherever a damaged record is needed the answer names the file, in Japanese for staff, not a
traceback.
"""

from __future__ import annotations

import json
import shutil
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
from impact_warehouse.publish.history import read_history, record_event
from impact_warehouse.publish.releases import scan_releases
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
# Valid JSON with one field of a release record changed (a hand edit, a copied folder).
FIELD_EDITS = {
    "created_at null": {"created_at": None},
    "fiscal year as text": {"fiscal_year": "abc"},
    "fiscal year true": {"fiscal_year": True},
    "gate result a list": {"gate_result": []},
    "release id a number": {"release_id": 7},
    "another release's id": {"release_id": "FY2099-x"},
    "a table without a count": {"tables": [{"schema": "marts", "table": "t"}]},
    "a count as text": {"tables": [{"schema": "marts", "table": "t", "row_count": "3"}]},
    "a table with a field of something else": {
        "tables": [{"schema": "marts", "table": "t", "row_count": 3, "colour": "red"}]
    },
    "a field of something else": {"colour": "red"},
    "organisation a number": {"organisation_code": 5},
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
    (problem,) = scan_releases(releases)[1]
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


@pytest.mark.parametrize("edit", list(FIELD_EDITS))
def test_a_release_record_with_a_wrong_field_is_left_out(tmp_path: Path, edit: str) -> None:
    old = publish(tmp_path, "old", 2)
    kept = publish(tmp_path, "kept", 3)
    path = old.directory / "release.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**record, **FIELD_EDITS[edit]}), encoding="utf-8")
    releases = tmp_path / "releases"

    assert [release.release_id for release in list_releases(releases)] == [kept.release_id]
    assert [problem.path for problem in scan_releases(releases)[1]] == [path]
    newest = publish(tmp_path, "newest", 4)
    assert current_release(releases) == newest


def test_a_copied_release_folder_does_not_clash_with_its_original(tmp_path: Path) -> None:
    original = publish(tmp_path, "original", 2)
    shutil.copytree(original.directory, original.directory.with_name(original.release_id + "-copy"))
    assert list_releases(tmp_path / "releases") == [original]
    following = publish(tmp_path, "next", 3)
    assert current_release(tmp_path / "releases") == following


@pytest.mark.parametrize(
    "pointer", [b"\xff\xfe\n", b"FY" + b"x" * 300 + b"\n", b"a\nb\n", b"FY\x00x\n", b"/etc\n"]
)
def test_an_unreadable_current_is_explained_and_not_copied_into_the_history(
    tmp_path: Path, pointer: bytes
) -> None:
    first = publish(tmp_path, "first", 2)
    releases = tmp_path / "releases"
    (releases / "CURRENT").write_bytes(pointer)
    with pytest.raises(DamagedRecordError):
        current_release(releases)

    second = publish(tmp_path, "second", 3)
    assert current_release(releases) == second
    assert read_history(releases)[-1]["from"] is None
    settings = Settings.for_work_dir(tmp_path, tmp_path / "inbox")
    (releases / "CURRENT").write_bytes(pointer)
    assert make_current(first.release_id, settings).event["from"] is None


def test_current_as_a_folder_is_explained(tmp_path: Path) -> None:
    publish(tmp_path, "first", 2)
    current = tmp_path / "releases" / "CURRENT"
    current.unlink()
    current.mkdir()
    with pytest.raises(DamagedRecordError):
        current_release(tmp_path / "releases")


JOURNAL_EDITS = {
    "published null": {"published": None},
    "published a number": {"published": 99},
    "to a path": {"to": "../x"},
    "to a number": {"to": 5},
    "no switch id": {"switch": None},
    "time not a time": {"at": "yesterday"},
    "details overriding the switch": {"details": {"to": "FY2099"}},
}


@pytest.mark.parametrize("edit", list(JOURNAL_EDITS))
def test_a_damaged_switch_journal_is_named_before_anything_is_switched(
    tmp_path: Path, edit: str
) -> None:
    first = publish(tmp_path, "first", 2)
    releases = tmp_path / "releases"
    journal = {
        "switch": "abc",
        "action": "publish",
        "to": first.release_id,
        "from": None,
        "by": "someone",
        "published": str(tmp_path / "published" / "warehouse.duckdb"),
        "at": "2026-12-01T00:00:00+00:00",
        "device": 1,
        "inode": 2,
        "details": {},
    }
    (releases / "SWITCHING").write_text(json.dumps({**journal, **JOURNAL_EDITS[edit]}))
    with pytest.raises(DamagedRecordError, match="SWITCHING"):
        current_release(releases)
    with pytest.raises(DamagedRecordError, match="SWITCHING"):
        publish(tmp_path, "second", 3)
    assert (releases / "CURRENT").read_text().strip() == first.release_id


def test_a_damaged_history_line_is_kept_and_skipped(tmp_path: Path) -> None:
    publish(tmp_path, "first", 2)
    releases = tmp_path / "releases"
    history = releases / "history.jsonl"
    history.write_bytes(history.read_bytes() + b'{"at": "2026-\n\xff garbage\n')
    assert len(read_history(releases)) == 1
    second = publish(tmp_path, "second", 3)
    events = read_history(releases)
    assert [event["to"] for event in events][-1] == second.release_id
    assert b"\xff garbage" in history.read_bytes()  # the audit trail keeps what it had


@pytest.mark.parametrize(
    "edit", [{"checks": []}, {"judged_at": 5}, {"findings": ["x"]}, {"passed": "yes"}]
)
def test_a_gate_run_with_a_wrong_field_is_named(tmp_path: Path, edit: dict) -> None:
    run = _gate_run(tmp_path, datetime(2026, 11, 23, tzinfo=UTC))
    record = json.loads(run.path.read_text(encoding="utf-8"))
    run.path.write_text(json.dumps({**record, **edit}), encoding="utf-8")
    with pytest.raises(DamagedRecordError):
        latest_gate_run(tmp_path)


def test_a_rollback_with_no_alert_channel_still_switches_and_says_the_alert_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = publish(tmp_path, "first", 2)
    publish(tmp_path, "second", 3)
    monkeypatch.setenv("IMPACT_ALERT_CHANNELS", " , ")
    rollback = make_current(first.release_id, Settings.for_work_dir(tmp_path, tmp_path / "in"))
    assert rollback.changed and rollback.alert_status == "failed"
    assert current_release(tmp_path / "releases") == first


def test_releases_lists_the_ids_when_current_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path))
    first = publish(tmp_path, "first", 2)
    (tmp_path / "releases" / "CURRENT").write_text("no-such-release\n")
    assert main(["releases"]) == 0
    captured = capsys.readouterr()
    assert first.release_id in captured.out
    assert not any(line.startswith("* ") for line in captured.out.splitlines())  # no current
    assert "公開中のリリースが分かりません" in captured.err


def test_a_reason_with_a_unicode_line_separator_stays_one_line(tmp_path: Path) -> None:
    # JSON leaves U+2028 and U+0085 unescaped; str.splitlines() would split the event there.
    first = publish(tmp_path, "first", 2)
    second = publish(tmp_path, "second", 3)
    settings = Settings.for_work_dir(tmp_path, tmp_path / "inbox")
    reason = "数字の誤り\u2028確認済み\x85以上"
    make_current(first.release_id, settings, reason=reason, send_alert=False)
    make_current(second.release_id, settings, reason="戻す", send_alert=False)
    events = read_history(tmp_path / "releases")
    assert [event["action"] for event in events] == ["publish"] * 2 + ["make_current"] * 2
    assert events[2]["reason"] == reason


@pytest.mark.parametrize(
    "earlier", [b'\xef\xbb\xbf{"to": "a"}\n', b'{"to": "a"}\r\n  \n', b'{"to": "a"}']
)
def test_earlier_history_bytes_are_kept_and_read(tmp_path: Path, earlier: bytes) -> None:
    # A byte-order mark, CRLF line ends, a blank line, no final newline: edits by hand.
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "history.jsonl").write_bytes(earlier)
    record_event(releases, action="publish", release_id="b", previous_release_id="a")
    assert (releases / "history.jsonl").read_bytes().startswith(earlier)
    assert [event["to"] for event in read_history(releases)] == ["a", "b"]


def test_a_releases_folder_that_cannot_be_searched_is_named_not_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A releases folder without search permission (chmod 000) makes every look inside it
    fail with EACCES; faked here, as the tests may run as root, whom permissions do not stop."""
    monkeypatch.setenv("IMPACT_WORK_DIR", str(tmp_path))
    publish(tmp_path, "first", 2)
    releases = tmp_path / "releases"
    for name in ("read_text", "exists"):
        monkeypatch.setattr(Path, name, _refused_inside(releases, getattr(Path, name)))

    assert main(["status"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "エラー: 記録ファイル" in captured.err and "SWITCHING" in captured.err


def _refused_inside(folder: Path, method):
    def refused(path: Path, *args, **kwargs):
        if folder in path.parents:
            raise PermissionError(13, "Permission denied", str(path))
        return method(path, *args, **kwargs)

    return refused
