"""The output marts reproduce the FY2025 report on demo data, for two demo seeds.

Every figure is read from the built DuckDB file (the shared ``demo_warehouse_for_seed``
fixture lands and builds each seed once per session); the expected values are the report's
(METRICS.md, "Figures of the FY2025 report"). The demo generator changes who answers what
with the seed, never the FY2025 counts, so the same assertions must hold for every seed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import run_dbt

# Seed 7 lands and builds a second demo warehouse: the end-to-end tier (make test-all).
SEEDS = [pytest.param(2025, id="seed2025"), pytest.param(7, id="seed7", marks=pytest.mark.slow)]
REPORTED_YEAR = 2025
MY_MODELS = (
    "dim_programs",
    "dim_cohorts",
    "dim_waves",
    "dim_items",
    "dim_item_wordings",
    "dim_indicators",
    "dim_participants",
    "dim_participant_employment_history",
    "fct_participation",
    "fct_cumulative_participants",
    "fct_outputs",
    "fct_outputs_employment",
    "fct_support_measures",
    "fct_response_rates",
)


@pytest.fixture(scope="module", params=SEEDS)
def warehouse(
    request: pytest.FixtureRequest, demo_warehouse_for_seed: Callable[[int], Any]
) -> Path:
    return demo_warehouse_for_seed(request.param).database


def query(database: Path, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def by_key(rows: list[tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    """First column → the remaining columns."""
    return {row[0]: tuple(row[1:]) for row in rows}


# ------------------------------------------------------------------ FY2025 report figures


def test_fy2025_programs_projects_participants_and_organisations(warehouse: Path) -> None:
    outputs = by_key(
        query(
            warehouse,
            "select program_code, cohorts_run, projects, participants, organisations "
            "from marts.fct_outputs where fiscal_year = ?",
            [REPORTED_YEAR],
        )
    )
    assert outputs["mamabono"] == (1, 6, 32, 6)
    assert outputs["next_research"] == (1, 1, 13, 1)
    assert outputs["npo_mentoring"] == (1, 10, 20, 8)


def test_fy2025_employment_at_entry(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select employment_status_code, program_group_code, participations "
        "from marts.fct_outputs_employment where fiscal_year = ?",
        [REPORTED_YEAR],
    )
    table = {(status, group): count for status, group, count in rows}
    expected = {  # mamabono / NEXT / total (就業状況内訳)
        "on_leave": (26, 8, 34),
        "not_working": (2, 4, 6),
        "abroad_with_spouse": (4, 0, 4),
        "full_time": (0, 17, 17),
        "freelance": (0, 4, 4),
        "other": (0, 0, 0),
    }
    for status, counts in expected.items():
        assert tuple(table[(status, group)] for group in ("mamabono", "next", "all")) == counts
    totals = {
        group: sum(count for (_, g), count in table.items() if g == group)
        for group in ("mamabono", "next", "all")
    }
    assert totals == {"mamabono": 32, "next": 33, "all": 65}
    assert set(table) == {(status, group) for status in expected for group in totals}


def test_fy2025_support_measures(warehouse: Path) -> None:
    [(multi_person, share)] = query(
        warehouse,
        "select multi_person_projects, multi_person_project_share from marts.fct_outputs "
        "where fiscal_year = ? and program_code = 'all'",
        [REPORTED_YEAR],
    )
    assert (multi_person, share) == (17, 1.0)
    measures = {
        (measure_type, program): count
        for measure_type, program, count in query(
            warehouse,
            "select support_measure_type, program_code, measures from marts.fct_support_measures "
            "where fiscal_year = ?",
            [REPORTED_YEAR],
        )
    }
    assert measures["study_session", "all"] == 3
    assert measures["reflection_meeting", "all"] == 5
    assert measures["work_life_event", "all"] == 3
    # 3回(ママボノ2回/NPOメンタリング1回); 5回(ママボノ2回/社会調査1回/NPOメンタリング2回)
    assert (measures["study_session", "mamabono"], measures["study_session", "npo_mentoring"]) == (
        2,
        1,
    )
    assert [
        measures["reflection_meeting", program]
        for program in ("mamabono", "next_research", "npo_mentoring")
    ] == [2, 1, 2]
    assert measures["work_life_event", "all_programs"] == 3


def test_fy2025_response_rates(warehouse: Path) -> None:
    rates = by_key(
        query(
            warehouse,
            "select wave_code, targeted, responded, response_rate from marts.fct_response_rates "
            "where fiscal_year = ? and breakdown_level = 'all'",
            [REPORTED_YEAR],
        )
    )
    assert rates["mamabono_2025_post"] == (32, 24, 0.75)
    assert rates["npo_mentoring_2025_post"] == (20, 20, 1.0)
    targeted, responded, rate = rates["followup_2025"]
    assert (targeted, responded, round(rate * 100, 1)) == (126, 32, 25.4)
    panel_ordered, panel_rows, panel_rate = rates["comparison_2025"]
    assert (panel_rows, panel_rate) == (309, None)
    assert (
        panel_ordered
        == query(
            warehouse,
            "select panel_target_n from catalog.waves where wave_code = 'comparison_2025'",
        )[0][0]
    )


# ----------------------------------------------------- response rates: linkage and breakdowns


def test_unlinked_respondents_and_resubmissions_count_right(warehouse: Path) -> None:
    rows = by_key(
        query(
            warehouse,
            "select wave_code, respondents, unlinked_respondents, linkage_rate, responded, "
            "resubmitted_respondents from marts.fct_response_rates where breakdown_level = 'all' "
            "and wave_code in ('mamabono_2025_post', 'followup_2025')",
        )
    )
    # The demo injects one address on no roster and one resubmission in each of these waves.
    assert rows["mamabono_2025_post"] == (25, 1, 24 / 25, 24, 1)
    assert rows["followup_2025"] == (33, 1, 32 / 33, 32, 1)


def test_cohort_and_program_rows_add_up_to_the_wave(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select wave_code, breakdown_level, sum(targeted), sum(responded) "
        "from marts.fct_response_rates where wave_type <> 'comparison' group by all",
    )
    totals: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for wave, level, targeted, responded in rows:
        totals[wave][level] = (targeted, responded)
    assert totals
    for wave, levels in totals.items():
        assert levels["cohort"] == levels["program"] == levels["all"], wave


# -------------------------------------------------- participations versus distinct people


def test_a_person_in_two_cohorts_counts_twice_as_participation_once_as_person(
    warehouse: Path,
) -> None:
    [(extra_participations,)] = query(
        warehouse,
        "select count(*) - count(distinct participant_key) from marts.fct_participation "
        "where fiscal_year = ?",
        [REPORTED_YEAR],
    )
    assert extra_participations >= 1, "the demo has a FY2025 mother in both NEXT programs"
    [(participations, participants, cumulative_people, summed_yearly_people)] = query(
        warehouse,
        """
        select
            max(case when fiscal_year = ? then participations end),
            max(case when fiscal_year = ? then participants end),
            max(case when fiscal_year = ? then cumulative_participants end),
            sum(case when fiscal_year <= ? then participants end)
        from marts.fct_cumulative_participants
        where program_code = 'all'
        """,
        [REPORTED_YEAR] * 4,
    )
    assert participations == 65  # 32 + 13 + 20
    assert participants == participations - extra_participations
    [(people_so_far,)] = query(
        warehouse,
        "select count(distinct participant_key) from marts.fct_participation "
        "where fiscal_year <= ?",
        [REPORTED_YEAR],
    )
    assert cumulative_people == people_so_far < summed_yearly_people


def test_cumulative_participants_match_a_recount_from_participations(warehouse: Path) -> None:
    participations = query(
        warehouse, "select participant_key, program_code, fiscal_year from marts.fct_participation"
    )
    programs = [row[0] for row in query(warehouse, "select program_code from marts.dim_programs")]
    years = range(
        min(year for *_, year in participations), max(year for *_, year in participations) + 1
    )
    expected = {}
    for scope in [*programs, "all"]:
        rows = [
            (person, year) for person, program, year in participations if scope in (program, "all")
        ]
        for year in years:
            so_far = [(person, y) for person, y in rows if y <= year]
            expected[(year, scope)] = (
                sum(1 for _, y in rows if y == year),
                len({person for person, y in rows if y == year}),
                len(so_far),
                len({person for person, _ in so_far}),
            )
    actual = {
        (year, scope): tuple(counts)
        for year, scope, *counts in query(
            warehouse,
            "select fiscal_year, program_code, participations, participants, "
            "cumulative_participations, cumulative_participants "
            "from marts.fct_cumulative_participants",
        )
    }
    assert actual == expected


# --------------------------------------------------------------- dimensions and history


def test_employment_history_has_one_status_per_person_and_year(warehouse: Path) -> None:
    [(ambiguous, missing)] = query(
        warehouse,
        """
        with years as (
            select participant_key, unnest(range(first_fiscal_year, last_fiscal_year + 1)) as y
            from marts.dim_participants
        ),
        matches as (
            select years.participant_key, years.y, count(history.participation_key) as rows
            from years
            left join marts.dim_participant_employment_history as history
                on years.participant_key = history.participant_key
                and history.valid_from_fiscal_year <= years.y
                and years.y < coalesce(history.valid_to_fiscal_year, years.y + 1)
            group by all
        )
        select count(*) filter (where rows > 1), count(*) filter (where rows = 0) from matches
        """,
    )
    assert (ambiguous, missing) == (0, 0)


def test_dimensions_cover_the_catalog_and_the_roster(warehouse: Path) -> None:
    counts = by_key(
        query(
            warehouse,
            """
            select 'programs', (select count(*) from marts.dim_programs),
                (select count(*) from catalog.programs)
            union all select 'cohorts', (select count(*) from marts.dim_cohorts),
                (select count(*) from catalog.cohorts)
            union all select 'waves', (select count(*) from marts.dim_waves),
                (select count(*) from catalog.waves)
            union all select 'items', (select count(*) from marts.dim_items),
                (select count(*) from catalog.items)
            union all select 'indicators', (select count(*) from marts.dim_indicators),
                (select count(*) from catalog.indicators)
            union all select 'participants', (select count(*) from marts.dim_participants),
                (select count(distinct participant_key) from marts.fct_participation)
            """,
        )
    )
    for name, (dimension, source) in counts.items():
        assert dimension == source, name
    wordings = by_key(
        query(
            warehouse,
            "select fiscal_year, wording_ja, is_changed_this_year from marts.dim_item_wordings "
            "where item_code = 'career_confidence' and fiscal_year in (2023, 2024)",
        )
    )
    assert wordings[2023][0] != wordings[2024][0]
    assert (wordings[2023][1], wordings[2024][1]) == (False, True)


def test_every_mart_model_states_its_grain(tmp_path: Path) -> None:
    run = run_dbt(
        ["parse"],
        paths(),
        target_path=tmp_path / "target",
        duckdb_path=tmp_path / "parse.duckdb",
        landing_dir=tmp_path / "landing",
    )
    manifest = json.loads((run.target_path / "manifest.json").read_text(encoding="utf-8"))
    descriptions = {
        node["name"]: node["description"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    for model in MY_MODELS:
        assert "one row per" in descriptions[model].lower(), model
