from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, Watermarks


def _records(*keys):
    return [{KEY_FIELD: key, "value": key.upper()} for key in keys]


def test_append_is_idempotent_across_store_instances(tmp_path):
    assert PartitionStore(tmp_path).append(_records("a", "b"), batch_id="1", part_label="p") == 2
    reopened = PartitionStore(tmp_path)
    assert reopened.append(_records("b", "c", "c"), batch_id="2", part_label="p") == 1
    assert sorted(r[KEY_FIELD] for r in PartitionStore(tmp_path).read_all()) == ["a", "b", "c"]


def test_missing_sidecar_after_a_crash_is_rebuilt_from_the_part(tmp_path):
    PartitionStore(tmp_path).append(_records("a"), batch_id="1", part_label="p")
    for sidecar in tmp_path.glob("*.keys"):
        sidecar.unlink()  # the run died between writing the part and its sidecar
    assert PartitionStore(tmp_path).append(_records("a"), batch_id="2", part_label="p") == 0
    assert list(tmp_path.glob("*.keys"))


def test_no_temporary_files_are_left_behind(tmp_path):
    PartitionStore(tmp_path).append(_records("a"), batch_id="1", part_label="p")
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_watermark_only_moves_forward(tmp_path):
    marks = Watermarks(tmp_path)
    assert marks.get("google_forms", "f") is None
    marks.advance("google_forms", "f", "2025-12-12T00:00:00.000Z", batch_id="1")
    marks.advance("google_forms", "f", "2025-12-11T00:00:00.000Z", batch_id="2")
    assert marks.get("google_forms", "f") == "2025-12-12T00:00:00.000Z"


def test_keys_with_spaces_and_newlines_survive_a_reopen(tmp_path):
    keys = ["Q1. 自信 はどのくらい", "multi\nline header"]
    PartitionStore(tmp_path).append(_records(*keys), batch_id="1", part_label="p")
    assert PartitionStore(tmp_path).append(_records(*keys), batch_id="2", part_label="p") == 0
