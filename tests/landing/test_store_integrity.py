"""Manifest, crash windows and damage in one landing folder (PartitionStore, verify)."""

from __future__ import annotations

import errno

import pytest

from impact_warehouse.landing.manifest import MANIFEST_NAME, read_manifest
from impact_warehouse.landing.store import (
    KEY_FIELD,
    LandingIntegrityError,
    PartitionStore,
    Watermarks,
    write_atomically,
)
from impact_warehouse.landing.verify import verify_landing
from impact_warehouse.settings import Settings


def _records(*keys):
    return [{KEY_FIELD: key, "value": key.upper()} for key in keys]


def test_every_part_gets_a_manifest_line_with_rows_and_checksums(tmp_path):
    store = PartitionStore(tmp_path)
    store.append(_records("a", "b"), batch_id="1", part_label="p")
    [entry] = read_manifest(tmp_path).entries.values()
    assert entry.rows == 2 and len(entry.sha256) == 64 and len(entry.keys_sha256) == 64


def test_a_store_sees_parts_another_store_landed_since_it_read_its_index(tmp_path):
    early = PartitionStore(tmp_path)
    assert not early.is_landed("a")  # index read now
    PartitionStore(tmp_path).append(_records("a"), batch_id="1", part_label="p")
    assert early.append(_records("a", "b"), batch_id="2", part_label="p") == 1
    assert sorted(r[KEY_FIELD] for r in early.read_all()) == ["a", "b"]


def test_crash_before_the_manifest_line_is_repaired_from_the_part(tmp_path):
    PartitionStore(tmp_path).append(_records("a"), batch_id="1", part_label="p")
    (tmp_path / MANIFEST_NAME).unlink()
    assert PartitionStore(tmp_path).append(_records("a"), batch_id="2", part_label="p") == 0
    assert len(read_manifest(tmp_path).entries) == 1


def test_a_torn_manifest_line_is_skipped_and_the_next_line_starts_clean(tmp_path):
    PartitionStore(tmp_path).append(_records("a"), batch_id="1", part_label="p")
    with (tmp_path / MANIFEST_NAME).open("a") as handle:
        handle.write('{"part": "part-9')  # cut by a crash or a full disk
    PartitionStore(tmp_path).append(_records("b"), batch_id="2", part_label="p")
    manifest = read_manifest(tmp_path)
    assert len(manifest.entries) == 2 and manifest.torn_lines == [2]


@pytest.mark.parametrize("damage", ["{not json\n", '"a"\n"zzz"\n', ""])
def test_a_damaged_sidecar_is_rebuilt_from_its_part(tmp_path, damage):
    PartitionStore(tmp_path).append(_records("a", "b"), batch_id="1", part_label="p")
    [sidecar] = tmp_path.glob("*.keys")
    sidecar.write_text(damage)
    assert (
        PartitionStore(tmp_path).append(_records("a", "b", "c"), batch_id="2", part_label="p") == 1
    )
    assert sidecar.read_text() == '"a"\n"b"\n'


def test_a_damaged_sidecar_and_part_fail_naming_both_files(tmp_path):
    PartitionStore(tmp_path).append(_records("a", "b"), batch_id="1", part_label="p")
    [part] = tmp_path.glob("part-*.jsonl")
    part.write_text(part.read_text()[:-5])
    part.with_suffix(".keys").write_text("{")
    with pytest.raises(LandingIntegrityError) as failure:
        PartitionStore(tmp_path).is_landed("a")
    assert str(part) in str(failure.value) and str(part.with_suffix(".keys")) in str(failure.value)


def test_a_failed_write_removes_its_temporary_and_names_the_file(tmp_path):
    def lines():
        yield "one"
        raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "part-1.jsonl"
    with pytest.raises(OSError, match=str(target)) as failure:
        write_atomically(target, lines())
    assert failure.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []


def test_watermark_reset_only_moves_back_and_unreadable_marks_name_their_file(tmp_path):
    marks = Watermarks(tmp_path)
    marks.advance("google_forms", "f", "2025-12-12T00:00:00.000Z", batch_id="1")
    assert not marks.reset("google_forms", "f", "2026-01-01T00:00:00.000Z", reason="test")
    assert marks.reset("google_forms", "f", "2025-12-01T00:00:00.000Z", reason="test")
    assert marks.get("google_forms", "f") == "2025-12-01T00:00:00.000Z"
    path = tmp_path / "watermarks" / "google_forms" / "f.json"
    path.write_text("{")
    with pytest.raises(LandingIntegrityError, match=str(path)):
        marks.get("google_forms", "f")


def _forms_folder(settings):
    return settings.landing / "google_forms" / "responses" / "form-a"


def _landed_form(tmp_path):
    settings = Settings.for_work_dir(tmp_path / "work", tmp_path / "inbox")
    store = PartitionStore(_forms_folder(settings))
    store.append(
        _records("r1|2025-12-01T00:00:00Z", "r2|2025-12-02T00:00:00Z"),
        batch_id="1",
        part_label="00001",
    )
    store.append(_records("r3|2025-12-03T00:00:00Z"), batch_id="2", part_label="00002")
    Watermarks(settings.state).advance(
        "google_forms", "form-a", "2025-12-03T00:00:00Z", batch_id="2"
    )
    return settings, sorted(_forms_folder(settings).glob("part-*.jsonl"))


def test_verify_finds_nothing_in_a_clean_landing_zone(tmp_path):
    settings, _ = _landed_form(tmp_path)
    report = verify_landing(settings, timeout=0)
    assert report.findings == [] and report.parts_checked == 2


def test_verify_rewinds_the_form_to_the_earliest_time_of_a_deleted_part(tmp_path):
    settings, (first, _) = _landed_form(tmp_path)
    first.unlink()
    check = verify_landing(settings, repair=False, timeout=0)
    assert [(f.path, f.problem, f.repaired) for f in check.findings] == [
        (first, "missing_part", False)
    ]
    assert first.with_suffix(".keys").exists()  # --check changes nothing

    report = verify_landing(settings, timeout=0)
    assert report.watermark_resets == {"form-a": "2025-12-01T00:00:00Z"}
    assert Watermarks(settings.state).get("google_forms", "form-a") == "2025-12-01T00:00:00Z"
    assert not first.with_suffix(".keys").exists()
    assert not PartitionStore(first.parent).is_landed("r1|2025-12-01T00:00:00Z")
    assert PartitionStore(first.parent).is_landed("r3|2025-12-03T00:00:00Z")
    assert verify_landing(settings, timeout=0).findings == []


def test_verify_removes_the_watermark_when_the_lost_times_are_unknown(tmp_path):
    settings, (first, _) = _landed_form(tmp_path)
    first.write_text("garbage\n")
    first.with_suffix(".keys").write_text("garbage\n")
    report = verify_landing(settings, timeout=0)
    assert {f.problem for f in report.findings} == {"damaged_part"}
    assert report.watermark_resets == {"form-a": None}
    assert Watermarks(settings.state).get("google_forms", "form-a") is None


def test_verify_rebuilds_a_sidecar_and_a_manifest_line(tmp_path):
    settings, (first, _) = _landed_form(tmp_path)
    first.with_suffix(".keys").unlink()
    (first.parent / MANIFEST_NAME).write_text("")
    report = verify_landing(settings, timeout=0)
    assert sorted(f.problem for f in report.findings) == [
        "missing_manifest_entry",
        "missing_sidecar",
    ]
    assert all(f.repaired for f in report.findings)
    assert Watermarks(settings.state).get("google_forms", "form-a") == "2025-12-03T00:00:00Z"
    assert verify_landing(settings, timeout=0).findings == []
