"""The shipped example organisation runs through the whole pipeline with no code edit.

Demo sources from its profile → the real ingest → ``dbt build`` on its catalog
(``IMPACT_CATALOG_DIR``-style, through ``run_dbt([…], paths(), catalog_dir=…)``) → its items and
indicators are in the marts, and none of Mamabono's names is in its warehouse catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.sources import generate_for_catalog
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths
from impact_warehouse.sources.google_forms import FormsApiConfig
from impact_warehouse.transform.dbt_runner import DbtRunError, NodeFailure, run_dbt

# The end-to-end tier (make test-all): the example organisation's whole pipeline
pytestmark = pytest.mark.slow

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
AS_OF = date(2026, 4, 30)
_TOKEN = "example-tests"
MAMABONO_NAMES = re.compile(r"ママボノ|mamabono|\bNEXT\b|サービスグラント|service grant", re.I)


@dataclass(frozen=True)
class ExampleBuild:
    catalog: Catalog
    database: Path
    failures: list[NodeFailure | str]


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> ExampleBuild:
    root = tmp_path_factory.mktemp("example")
    catalog = load_catalog(EXAMPLE)
    generate_for_catalog(root / "sources", as_of=AS_OF, catalog_dir=EXAMPLE)
    settings = Settings.for_work_dir(root / "work", root / "sources" / "inbox", EXAMPLE)
    waves = ingest.plan_form_waves(catalog, AS_OF, AS_OF, as_of=AS_OF, all_waves=True)
    with FormsApiServer(root / "sources" / "google_forms", token=_TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, "example", units)
    database = root / "warehouse.duckdb"
    failures: list[NodeFailure | str] = []
    try:
        run_dbt(
            ["build"],
            paths(),
            target_path=root / "target",
            duckdb_path=database,
            landing_dir=settings.landing,
            catalog_dir=EXAMPLE,
        )
    except DbtRunError as error:
        # A run that stops before any node (a compilation error) has no node failures: the
        # error itself is the failure then, so the build test cannot pass on a missing build.
        failures = list(error.failures) or [str(error)]
    return ExampleBuild(catalog, database, failures)


def _query(build: ExampleBuild, sql: str) -> list[tuple]:
    with duckdb.connect(str(build.database), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def _outcome_items(catalog: Catalog) -> set[str]:
    return {code for code, item in catalog.items.items() if item.section == "outcome"}


def test_every_model_and_test_builds_on_the_example_catalog(example_build: ExampleBuild) -> None:
    assert [str(failure) for failure in example_build.failures] == []


def test_the_example_seeds_are_the_warehouse_catalog(example_build: ExampleBuild) -> None:
    programs = {
        row[0] for row in _query(example_build, "select program_code from catalog.programs")
    }
    assert programs == {"career_school", "peer_circle"}
    measures = _query(
        example_build,
        "select measure_code, good_direction from catalog.scale_measures "
        "where scale_code = 'lonely5'",
    )
    assert measures == [("lonely", "lower")]


def test_every_outcome_item_and_wave_type_has_counted_answers(
    example_build: ExampleBuild,
) -> None:
    counted = set(
        _query(
            example_build,
            "select distinct item_code, wave_type from marts.fct_answers where is_counted",
        )
    )
    expected = {
        (code, wave_type)
        for code in _outcome_items(example_build.catalog)
        for wave_type in example_build.catalog.items[code].asked_in
    }
    assert expected - counted == set()


def test_the_0_to_10_score_keeps_zero_and_the_loneliness_scale_is_numeric(
    example_build: ExampleBuild,
) -> None:
    rows = dict(
        _query(
            example_build,
            """
            select item_code, min(value_numeric) || '-' || max(value_numeric)
            from marts.fct_answers
            where is_counted and item_code in ('recommend_score', 'lonely_feeling')
            group by item_code
            """,
        )
    )
    assert rows["lonely_feeling"] == "1.0-5.0"
    assert rows["recommend_score"].startswith(("0.0-", "1.0-"))


def test_every_outcome_item_reaches_fct_indicator_results(example_build: ExampleBuild) -> None:
    published = {
        row[0]
        for row in _query(
            example_build, "select distinct item_code from marts.fct_indicator_results"
        )
    }
    assert _outcome_items(example_build.catalog) - published == set()


def test_no_mamabono_name_in_the_example_warehouse_catalog(example_build: ExampleBuild) -> None:
    columns = _query(
        example_build,
        """
        select table_name, column_name from information_schema.columns
        where table_schema = 'catalog' and data_type = 'VARCHAR'
        """,
    )
    found = []
    for table, column in columns:
        for (value,) in _query(example_build, f'select distinct "{column}" from catalog."{table}"'):
            if value is not None and MAMABONO_NAMES.search(value):
                found.append(f"catalog.{table}.{column}: {value}")
    assert columns and found == []


def test_no_mamabono_name_in_the_example_files() -> None:
    found = [
        f"{path.relative_to(EXAMPLE)}:{number}"
        for path in sorted(EXAMPLE.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MAMABONO_NAMES.search(line)
    ]
    assert found == []


def test_without_covariates_the_adjusted_comparison_tables_exist_empty(
    example_build: ExampleBuild,
) -> None:
    # The example has no covariates.csv: the runner seeds its header, the models build empty.
    assert not (EXAMPLE / "covariates.csv").exists()
    for table in (
        "marts.fct_comparison_adjusted",
        "marts.fct_covariate_balance",
        "reporting.rpt_comparison_adjusted",
        "reporting.rpt_covariate_balance",
    ):
        assert _query(example_build, f"select count(*) from {table}") == [(0,)], table
    for table in ("reporting.rpt_nonresponse_balance", "reporting.rpt_nonresponse_weighted_shares"):
        _query(example_build, f"select count(*) from {table}")  # built, whatever its rows
