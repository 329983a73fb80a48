"""Shared warehouse fixtures: land demo data and build the dbt project once per seed.

Landing and building take ~15 s, so every transform test module reads the same builds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from impact_warehouse import ingest
from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.settings import Paths
from impact_warehouse.sources.google_forms import FormsApiConfig
from impact_warehouse.transform.dbt_runner import run_dbt

DEMO_AS_OF = date(2026, 11, 23)
_TOKEN = "transform-tests"


def land_demo(root: Path, *, seed: int, as_of: date = DEMO_AS_OF) -> Path:
    """Generate demo sources and land them through the real ingest; returns the landing dir."""
    generate_demo_sources(root / "sources", seed=seed, as_of=as_of)
    settings = Paths(
        work=root / "work",
        landing=root / "work" / "landing",
        vault=root / "work" / "vault",
        inbox=root / "sources" / "inbox",
        demo_sources=root / "sources",
        secrets=root / "work" / "secrets",
    )
    waves = ingest.plan_form_waves(load_catalog(), as_of, as_of, as_of=as_of, all_waves=True)
    with FormsApiServer(root / "sources" / "google_forms", token=_TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, f"demo-seed-{seed}", units)
    return settings.landing


def build_warehouse(landing: Path, out: Path, name: str = "warehouse") -> Path:
    database = out / f"{name}.duckdb"
    run_dbt(
        ["build"], target_path=out / f"{name}-target", duckdb_path=database, landing_dir=landing
    )
    return database


@pytest.fixture(scope="session")
def demo_warehouse_for_seed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[int], tuple[Path, Path]]:
    """(landing dir, built DuckDB file) for a demo seed, built once per session."""
    built: dict[int, tuple[Path, Path]] = {}

    def get(seed: int) -> tuple[Path, Path]:
        if seed not in built:
            root = tmp_path_factory.mktemp(f"demo-seed-{seed}")
            landing = land_demo(root, seed=seed)
            built[seed] = (landing, build_warehouse(landing, root))
        return built[seed]

    return get


@pytest.fixture(scope="session")
def demo_warehouse_path(demo_warehouse_for_seed: Callable[[int], tuple[Path, Path]]) -> Path:
    """The warehouse built from the default demo seed (2025)."""
    return demo_warehouse_for_seed(2025)[1]


@pytest.fixture(scope="session")
def warehouse_builder() -> Callable[[Path, Path, str], Path]:
    """Build the dbt project from a landing dir into a new DuckDB file."""
    return build_warehouse
