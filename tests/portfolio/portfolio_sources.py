"""Two organisations' published releases, and the funder's folder naming them (helpers
of conftest.py and the tests).

Mamabono: the session's demo build (seed 2025, tests/conftest.py). The example organisation
(examples/hataraku_women): its demo sources through the real ingest and ``dbt build`` on its
catalog, as tests/examples/test_example_pipeline.py does. Each build is published the way
``impact publish`` keeps a release (``publish_release``) into its own releases folder, for
fiscal year 2025, the latest year both demos have complete.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from impact_warehouse.catalog import load_catalog
from impact_warehouse.demo.forms_api_server import FormsApiServer
from impact_warehouse.demo.sources import generate_for_catalog
from impact_warehouse.pipeline import ingest
from impact_warehouse.publish.releases import Release, publish_release
from impact_warehouse.settings import PROJECT_ROOT, Settings, paths
from impact_warehouse.sources.google_forms import FormsApiConfig
from impact_warehouse.transform.dbt_runner import run_dbt

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
FUNDER_FOLDER = PROJECT_ROOT / "examples" / "portfolio"
EXAMPLE_AS_OF = date(2026, 4, 30)
FISCAL_YEAR = 2025
_TOKEN = "portfolio-tests"


@dataclass(frozen=True)
class OrganisationRelease:
    organisation_code: str
    catalog_dir: Path
    releases_dir: Path
    release: Release


@dataclass(frozen=True)
class Sources:
    mamabono: OrganisationRelease
    example: OrganisationRelease
    audit_db: Path  # Mamabono's audit warehouse the release was kept from

    @property
    def both(self) -> tuple[OrganisationRelease, OrganisationRelease]:
        return (self.mamabono, self.example)


def publish(audit_db: Path, root: Path) -> tuple[Path, Release]:
    releases_dir = root / "releases"
    release = publish_release(
        audit_db,
        fiscal_year=FISCAL_YEAR,
        run_id=f"portfolio-tests-{root.name}",
        gate_result={"passed": True, "source": "tests/portfolio (no gate run)"},
        releases_dir=releases_dir,
        published_path=root / "published" / "warehouse.duckdb",
    )
    return releases_dir, release


def build_example(root: Path) -> Path:
    catalog = load_catalog(EXAMPLE)
    generate_for_catalog(root / "sources", as_of=EXAMPLE_AS_OF, catalog_dir=EXAMPLE)
    settings = Settings.for_work_dir(root / "work", root / "sources" / "inbox", EXAMPLE)
    waves = ingest.plan_form_waves(
        catalog, EXAMPLE_AS_OF, EXAMPLE_AS_OF, as_of=EXAMPLE_AS_OF, all_waves=True
    )
    with FormsApiServer(root / "sources" / "google_forms", token=_TOKEN) as server:
        config = FormsApiConfig(base_url=server.url, token=_TOKEN, backoff_base_seconds=0.01)
        units = [*ingest.land_operations(settings), *ingest.land_panels(settings)]
        units += [ingest.land_form_wave(settings, wave, config) for wave in waves]
    ingest.finish_run(settings, "portfolio-example", units)
    database = root / "warehouse.duckdb"
    run_dbt(
        ["build"],
        paths(),
        target_path=root / "target",
        duckdb_path=database,
        landing_dir=settings.landing,
        catalog_dir=EXAMPLE,
    )
    return database


def write_funder_folder(
    folder: Path, organisations: tuple[OrganisationRelease, ...] | list[tuple[str, Path, Path]]
) -> Path:
    """The shipped common indicators and a portfolio.csv naming these organisations."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FUNDER_FOLDER / "common_indicators.csv", folder / "common_indicators.csv")
    rows = [
        (entry.organisation_code, entry.catalog_dir, entry.releases_dir)
        if isinstance(entry, OrganisationRelease)
        else entry
        for entry in organisations
    ]
    with (folder / "portfolio.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["organisation_code", "catalog_dir", "releases_dir"])
        writer.writerows([code, str(catalog), str(releases)] for code, catalog, releases in rows)
    return folder
