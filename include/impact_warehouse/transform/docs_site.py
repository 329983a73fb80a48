"""The dbt docs site kept with each release: what every published table and column means.

``dbt docs generate --static`` writes one self-contained HTML file (manifest and catalog
inlined) that opens offline from the release folder, so an analyst reading a release years
later reads the descriptions of that release's tables, not today's. The machine-readable
``manifest.json`` and ``catalog.json`` go beside it for tools. The site covers the whole
project, so the lineage of a published table can be followed back to the landed answers;
only the ``catalog``, ``marts`` and ``reporting`` schemas are in the release file.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from impact_warehouse.settings import Settings
from impact_warehouse.transform.dbt_runner import DbtRunError, run_dbt

log = logging.getLogger(__name__)

DOCS_FOLDER = "docs"
# dbt's single-file site is renamed index.html so the folder opens like any website.
_ARTIFACTS = {
    "static_index.html": "index.html",
    "manifest.json": "manifest.json",
    "catalog.json": "catalog.json",
}


def write_docs_site(
    destination: Path,
    *,
    audit_db: Path,
    settings: Settings,
) -> Path:
    """Generate the docs of the warehouse in ``audit_db`` into ``destination`` (a new folder).

    ``parse`` then ``docs generate --no-compile``: descriptions, columns, lineage and the
    catalog (types, row counts) are what analysts need; compiling every model again would
    take several times longer for the compiled SQL text alone. ``--no-compile`` reads the
    manifest that ``parse`` just wrote to the same target folder, dbt's working folder for
    docs in ``settings`` (apart from the build's, which keeps its run_results and no manifest).
    """
    if destination.exists():
        raise FileExistsError(f"docs folder already exists: {destination}")
    target = settings.work / "dbt" / "target-docs"
    locations = {"target_path": target, "duckdb_path": audit_db}
    run_dbt(["parse"], settings, **locations)
    run_dbt(["docs", "generate", "--static", "--no-compile"], settings, **locations)
    building = destination.with_name(f".{destination.name}-building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    for produced, published in _ARTIFACTS.items():
        shutil.copyfile(target / produced, building / published)
    building.rename(destination)  # the folder appears complete or not at all
    return destination


def add_docs_to_release(
    release_directory: Path, *, audit_db: Path, settings: Settings
) -> Path | None:
    """Write ``<release>/docs/`` into a release being assembled; a failure is logged, not raised.

    Runs before the release is listed or published (``publish_release(attach=…)``). The docs
    describe the figures, they are not figures: a dbt docs failure must not keep a release that
    passed its gate from analysts, so the release goes out without its docs site and says so
    in the log.
    """
    try:
        return write_docs_site(
            release_directory / DOCS_FOLDER,
            audit_db=audit_db,
            settings=settings,
        )
    except (DbtRunError, OSError) as error:
        log.warning(
            "release %s published without its dbt docs site: %s", release_directory.name, error
        )
        return None
