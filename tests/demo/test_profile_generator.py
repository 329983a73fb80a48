"""The profile demo generator: deterministic, catalog-driven, chosen by the catalog's data."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, load_catalog
from impact_warehouse.demo.generic import generate_profile_sources
from impact_warehouse.demo.generic.profile import demo_generator_of
from impact_warehouse.demo.sources import generate_for_catalog
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
AS_OF = date(2026, 4, 30)


def _digest(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_and_day_give_the_same_bytes(tmp_path: Path) -> None:
    generate_profile_sources(tmp_path / "a", EXAMPLE, seed=7, as_of=AS_OF)
    generate_profile_sources(tmp_path / "b", EXAMPLE, seed=7, as_of=AS_OF)
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)


def test_every_form_wave_and_the_panel_are_written(tmp_path: Path) -> None:
    manifest = generate_profile_sources(tmp_path, EXAMPLE, as_of=AS_OF)
    catalog = load_catalog(EXAMPLE)
    for wave in catalog.waves.values():
        if wave.source_system == "google_forms":
            lines = manifest["files"][f"google_forms/responses/{wave.source_ref}.jsonl"]["lines"]
            assert lines > 0, wave.wave_code
    assert manifest["files"]["inbox/panel/comparison_2025_macromill.csv"]["rows"] == 200
    assert manifest["generator"] == "impact_warehouse.demo.generic"


def test_answers_follow_the_profile_weights(tmp_path: Path) -> None:
    """recommend_score is a 0-10 score: 0 is allowed and answers lean to 9-10 (weights)."""
    generate_profile_sources(tmp_path, EXAMPLE, as_of=AS_OF)
    form = json.loads(
        (tmp_path / "google_forms/forms/example-form-career-school-2025-post.json").read_text(
            encoding="utf-8"
        )
    )
    question = next(
        item["questionItem"]["question"]["questionId"]
        for item in form["items"]
        if item["title"].startswith("このプログラムを友人")
    )
    values = []
    for path in (tmp_path / "google_forms/responses").glob("*post.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            answers = json.loads(line)["answers"]
            if question in answers:
                values.append(int(answers[question]["textAnswers"]["answers"][0]["value"]))
    assert values and min(values) >= 0 and max(values) <= 10
    assert sum(value >= 9 for value in values) / len(values) > 0.25


def test_as_of_hides_waves_not_yet_open(tmp_path: Path) -> None:
    manifest = generate_profile_sources(tmp_path, EXAMPLE, as_of=date(2024, 7, 1))
    assert "google_forms/forms/example-form-career-school-2024-pre.json" in manifest["files"]
    assert "google_forms/forms/example-form-followup-2024.json" not in manifest["files"]
    assert not any(name.startswith("inbox/panel/") for name in manifest["files"])


def test_the_catalog_data_picks_the_generator(tmp_path: Path) -> None:
    assert demo_generator_of(EXAMPLE) == "profile"
    assert demo_generator_of(BUILTIN_CATALOG_DIR) == "fy2025_report"
    manifest = generate_for_catalog(tmp_path, as_of=AS_OF, catalog_dir=EXAMPLE)
    assert manifest["generator"] == "impact_warehouse.demo.generic"


def test_a_profile_value_outside_the_scale_names_file_and_line(tmp_path: Path) -> None:
    catalog_copy = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog_copy)
    with (catalog_copy / "demo" / "answers.csv").open("a", encoding="utf-8") as handle:
        handle.write("lonely_feeling,post,2024,6:10|5:3\n")
    with pytest.raises(CatalogError, match=r"demo/answers.csv line \d+: '6:10' is outside"):
        generate_profile_sources(tmp_path / "out", catalog_copy, as_of=AS_OF)


def test_an_unknown_demo_data_value_is_refused(tmp_path: Path) -> None:
    catalog_copy = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog_copy)
    path = catalog_copy / "organisation.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",profile", ",random"), "utf-8")
    with pytest.raises(CatalogError, match=r"organisation\.csv line 2"):
        demo_generator_of(catalog_copy)


def test_operations_workbooks_follow_the_profiles_fiscal_year(tmp_path: Path) -> None:
    """A January fiscal year has begun by February: its workbook exists (April's would not)."""
    catalog_copy = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog_copy)
    path = catalog_copy / "organisation.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",4,Asia/Tokyo", ",1,Asia/Tokyo"))
    workbook = "inbox/operations/運営管理_FY2025.xlsx"
    april = generate_profile_sources(tmp_path / "april", EXAMPLE, as_of=date(2025, 2, 15))
    january = generate_profile_sources(tmp_path / "january", catalog_copy, as_of=date(2025, 2, 15))
    assert workbook not in april["files"]
    assert workbook in january["files"]
