import json
from pathlib import Path

from impact_warehouse.benchmarks.scale_data import FileFormsClient


def _write_source(root: Path) -> None:
    (root / "forms").mkdir(parents=True)
    (root / "responses").mkdir()
    (root / "forms" / "f1.json").write_text(json.dumps({"formId": "f1", "items": []}))
    lines = [
        json.dumps(
            {"responseId": f"r{number}", "lastSubmittedTime": f"2025-01-0{number}T00:00:00Z"}
        )
        for number in range(1, 6)
    ]
    lines.insert(2, '{"responseId": "broken", "answ')
    (root / "responses" / "f1.jsonl").write_text("\n".join(lines) + "\n")


def test_pages_like_the_api_with_broken_records_apart(tmp_path: Path) -> None:
    _write_source(tmp_path)
    client = FileFormsClient(tmp_path, page_size=2)
    assert client.get_form("f1")["formId"] == "f1"
    pages = list(client.iter_response_pages("f1"))
    assert [page.page_number for page in pages] == [1, 2, 3, 4]
    assert [len(page.responses) + len(page.broken_records) for page in pages] == [2, 2, 2, 0]
    assert [r["responseId"] for page in pages for r in page.responses] == [
        "r1",
        "r2",
        "r3",
        "r4",
        "r5",
    ]
    assert [b for page in pages for b in page.broken_records] == ['{"responseId": "broken", "answ']
    assert [page.next_page_token is None for page in pages] == [False, False, False, True]


def test_since_keeps_responses_at_or_after_the_watermark(tmp_path: Path) -> None:
    _write_source(tmp_path)
    pages = FileFormsClient(tmp_path).iter_response_pages("f1", since="2025-01-04T00:00:00Z")
    assert [r["responseId"] for page in pages for r in page.responses] == ["r4", "r5"]
