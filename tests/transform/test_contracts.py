"""The published SQL tables keep their contracts: DuckDB builds them with the declared column
types and constraints, and dbt refuses a model whose columns drift from its contract."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from impact_warehouse.settings import paths
from impact_warehouse.transform.dbt_runner import DBT_PROJECT_DIR, DbtRunError, run_dbt

if TYPE_CHECKING:  # the suite's root conftest; imported by name only for the type
    from conftest import DemoBuild

PUBLISHED_FOLDERS = ("models/marts/", "models/reporting/")
PER_PERSON = {"fct_answers", "fct_responses", "fct_paired_scores", "fct_participation"}


# Published tables whose columns follow the catalog (one share_<measure_code> column per share
# measure of scale_measures.csv): another organisation's catalog gives other columns, so a
# contract would refuse it (tests/examples builds such a catalog). Their keys are data tests.
CATALOG_SHAPED = {"rpt_pre_post_confidence"}


def published_models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["name"].startswith(("fct_", "rpt_"))
        and node["original_file_path"].startswith(PUBLISHED_FOLDERS)
    }


@pytest.fixture(scope="module")
def demo(demo_warehouse_for_seed: Callable[[int], DemoBuild]) -> DemoBuild:
    return demo_warehouse_for_seed(2025)


@pytest.fixture(scope="module")
def manifest(demo: DemoBuild) -> dict[str, Any]:
    return json.loads((demo.run.target_path / "manifest.json").read_text(encoding="utf-8"))


def test_every_published_sql_table_has_an_enforced_contract(manifest: dict[str, Any]) -> None:
    models = published_models(manifest)
    sql = {name: node for name, node in models.items() if node["language"] == "sql"}
    python = {name for name, node in models.items() if node["language"] == "python"}

    assert len(sql) >= 30 and python  # both kinds are published
    unenforced = {name for name, node in sql.items() if not node["config"]["contract"]["enforced"]}
    assert unenforced == CATALOG_SHAPED
    untyped = [
        f"{name}.{column}"
        for name, node in sql.items()
        for column, spec in node["columns"].items()
        if not spec.get("data_type")
    ]
    assert untyped == []
    # dbt cannot enforce a contract on a Python model: their tests stay data tests.
    assert [name for name in python if models[name]["config"]["contract"]["enforced"]] == []


def test_the_built_tables_have_the_declared_types_and_keys(
    manifest: dict[str, Any], demo: DemoBuild
) -> None:
    sql = {n: node for n, node in published_models(manifest).items() if node["language"] == "sql"}
    with duckdb.connect(str(demo.database), read_only=True) as con:
        built = con.execute(
            "select table_name, column_name, lower(data_type) from information_schema.columns"
            " where table_schema in ('marts', 'reporting')"
        ).fetchall()
        keys = dict(
            con.execute(
                "select table_name, constraint_column_names[1] from duckdb_constraints()"
                " where constraint_type = 'PRIMARY KEY' and schema_name in ('marts', 'reporting')"
            ).fetchall()
        )
    types = {(table, column): data_type for table, column, data_type in built}
    declared = {
        (name, column): spec["data_type"]
        for name, node in sql.items()
        for column, spec in node["columns"].items()
    }
    assert {key: types.get(key) for key in declared} == declared
    primary_keys = {
        name: column
        for name, node in sql.items()
        for column, spec in node["columns"].items()
        if any(constraint["type"] == "primary_key" for constraint in spec["constraints"])
    }
    # A row per answer or person: those keep the unique test (an index costs more at scale).
    assert set(sql) - set(primary_keys) == PER_PERSON | CATALOG_SHAPED
    assert {name: keys.get(name) for name in primary_keys} == primary_keys


def test_dbt_refuses_a_model_whose_columns_drift_from_its_contract(
    demo: DemoBuild, tmp_path: Path
) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml")
    )
    properties = project / "models" / "marts" / "responses" / "_marts_responses__models.yml"
    text = properties.read_text(encoding="utf-8")
    declared = "      - name: linkage_rate\n        data_type: double\n"
    assert text.count(declared) == 1
    properties.write_text(
        text.replace(declared, "      - name: linkage_rate\n        data_type: float\n"),
        encoding="utf-8",
    )
    database = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo.database, database)

    with pytest.raises(DbtRunError) as refused:
        run_dbt(
            ["run", "--select", "fct_response_rates"],
            paths(),
            target_path=tmp_path / "target",
            duckdb_path=database,
            landing_dir=demo.landing,
            project_dir=project,
        )

    assert "fct_response_rates" in str(refused.value)
    assert "contract" in " ".join(failure.message for failure in refused.value.failures)


def test_other_engines_keep_the_tests_instead_of_the_contract(tmp_path: Path) -> None:
    """The Jinja in contract.enforced and in the tests' enabled renders to booleans: on
    PostgreSQL (types of its own) no contract is enforced and every key test runs."""
    run = run_dbt(["parse"], paths(), target_path=tmp_path / "target", profile_target="postgres")
    manifest = json.loads((run.target_path / "manifest.json").read_text(encoding="utf-8"))
    models = published_models(manifest)
    enforced = [name for name, node in models.items() if node["config"]["contract"]["enforced"]]
    key_tests = {
        manifest["nodes"][node["attached_node"]]["name"]: node["config"]["enabled"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "unique"
        and node.get("attached_node") in {model["unique_id"] for model in models.values()}
    }

    assert enforced == []
    assert len(key_tests) >= 30 and all(key_tests.values())
