"""Covariate answers (covariates.csv) in the built demo warehouse: they reach fct_answers as
numbers for every follow-up respondent and every panel row, the panel lies inside its
screening, and the indicator engine publishes nothing on them (they describe who answered,
they are no outcome), so no published figure moved when they were added."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from impact_warehouse.catalog import load_catalog

FOLLOWUP_WAVES = ("followup_2024", "followup_2025")
COMPARISON_WAVE = "comparison_2025"


def frame(database: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).df()


def covariate_answers(database: Path) -> pd.DataFrame:
    return frame(
        database,
        """
        select a.wave_code, a.wave_type, a.response_key, a.item_code, a.value_numeric
        from marts.fct_answers a
        join catalog.covariates c using (item_code)
        where a.is_counted
        """,
    )


def test_every_counted_respondent_has_every_covariate_as_a_number(
    demo_warehouse_path: Path,
) -> None:
    covariates = set(load_catalog().covariates)
    answers = covariate_answers(demo_warehouse_path)
    assert answers["value_numeric"].notna().all()
    responses = frame(
        demo_warehouse_path,
        """
        select wave_code, response_key from marts.fct_responses
        where is_counted and wave_type in ('followup', 'comparison')
        """,
    )
    for wave_code in (*FOLLOWUP_WAVES, COMPARISON_WAVE):
        expected = set(responses.loc[responses.wave_code == wave_code, "response_key"])
        assert expected, wave_code
        of_wave = answers[answers.wave_code == wave_code]
        per_response = of_wave.groupby("response_key")["item_code"].apply(set)
        assert set(per_response.index) == expected
        assert all(items == covariates for items in per_response)


def test_the_panel_answers_lie_inside_its_screening(demo_warehouse_path: Path) -> None:
    catalog = load_catalog()
    answers = covariate_answers(demo_warehouse_path)
    panel = answers[answers.wave_code == COMPARISON_WAVE]
    assert len(panel) == 309 * len(catalog.covariates)
    for row in panel.itertuples(index=False):
        assert catalog.covariates[row.item_code].meets_screening(int(row.value_numeric))


def test_the_engine_publishes_no_figure_on_a_covariate(demo_warehouse_path: Path) -> None:
    for model in ("marts.fct_indicator_results", "reporting.rpt_outcome_results"):
        published = frame(
            demo_warehouse_path,
            f"select count(*) as n from {model} "
            "where item_code in (select item_code from catalog.covariates)",
        )
        assert published.n.iloc[0] == 0, model
