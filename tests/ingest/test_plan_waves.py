from datetime import date

from impact_warehouse.catalog import load_catalog
from impact_warehouse.pipeline.ingest import plan_form_waves

CATALOG = load_catalog()
TODAY = date(2026, 11, 23)


def test_a_monthly_run_pulls_the_waves_open_in_its_interval():
    planned = plan_form_waves(CATALOG, date(2026, 1, 1), date(2026, 2, 1), as_of=TODAY)
    assert planned == ["mamabono_2025_post", "followup_2025", "npo_mentoring_2025_post"]


def test_a_month_with_no_open_wave_pulls_nothing():
    assert plan_form_waves(CATALOG, date(2025, 5, 1), date(2025, 6, 1), as_of=TODAY) == []


def test_backfill_pulls_every_survey_platform_wave_that_has_opened():
    planned = plan_form_waves(CATALOG, TODAY, TODAY, as_of=TODAY, all_waves=True)
    assert "mamabono_2022_pre" in planned and "mamabono_2026_pre" in planned
    assert "mamabono_2026_post" not in planned  # opens 2026-12-11
    assert "comparison_2025" not in planned  # a panel file, not a form


def test_trigger_parameters_narrow_the_plan():
    planned = plan_form_waves(
        CATALOG, TODAY, TODAY, as_of=TODAY, all_waves=True, fiscal_year=2025, program="mamabono"
    )
    assert planned == ["mamabono_2025_pre", "mamabono_2025_post", "followup_2025"]
    only = plan_form_waves(CATALOG, TODAY, TODAY, as_of=TODAY, all_waves=True, wave="followup_2024")
    assert only == ["followup_2024"]
