"""Fixtures of the panel bad-input corpus (helpers in panel_support.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from panel_support import WAVE, PanelInbox

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.generator.panel import headers as panel_headers


@pytest.fixture(scope="session")
def catalog_headers() -> list[str]:
    catalog = load_catalog()
    return panel_headers(catalog, catalog.waves[WAVE])


@pytest.fixture
def inbox(tmp_path: Path, catalog_headers: list[str]) -> PanelInbox:
    return PanelInbox(tmp_path, catalog_headers)


@pytest.fixture
def with_good(inbox: PanelInbox) -> Callable[[], dict[str, dict[str, Any]]]:
    """Write the good delivery, land everything, check the good file landed whole."""

    def land() -> dict[str, dict[str, Any]]:
        inbox.write_good()
        summaries = inbox.land()
        inbox.assert_good_file_landed()
        return summaries

    return land
