"""covariates.csv: optional, and every wrong row stops the catalog check with the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.catalog.__main__ import main
from impact_warehouse.settings import PROJECT_ROOT, paths

HEADER = "item_code,covariate_ja,covariate_en,panel_screening_values,display_order\n"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(paths().seeds, copy)
    return copy


def _write(seeds: Path, *rows: str) -> None:
    (seeds / "covariates.csv").write_text(HEADER + "".join(rows), encoding="utf-8")


def test_the_projects_covariates_are_read_in_display_order_with_their_screening() -> None:
    covariates = load_catalog().covariates
    assert list(covariates) == [
        "age_band",
        "region_band",
        "employment_type",
        "months_since_return",
        "number_of_children",
    ]
    assert covariates["age_band"].panel_screening_values == (1, 2, 3, 4)
    assert covariates["number_of_children"].panel_screening_values == ()
    assert covariates["number_of_children"].meets_screening(3)
    assert covariates["employment_type"].meets_screening(1)
    assert not covariates["employment_type"].meets_screening(5)


def test_covariate_items_are_asked_of_both_groups_on_labelled_scales_coded_one_to_n() -> None:
    catalog = load_catalog()
    for code in catalog.covariates:
        item = catalog.items[code]
        assert {"followup", "comparison"} <= set(item.asked_in)
        assert not item.is_personal_data
        scale = catalog.scales[item.scale_code]
        assert sorted(scale.labels.values()) == list(range(1, len(scale.labels) + 1))
        # No outcome measure: the engine and the report must not treat them as outcomes.
        assert item.scale_code not in catalog.scale_measures
        assert item.item_code not in {key[0] for key in catalog.item_indicators}


def test_a_catalog_without_the_file_has_no_covariates(seeds_copy: Path) -> None:
    (seeds_copy / "covariates.csv").unlink()
    assert load_catalog(seeds_copy).covariates == {}


def test_the_example_organisation_has_none() -> None:
    assert load_catalog(PROJECT_ROOT / "examples" / "hataraku_women").covariates == {}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (("no_such_item,年齢,age,1,1\n",), "'no_such_item' is not in items.csv"),
        (("return_anxiety,不安,anxiety,1,1\n",), "is not asked in ['followup', 'comparison']"),
        (("career_confidence,自信,confidence,6,1\n",), "has no answer labels"),
        (("age_band,年齢,age,1|2|9,1\n",), "'9' of age_band is not a value code of scale"),
        (("age_band,年齢,age,1|a,1\n",), "'a' of age_band is not a value code"),
        (("age_band,年齢,age,1|1,1\n",), "lists 1 twice"),
        (
            ("age_band,年齢,age,1,1\n", "age_band,年齢,age,2,2\n"),
            "item_code age_band appears twice",
        ),
        (("age_band,,age,1,1\n",), "column 'covariate_ja' is empty"),
        (("age_band,年齢,age,1,first\n",), "'display_order'='first' is not a whole number"),
    ],
)
def test_a_wrong_row_names_the_file_the_line_and_the_fix(
    seeds_copy: Path, rows: tuple[str, ...], expected: str
) -> None:
    _write(seeds_copy, *rows)
    with pytest.raises(CatalogError) as raised:
        load_catalog(seeds_copy)
    assert expected in str(raised.value)
    assert raised.value.file_name == "covariates.csv"
    assert raised.value.line == 1 + len(rows)


def test_the_catalog_command_reports_a_wrong_row_in_japanese_first(
    seeds_copy: Path, capsys
) -> None:
    _write(seeds_copy, "unknown_item,年齢,age,1,1\n")
    assert main(["--seeds", str(seeds_copy)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("エラー: カタログに誤りがあります(covariates.csv の 2 行目)")
    assert "unknown_item" in error


def test_the_catalog_command_counts_the_covariates(seeds_copy: Path, capsys) -> None:
    assert main(["--seeds", str(seeds_copy)]) == 0
    assert "5 covariates" in capsys.readouterr().out
