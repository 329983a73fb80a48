from impact_warehouse.landing.manifest import read_manifest
from impact_warehouse.landing.store import KEY_FIELD, PartitionStore, Watermarks, encoded_record


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


def _text_records() -> list[dict]:
    texts = ["そう思う", 'a "quote" \\ and \x01\x7f controls', "\u2028 😀 é", ""]
    return [
        {
            KEY_FIELD: f"r{index}|2025-06-01T00:00:00Z {text}",
            "respondent_pseudonym": None if index % 2 else f"email_{index}",
            "payload": {"answers": {"q1": {"textAnswers": {"answers": [{"value": text}]}}}},
            "empty": {},
            "flag": index % 2 == 0,
        }
        for index, text in enumerate(texts)
    ]


def test_text_only_records_are_written_byte_for_byte_as_json_writes_them(tmp_path):
    records = _text_records()
    by_json, by_msgspec, encoded = tmp_path / "json", tmp_path / "msgspec", tmp_path / "encoded"
    PartitionStore(by_json).append(records, batch_id="1", part_label="p")
    PartitionStore(by_msgspec).append(records, batch_id="1", part_label="p", text_only=True)
    PartitionStore(encoded).append_encoded(
        [encoded_record(record, text_only=index % 2 == 0) for index, record in enumerate(records)],
        batch_id="1",
        part_label="p",
    )
    written = sorted(path.name for path in by_json.glob("part-*"))
    assert len(written) == 2  # the part and its key sidecar
    for folder in (by_msgspec, encoded):
        assert sorted(path.name for path in folder.glob("part-*")) == written
        for name in written:
            assert (folder / name).read_bytes() == (by_json / name).read_bytes()
        (entry,) = read_manifest(folder).entries.values()
        (expected,) = read_manifest(by_json).entries.values()
        assert (entry.sha256, entry.keys_sha256) == (expected.sha256, expected.keys_sha256)


def test_encoded_records_are_landed_once(tmp_path):
    records = [encoded_record(record, text_only=True) for record in _records("a", "b", "b")]
    store = PartitionStore(tmp_path)
    assert store.append_encoded(records, batch_id="1", part_label="p") == 2
    assert PartitionStore(tmp_path).append_encoded(records, batch_id="2", part_label="p") == 0
    assert sorted(r[KEY_FIELD] for r in PartitionStore(tmp_path).read_all()) == ["a", "b"]


def test_landed_among_answers_for_each_key_in_order(tmp_path):
    store = PartitionStore(tmp_path / "index")
    first = [{KEY_FIELD: f"key|{number}", "batch_id": "b1"} for number in range(3)]
    assert store.append(first, batch_id="b1", part_label="00001") == 3
    assert store.landed_among(["key|0", "key|2", "key|3"]) == [True, True, False]
    reopened = PartitionStore(tmp_path / "index")
    assert reopened.landed_among(["key|3", "key|1", "key|1"]) == [False, True, True]
    assert reopened.landed_among([]) == []
