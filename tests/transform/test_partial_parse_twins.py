"""An edited engine twin must not break the next build's saved parse.

The statistics models have one file per engine with the same model name (the DuckDB Python
model, and SQL twins in marts/postgres and marts/spark that only their engine enables).
dbt 1.11's partial parsing loses the enabled model when a disabled twin changes ("…
depends on … which is not in the graph"); the runner then parses the project in full.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR, run_dbt

# Two full builds of a project copy per engine: the end-to-end tier.
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("engine_folder", ["postgres", "spark"])
def test_editing_a_disabled_twin_keeps_the_build_parsing(
    engine_folder: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    target = tmp_path / "target"
    database = tmp_path / "audit.duckdb"
    run_dbt(["parse"], paths(), project_dir=project, target_path=target, duckdb_path=database)
    assert (target / "partial_parse.msgpack").is_file()

    twins = sorted((project / "models" / "marts" / engine_folder).glob("*.sql"))
    assert twins, f"no engine twins in marts/{engine_folder}"
    with twins[0].open("a", encoding="utf-8") as model:
        model.write("\n-- edited\n")

    with caplog.at_level(logging.WARNING, logger="impact_warehouse.transform.dbt_runner"):
        # run_dbt raises DbtRunError when dbt fails: before the fallback it did, here.
        listed = run_dbt(
            ["ls", "--resource-type", "model", "--output", "name"],
            paths(),
            project_dir=project,
            target_path=target,
            duckdb_path=database,
        )
    assert "parsing in full" in caplog.text  # the saved parse failed and was replaced
    names = set(listed.result)
    assert twins[0].stem in names  # the DuckDB model of the edited twin's name is listed
    assert {"rpt_voice_quotes", "fct_indicator_results"} <= names
