"""Fixtures for end-to-end ingest tests: generated demo sources and the local Forms API."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.generator import generate_demo_sources
from impact_warehouse.pipeline import ingest
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

AS_OF = date(2026, 11, 23)
TOKEN = secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def demo_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo_sources")
    generate_demo_sources(out, seed=2025, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def manifest(demo_sources: Path) -> dict[str, Any]:
    return json.loads((demo_sources / "manifest.json").read_text(encoding="utf-8"))


def _settings(work: Path, inbox: Path) -> Settings:
    return Settings.for_work_dir(work, inbox)


@pytest.fixture
def settings(tmp_path: Path, demo_sources: Path) -> Settings:
    return _settings(tmp_path / "work", demo_sources / "inbox")


@pytest.fixture
def make_settings() -> Callable[[Path, Path], Settings]:
    return _settings


@pytest.fixture
def server(demo_sources: Path) -> Iterator[FormsApiServer]:
    with FormsApiServer(demo_sources / "google_forms", token=TOKEN) as running:
        yield running


@pytest.fixture
def api_config(server: FormsApiServer) -> Callable[..., FormsApiConfig]:
    def make(**overrides: Any) -> FormsApiConfig:
        options = {"timeout_seconds": 10.0, "backoff_base_seconds": 0.01, **overrides}
        return FormsApiConfig(base_url=server.url, token=TOKEN, **options)

    return make


@pytest.fixture(scope="session")
def planned_waves() -> list[str]:
    return ingest.plan_form_waves(load_catalog(), AS_OF, AS_OF, as_of=AS_OF, all_waves=True)


@pytest.fixture
def run_ingest(planned_waves: list[str]) -> Callable[..., dict[str, Any]]:
    """The same sequence the DAG runs, in process."""

    def run(settings: Settings, config: FormsApiConfig, run_id: str = "test") -> dict[str, Any]:
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in planned_waves]
        return ingest.finish_run(settings, run_id, units)

    return run
