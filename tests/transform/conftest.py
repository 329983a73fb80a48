"""Shared warehouse fixtures: land demo data and build the dbt project once per seed.

Landing and building take ~15 s, so every transform test module reads the same builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from impact_warehouse import ingest
from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import Paths
from impact_warehouse.sources.google_forms import FormsApiConfig
from impact_warehouse.transform.dbt_runner import DbtRun, run_dbt

DEMO_AS_OF = date(2026, 11, 23)
_TOKEN = "transform-tests"


def land_demo(root: Path, *, seed: int, as_of: date = DEMO_AS_OF) -> Path:
    """Generate demo sources and land them through the real ingest; returns the landing dir."""
    generate_demo_sources(root / "sources", seed=seed, as_of=as_of)
    settings = Paths.for_work_dir(root / "work", root / "sources" / "inbox")
    waves = ingest.plan_form_waves(load_catalog(), as_of, as_of, as_of=as_of, all_waves=True)
    with FormsApiServer(root / "sources" / "google_forms", token=_TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, f"demo-seed-{seed}", units)
    return settings.landing


@dataclass(frozen=True)
class DemoBuild:
    landing: Path
    run: DbtRun

    @property
    def database(self) -> Path:
        return self.run.duckdb_path


def build_warehouse(landing: Path, out: Path, name: str = "warehouse") -> DbtRun:
    database = out / f"{name}.duckdb"
    target = out / f"{name}-target"
    return run_dbt(["build"], target_path=target, duckdb_path=database, landing_dir=landing)


@pytest.fixture(scope="session")
def demo_warehouse_for_seed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[int], DemoBuild]:
    """Landing dir and dbt build of a demo seed, built once per session."""
    built: dict[int, DemoBuild] = {}

    def get(seed: int) -> DemoBuild:
        if seed not in built:
            root = tmp_path_factory.mktemp(f"demo-seed-{seed}")
            landing = land_demo(root, seed=seed)
            built[seed] = DemoBuild(landing, build_warehouse(landing, root))
        return built[seed]

    return get


@pytest.fixture(scope="session")
def demo_warehouse_path(demo_warehouse_for_seed: Callable[[int], DemoBuild]) -> Path:
    """The warehouse built from the default demo seed (2025)."""
    return demo_warehouse_for_seed(2025).database


@pytest.fixture(scope="session")
def warehouse_builder() -> Callable[[Path, Path, str], DbtRun]:
    """Build the dbt project from a landing dir into a new DuckDB file."""
    return build_warehouse
