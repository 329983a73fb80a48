"""Which demo generator a catalog uses, decided by its data (``organisation.csv`` demo_data).

The built-in generator reproduces Mamabono's FY2025 report figures and its injected dirt;
the profile generator (``demo.generic``) serves any other catalog from its ``demo/`` files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from impact_warehouse.demo.generic.profile import PROFILE_GENERATOR, demo_generator_of
from impact_warehouse.settings import catalog_dir as configured_catalog_dir


def generate_for_catalog(
    out_dir: Path,
    *,
    seed: int = 2025,
    as_of: date | None = None,
    scale: int = 1,
    catalog_dir: Path | None = None,
) -> dict[str, Any]:
    """Write the demo sources of ``catalog_dir`` (default: the configured catalog)."""
    catalog_dir = catalog_dir or configured_catalog_dir()
    if demo_generator_of(catalog_dir) == PROFILE_GENERATOR:
        from impact_warehouse.demo.generic import generate_profile_sources

        if scale != 1:
            raise ValueError("the profile demo has no scale: set cohort sizes in demo/cohorts.csv")
        return generate_profile_sources(out_dir, catalog_dir, seed=seed, as_of=as_of)
    from impact_warehouse.catalog import load_catalog
    from impact_warehouse.demo.generator import generate_demo_sources

    catalog = load_catalog(catalog_dir)
    return generate_demo_sources(
        out_dir, seed=seed, as_of=as_of, scale=scale, catalog=catalog, catalog_dir=catalog_dir
    )
