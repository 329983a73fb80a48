"""indicator_targets.csv: every wrong row fails the catalog check naming file, line and fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.__main__ import main
from impact_warehouse.catalog.targets import TARGETS_FILE, load_targets
from impact_warehouse.settings import paths

HEADER = (
    "indicator_code,fiscal_year,program_code,wave_type,item_code,measure,operator,"
    "target_value,source_ja,note_ja"
)
GOOD = "I07,,,post,career_confidence,confident,>=,0.70,終了後アンケート,"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(paths().seeds, copy)
    return copy


def _write_targets(seeds: Path, *rows: str) -> None:
    (seeds / TARGETS_FILE).write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def test_the_project_targets_load():
    catalog = load_catalog()
    targets = load_targets(catalog)
    assert targets, "the Mamabono catalog ships targets"
    assert {target.operator for target in targets} <= {">=", "<="}
    assert all(0 <= target.target_value <= 1 for target in targets)


def test_a_good_row_reads_blank_as_every_year_and_all_programs(seeds: Path):
    _write_targets(seeds, GOOD, "I07,2025,mamabono,post,career_confidence,confident,<=,0.9,x,")
    every_year, one_year = load_targets(load_catalog(seeds), seeds)
    assert (every_year.fiscal_year, every_year.program_code) == (None, "all")
    assert (one_year.fiscal_year, one_year.program_code, one_year.operator) == (
        2025,
        "mamabono",
        "<=",
    )


CASES = {
    "unknown_indicator": ("I99,,,post,career_confidence,confident,>=,0.7,x,", "indicator_code"),
    "unknown_item": ("I07,,,post,career_confidense,confident,>=,0.7,x,", "item_code"),
    "unknown_wave_type": ("I07,,,after,career_confidence,confident,>=,0.7,x,", "wave_type"),
    "unknown_program": ("I07,,mamabonno,post,career_confidence,confident,>=,0.7,x,", "program"),
    "item_not_feeding_indicator": (
        "I06,,,post,career_confidence,confident,>=,0.7,x,",
        "item_indicators.csv",
    ),
    "unicode_operator": ("I07,,,post,career_confidence,confident,≥,0.7,x,", "'>=' in ASCII"),
    "bad_operator": ("I07,,,post,career_confidence,confident,>,0.7,x,", "use >= (at least"),
    "non_numeric_value": ("I07,,,post,career_confidence,confident,>=,seventy,x,", "0.70 for 70%"),
    "percent_value": ("I07,,,post,career_confidence,confident,>=,70,x,", "between 0"),
    "no_source": ("I07,,,post,career_confidence,confident,>=,0.7,,", "source_ja"),
    "fiscal_year_in_words": ("I07,令和7,,post,career_confidence,confident,>=,0.7,x,", "digits"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_row_names_file_line_and_fix(seeds: Path, case: str):
    row, words = CASES[case]
    _write_targets(seeds, GOOD, row)
    with pytest.raises(CatalogError) as raised:
        load_targets(load_catalog(seeds), seeds)
    assert raised.value.file_name == TARGETS_FILE
    assert raised.value.line == 3
    assert words in str(raised.value)


def test_a_duplicate_target_fails(seeds: Path):
    _write_targets(seeds, GOOD, GOOD)
    with pytest.raises(CatalogError, match="appears twice"):
        load_targets(load_catalog(seeds), seeds)


def test_a_measure_the_scale_lacks_fails(seeds: Path):
    _write_targets(seeds, GOOD, "I07,,,post,career_confidence,agree,>=,0.7,x,")
    with pytest.raises(CatalogError, match=r"not a measure of scale score10.*'confident'"):
        load_targets(load_catalog(seeds), seeds)


def test_the_catalog_command_fails_in_japanese_on_a_bad_target(seeds: Path, capsys):
    _write_targets(seeds, "I07,,,post,career_confidence,confident,>=,7割,x,")
    assert main(["--seeds", str(seeds)]) == 1
    error = capsys.readouterr().err
    assert "indicator_targets.csv の 2 行目" in error
    assert "0.70 for 70%" in error
