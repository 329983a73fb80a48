"""The catalog as dbt seeds it: the project's own seeds folder, or a staged copy of another.

The seeds are the organisation's catalog (``settings.catalog``). For a catalog outside
``dbt_project/seeds/`` the runner (:mod:`.dbt_runner`) has its CSV files copied, with the
project's seed properties (column types, tests, docs), into ``<work>/dbt/catalog_seeds/`` and
points ``seed-paths`` there through ``IMPACT_DBT_SEED_PATH`` (dbt wants seed paths relative to
the project).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from impact_warehouse.catalog.voices import SEED_HEADERS as VOICE_SEED_HEADERS
from impact_warehouse.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PROJECT_SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
# Seed properties belong to the project, not to an organisation: every catalog gets them.
SEED_PROPERTY_PATTERNS = ("_*.yml", "_*.md")
# Optional catalog files a model refs: a catalog without one is seeded with its header only,
# so the models that read it build empty instead of failing (METRICS.md "Adjusted estimates":
# no covariates, no adjusted comparison).
OPTIONAL_SEED_HEADERS = {
    "covariates.csv": b"item_code,covariate_ja,covariate_en,panel_screening_values,display_order\n",
    **{name: header.encode("utf-8") for name, header in VOICE_SEED_HEADERS.items()},
}


def seed_path_for(catalog: Path, dbt_work: Path, project: Path = DBT_PROJECT_DIR) -> str:
    """The ``seed-paths`` entry, relative to the dbt project, that seeds ``catalog``.

    The project's own seeds folder is used as it is. Another catalog is copied, with the seed
    property files of ``project`` (another copy of the project, a benchmark's older commit,
    brings its own tests), into ``<dbt_work>/catalog_seeds/<digest>/``, named by the
    content it holds: a copy, so the build seeds exactly the files that were there when it
    started, and one per content, so two builds at once (a DAG run and ``impact build``)
    never empty a folder the other is seeding from. It is moved into place whole.
    """
    catalog = catalog.resolve()
    project_seeds = project / "seeds"
    # The built-in catalog is a project's own seeds folder: another copy of the project
    # seeds the catalog it carries (a test's renamed codes, an older commit's files).
    if catalog in (PROJECT_SEEDS_DIR.resolve(), project_seeds.resolve()):
        return "seeds"
    if not catalog.is_dir():
        raise FileNotFoundError(f"catalog folder {catalog} does not exist (IMPACT_CATALOG_DIR)")
    sources = sorted(catalog.glob("*.csv")) + [
        source
        for pattern in SEED_PROPERTY_PATTERNS
        for source in sorted(project_seeds.glob(pattern))
    ]
    contents = {source.name: _without_bom(source.read_bytes()) for source in sources}
    # Optional seeds (the voices) the models read: a catalog without them gets their header,
    # so the voice tables build empty and the report shows no voices.
    for name, header in OPTIONAL_SEED_HEADERS.items():
        contents.setdefault(name, header)
    digest = hashlib.sha256()
    for name, data in sorted(contents.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    overlays = dbt_work.resolve() / "catalog_seeds"
    overlay = overlays / digest.hexdigest()[:16]
    if not overlay.is_dir():
        overlays.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=overlays))
        for name, data in contents.items():
            (staging / name).write_bytes(data)
        try:
            staging.rename(overlay)
        except OSError:  # another build put the same content in place first
            shutil.rmtree(staging)
    return os.path.relpath(overlay, project.resolve())


def _without_bom(data: bytes) -> bytes:
    """The file without the byte-order mark Excel's "CSV UTF-8" writes first: the catalog's
    Python readers skip it, and dbt would read it into the first column's name."""
    return data.removeprefix(b"\xef\xbb\xbf")
