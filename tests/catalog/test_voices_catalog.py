"""The voice seeds (catalog/voices.py): optional, and every typo a CatalogError naming the
file, the line and the fix, reported by the catalog check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.__main__ import main as catalog_check
from impact_warehouse.catalog.voices import (
    CODEBOOK_FILE,
    MANUAL_CODES_FILE,
    QUOTES_FILE,
    load_voices,
)
from impact_warehouse.settings import paths

WORK = "challenge_at_work_example"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(paths().seeds, copy)
    return copy


def _append(seeds: Path, file_name: str, line: str) -> int:
    path = seeds / file_name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len((text + line).splitlines())


def test_the_shipped_voice_seeds_load(seeds: Path) -> None:
    voices = load_voices(load_catalog(seeds), seeds)
    assert voices.consent_items == {"quote_consent"}
    assert {item for item, _ in voices.categories} == {WORK, "challenge_in_private_example"}


def test_a_catalog_without_voice_seeds_has_no_voices(seeds: Path) -> None:
    for name in (CODEBOOK_FILE, MANUAL_CODES_FILE, QUOTES_FILE):
        (seeds / name).unlink()
    catalog = load_catalog(seeds)
    voices = load_voices(catalog, seeds)
    assert not voices.categories and not voices.quotes and not voices.manual_codes
    assert catalog.voice_consent_items == frozenset()


CASES = {
    "unknown_item": (CODEBOOK_FILE, "no_such_item,x,X,X,a,,1,quote_consent", "no_such_item"),
    "not_free_text": (CODEBOOK_FILE, "career_confidence,x,X,X,a,,1,", "not a free-text item"),
    "bad_regex": (CODEBOOK_FILE, f"{WORK},broken,X,X,資格|(未完,,9,quote_consent", "regular"),
    "duplicate_category": (CODEBOOK_FILE, f"{WORK},learning,X,X,a,,9,quote_consent", "twice"),
    "reserved_none": (CODEBOOK_FILE, f"{WORK},none,X,X,a,,9,quote_consent", "reserved"),
    "unknown_consent_item": (CODEBOOK_FILE, f"{WORK},extra,X,X,a,,9,nope", "consent_item_code"),
    "consent_not_yes_no": (
        CODEBOOK_FILE,
        f"{WORK},extra,X,X,a,,9,{WORK}",
        "primary measure",
    ),
    "manual_unknown_category": (MANUAL_CODES_FILE, f"r1,{WORK},no_such_category,", "no_such"),
    "manual_uncoded_item": (MANUAL_CODES_FILE, "r1,career_confidence,none,", "no categories"),
    "quote_unknown_category": (QUOTES_FILE, f"r1,{WORK},no_such_category,", "no_such"),
    "quote_uncoded_item": (QUOTES_FILE, "r1,career_confidence,,", "no categories"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_voice_row_names_file_line_and_fix(seeds: Path, case: str) -> None:
    file_name, line, words = CASES[case]
    number = _append(seeds, file_name, line)
    with pytest.raises(CatalogError) as raised:
        load_voices(load_catalog(seeds), seeds)
    message = str(raised.value)
    assert f"{file_name} line {number}" in message
    assert words in message
    assert raised.value.file_name == file_name and raised.value.line == number


@pytest.mark.parametrize("file_name", [MANUAL_CODES_FILE, QUOTES_FILE])
def test_the_same_answer_twice_is_refused(seeds: Path, file_name: str) -> None:
    _append(seeds, file_name, f"dup-key,{WORK},learning,first")
    number = _append(seeds, file_name, f"dup-key,{WORK},learning,again")
    with pytest.raises(CatalogError, match=rf"{file_name} line {number}: .* appears twice"):
        load_voices(load_catalog(seeds), seeds)


def test_none_and_a_category_for_one_answer_is_refused(seeds: Path) -> None:
    _append(seeds, MANUAL_CODES_FILE, f"r9,{WORK},none,")
    _append(seeds, MANUAL_CODES_FILE, f"r9,{WORK},learning,")
    with pytest.raises(CatalogError, match="'none' and a category"):
        load_voices(load_catalog(seeds), seeds)


def test_the_catalog_check_reports_a_voice_error(
    seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _append(seeds, CODEBOOK_FILE, f"{WORK},broken,X,X,(,,9,quote_consent")
    assert catalog_check(["--seeds", str(seeds)]) == 1
    error = capsys.readouterr().err
    assert f"{CODEBOOK_FILE} の {number} 行目" in error
    assert "regular expression" in error
