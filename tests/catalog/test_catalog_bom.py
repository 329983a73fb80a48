"""A catalog saved as Excel's "CSV UTF-8" (a byte-order mark first, as the README and the
catalog's own error messages advise) reads as the same catalog everywhere: before, items.csv
was "line 2: column 'item_code' is empty" and a BOM in wave_types.csv passed the check and
then stopped publishing with a KeyError."""

from __future__ import annotations

import shutil
from pathlib import Path

from impact_warehouse.catalog import load_catalog
from impact_warehouse.catalog.translations import untranslated_cells
from impact_warehouse.notify.labels import catalog_labels
from impact_warehouse.settings import PROJECT_ROOT
from impact_warehouse.transform.catalog_seeds import DBT_PROJECT_DIR, seed_path_for

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"
BOM = b"\xef\xbb\xbf"


def _with_bom(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog)
    for path in catalog.glob("*.csv"):
        path.write_bytes(BOM + path.read_bytes())
    return catalog


def test_a_catalog_saved_with_a_bom_reads_as_without(tmp_path: Path) -> None:
    catalog = _with_bom(tmp_path)

    with_bom, without = load_catalog(catalog), load_catalog(EXAMPLE)

    assert with_bom.items == without.items
    assert with_bom.waves == without.waves
    assert with_bom.scales == without.scales
    assert with_bom.organisation == without.organisation
    assert catalog_labels(catalog) == catalog_labels(EXAMPLE)
    assert untranslated_cells(catalog) == untranslated_cells(EXAMPLE)


def test_dbt_seeds_a_catalog_without_its_bom(tmp_path: Path) -> None:
    staged = DBT_PROJECT_DIR / seed_path_for(_with_bom(tmp_path), tmp_path / "dbt")

    files = sorted(staged.glob("*.csv"))
    assert files and not [path.name for path in files if path.read_bytes().startswith(BOM)]
    assert (staged / "items.csv").read_bytes() == (EXAMPLE / "items.csv").read_bytes()
