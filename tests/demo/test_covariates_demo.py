"""Covariates in the demo data (covariates.csv): every follow-up respondent and panel row
answers them, the panel lies inside its screening, participants do not, and adding them
changed no other answer (the FY2025 figures are re-counted in test_generator.py).

Read from the generated files with the independent readers of test_generator.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from test_generator import linked_answers, panel_rows, valid_code

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import paths

AS_OF = date(2026, 11, 23)
SEED = 2025
FOLLOWUPS = ("followup_2024", "followup_2025")
COMPARISON = "comparison_2025"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    out = tmp_path_factory.mktemp("covariates_demo")
    generate_demo_sources(out, seed=SEED, as_of=AS_OF, catalog=catalog)
    return out


def codes(catalog: Catalog, answers: dict[str, str]) -> dict[str, float | None]:
    return {item: valid_code(catalog, item, answers.get(item)) for item in catalog.covariates}


def meets_screening(catalog: Catalog, values: dict[str, float | None]) -> bool:
    return all(
        value is not None and catalog.covariates[item].meets_screening(int(value))
        for item, value in values.items()
    )


@pytest.mark.parametrize("wave_code", FOLLOWUPS)
def test_every_follow_up_respondent_answers_every_covariate(
    generated: Path, catalog: Catalog, wave_code: str
) -> None:
    respondents = linked_answers(generated, catalog, wave_code)
    assert respondents
    for answers in respondents.values():
        assert all(value is not None for value in codes(catalog, answers).values()), answers


def test_every_panel_row_answers_them_inside_the_screening(
    generated: Path, catalog: Catalog
) -> None:
    rows = panel_rows(generated, catalog, COMPARISON)
    assert len(rows) == 309
    assert all(meets_screening(catalog, codes(catalog, row)) for row in rows)
    # Slight spread inside the screening: every screened age band and every number of children.
    ages = Counter(codes(catalog, row)["age_band"] for row in rows)
    assert set(ages) == {1, 2, 3, 4}
    assert len({codes(catalog, row)["number_of_children"] for row in rows}) == 3


def test_many_participants_lie_outside_the_screening(generated: Path, catalog: Catalog) -> None:
    respondents = [
        codes(catalog, answers)
        for answers in linked_answers(generated, catalog, "followup_2025").values()
    ]
    outside = sum(not meets_screening(catalog, values) for values in respondents)
    assert 0.3 <= outside / len(respondents) <= 0.9
    employment = Counter(values["employment_type"] for values in respondents)
    assert len(employment) >= 4  # not only full-time: on leave, part-time, not working, …


def test_full_time_goes_with_challenges_at_work(generated: Path, catalog: Catalog) -> None:
    """The confounding the adjustment exists for, over both follow-up waves."""
    pairs = [
        (
            valid_code(catalog, "employment_type", answers.get("employment_type")),
            valid_code(catalog, "challenged_at_work", answers.get("challenged_at_work")),
        )
        for wave_code in FOLLOWUPS
        for answers in linked_answers(generated, catalog, wave_code).values()
    ]
    full_time = [challenged for employment, challenged in pairs if employment == 1]
    others = [challenged for employment, challenged in pairs if employment not in (1, None)]
    share_full_time = sum(value == 1 for value in full_time) / len(full_time)
    share_others = sum(value == 1 for value in others) / len(others)
    assert share_full_time > share_others + 0.1


def test_a_person_keeps_her_age_and_children_across_waves(
    generated: Path, catalog: Catalog
) -> None:
    waves = {wave: linked_answers(generated, catalog, wave) for wave in FOLLOWUPS}
    both = set(waves["followup_2024"]) & set(waves["followup_2025"])
    for email in both:
        earlier, later = (codes(catalog, waves[wave][email]) for wave in FOLLOWUPS)
        assert later["number_of_children"] == earlier["number_of_children"]
        assert 0 <= (later["age_band"] or 0) - (earlier["age_band"] or 0) <= 1


def test_no_answer_other_than_the_covariates_depends_on_them(
    generated: Path, catalog: Catalog, tmp_path: Path
) -> None:
    """Generated from the catalog as it was before covariates (no covariates.csv, no
    covariate items), every other answer is the same."""
    without = tmp_path / "seeds"
    without.mkdir()
    for path in paths().seeds.glob("*.csv"):
        if path.name == "covariates.csv":
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if path.name in ("items.csv", "item_wordings.csv"):
            lines = [line for line in lines if line.split(",", 1)[0] not in catalog.covariates]
        (without / path.name).write_text("".join(lines), encoding="utf-8")
    plain_catalog = load_catalog(without)
    plain = tmp_path / "plain"
    generate_demo_sources(plain, seed=SEED, as_of=AS_OF, catalog=plain_catalog)
    for wave_code in FOLLOWUPS:
        with_covariates = linked_answers(generated, catalog, wave_code)
        for email, answers in linked_answers(plain, plain_catalog, wave_code).items():
            kept = {
                item: value for item, value in answers.items() if item not in catalog.covariates
            }
            assert {
                item: value
                for item, value in with_covariates[email].items()
                if item not in catalog.covariates
            } == kept
    plain_rows = panel_rows(plain, plain_catalog, COMPARISON)
    rows = panel_rows(generated, catalog, COMPARISON)
    assert [
        {item: value for item, value in row.items() if item not in catalog.covariates}
        for row in rows
    ] == [
        {item: value for item, value in row.items() if item not in catalog.covariates}
        for row in plain_rows
    ]
