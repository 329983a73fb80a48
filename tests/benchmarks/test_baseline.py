"""The baseline script computes the same counts as the warehouse on a small landing."""

from pathlib import Path

import duckdb
import pytest

from impact_warehouse.benchmarks.baseline import RESULT_TABLE, baseline_sql, run_baseline
from impact_warehouse.benchmarks.scale_data import landed_scale
from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import run_dbt

COVERED_MEASURES = ("agree", "yes", "confident", "high", "anxious", "strongly_anxious", "mean")
KEY = ["fiscal_year", "program_code", "wave_type", "item_code", "measure"]


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Demo data at 1× landed by the benchmark's landing path, and the warehouse models up to
    fct_indicator_results (seeds and models only: the data tests are not what is compared)."""
    work = tmp_path_factory.mktemp("bench-scale")
    landed = landed_scale(work, 1)
    warehouse = work / "warehouse.duckdb"
    run_dbt(
        [
            "build",
            "--select",
            "+fct_indicator_results",
            "--resource-type",
            "model",
            "--resource-type",
            "seed",
        ],
        paths(),
        target_path=work / "target",
        duckdb_path=warehouse,
        landing_dir=landed.landing,
    )
    baseline = work / "baseline.duckdb"
    assert run_baseline(landed.landing, baseline)["rows"] > 0
    return warehouse, baseline


def _rows(database: Path, query: str) -> dict[tuple, tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(query).fetchall()}


def test_baseline_matches_fct_indicator_results(small_build: tuple[Path, Path]) -> None:
    warehouse, baseline = small_build
    columns = ", ".join([*KEY, "numerator", "denominator", "value", "ci_lower", "ci_upper"])
    measures = ", ".join(f"'{measure}'" for measure in COVERED_MEASURES)
    expected = _rows(
        warehouse,
        f"select {columns} from marts.fct_indicator_results where measure in ({measures}) "
        # The baseline covers the per-wave respondents, and means of hours items only.
        "and population = 'respondents' and (measure <> 'mean' or scale_code = 'hours')",
    )
    actual = _rows(baseline, f"select {columns} from {RESULT_TABLE}")
    assert len(expected) > 100
    assert actual.keys() == expected.keys()
    for key, (numerator, denominator, value, ci_lower, ci_upper) in expected.items():
        got = actual[key]
        assert (got[0], got[1]) == (numerator, denominator), key
        assert got[2] == pytest.approx(value, abs=1e-12), key
        if key[-1] != "mean":  # the baseline leaves out the t interval of means
            assert got[3] == pytest.approx(ci_lower, abs=1e-12), key
            assert got[4] == pytest.approx(ci_upper, abs=1e-12), key


def test_script_placeholders_are_all_filled(tmp_path: Path) -> None:
    sql = baseline_sql(tmp_path / "it's landing")
    assert "${" not in sql
    assert "it''s landing" in sql
