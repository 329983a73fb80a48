import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import CatalogError, QuestionMatcher, load_catalog, normalise_title
from impact_warehouse.settings import paths


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_catalog_covers_fiscal_years_2022_to_2026(catalog):
    assert {cohort.fiscal_year for cohort in catalog.cohorts.values()} == set(range(2022, 2027))
    assert set(catalog.programs) == {"mamabono", "next_research", "npo_mentoring"}
    wave_types = {wave.wave_type for wave in catalog.waves.values()}
    assert wave_types == {"pre", "post", "followup", "comparison"}


def test_fy2025_followup_targets_fy2023_and_fy2024_cohorts(catalog):
    wave = catalog.waves["followup_2025"]
    assert set(wave.target_cohorts) == {
        "mamabono_2023",
        "mamabono_2024",
        "npo_mentoring_2023",
        "npo_mentoring_2024",
    }


def test_every_indicator_from_four_to_fifteen_has_an_item(catalog):
    measured = set(catalog.item_indicators.values())
    assert {f"I{n:02d}" for n in range(4, 16)} <= measured


def test_mommy_track_and_free_text_items_exist(catalog):
    assert catalog.items["assigned_auxiliary_work"].section == "mommy_track"
    assert catalog.items["unfair_evaluation"].section == "mommy_track"
    assert catalog.items["challenge_at_work_example"].scale_code == "text"


def test_wording_changes_between_years_are_matched_per_year(catalog):
    old = catalog.items["career_confidence"].wording_for(2023)
    new = catalog.items["career_confidence"].wording_for(2024)
    assert old != new
    assert QuestionMatcher(catalog, 2023).match(old).item_code == "career_confidence"
    assert QuestionMatcher(catalog, 2024).match(old).item_code is None
    assert QuestionMatcher(catalog, 2024).match(new).item_code == "career_confidence"


def test_titles_are_normalised_nfkc_whitespace_and_question_numbers():
    assert (
        normalise_title("Q3. 過去１年間で、 仕事で\n新しいこと？")
        == "過去1年間で、仕事で新しいこと?"
    )
    assert normalise_title("問12　あなた") == "あなた"


def test_override_beats_wording_and_unmatched_is_reported(catalog):
    matcher = QuestionMatcher(catalog, 2025)
    assert matcher.match("ご意見・ご感想").method == "unmatched"


def test_a_broken_seed_names_file_row_and_fix(tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    waves = seeds / "waves.csv"
    lines = waves.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",post,", ",postt,")
    waves.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"waves.csv line 4: 'wave_type'='postt' is unknown"):
        load_catalog(seeds)


def test_an_explicit_override_maps_a_question_whatever_its_title(tmp_path: Path):
    seeds = tmp_path / "seeds"
    shutil.copytree(paths().seeds, seeds)
    with (seeds / "question_overrides.csv").open("a", encoding="utf-8") as handle:
        handle.write("form-x,q123,career_confidence,title abbreviated on the form\n")
    matcher = QuestionMatcher(load_catalog(seeds), 2025)
    match = matcher.match("自信(1-10)", source_ref="form-x", question_id="q123")
    assert (match.item_code, match.method) == ("career_confidence", "override")
    assert matcher.match("自信(1-10)", source_ref="form-y", question_id="q123").item_code is None


def test_cp932_round_trip_lookalikes_still_match(catalog):
    wording = catalog.items["career_confidence"].wording_for(2025)
    from_cp932 = wording.encode("cp932", errors="replace").decode("cp932")
    assert "〜" in wording and "〜" not in from_cp932
    match = QuestionMatcher(catalog, 2025).match("Q1. " + from_cp932)
    assert match.item_code == "career_confidence"
