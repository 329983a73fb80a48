"""IMPACT_CATALOG_DIR: which folder the catalog loader and dbt's seeds read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from impact_warehouse.catalog import load_catalog
from impact_warehouse.settings import BUILTIN_CATALOG_DIR, PROJECT_ROOT, paths
from impact_warehouse.transform.catalog_seeds import DBT_PROJECT_DIR, seed_path_for

EXAMPLE = PROJECT_ROOT / "examples" / "hataraku_women"


def test_the_catalog_folder_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMPACT_CATALOG_DIR", raising=False)
    assert paths().catalog == BUILTIN_CATALOG_DIR
    monkeypatch.setenv("IMPACT_CATALOG_DIR", str(EXAMPLE))
    assert paths().catalog == EXAMPLE.resolve()
    assert set(load_catalog().programs) == {"career_school", "peer_circle"}


def test_the_builtin_catalog_is_seeded_in_place(tmp_path: Path) -> None:
    assert seed_path_for(BUILTIN_CATALOG_DIR, tmp_path) == "seeds"
    assert not (tmp_path / "catalog_seeds").exists()


def test_another_catalog_is_staged_with_the_project_seed_properties(tmp_path: Path) -> None:
    relative = seed_path_for(EXAMPLE, tmp_path / "dbt")
    staged = (DBT_PROJECT_DIR / relative).resolve()
    assert staged.parent == (tmp_path / "dbt" / "catalog_seeds").resolve()
    names = {path.name for path in staged.iterdir()}
    assert {path.name for path in EXAMPLE.glob("*.csv")} <= names
    assert {path.name for path in BUILTIN_CATALOG_DIR.glob("_*.yml")} <= names
    # demo/ holds the demo profile, not seeds: it must not become a warehouse table.
    assert "answers.csv" not in names and not os.path.isabs(relative)


def test_another_project_brings_its_own_seed_properties(tmp_path: Path) -> None:
    """run_dbt(project_dir=...) builds another copy of the project (an older commit, in a
    benchmark): another catalog is seeded with that copy's seed tests, not this one's, and
    the built-in catalog is the copy's own seeds folder."""
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR / "seeds", project / "seeds")
    properties = project / "seeds" / "_seeds.yml"
    properties.write_text(
        "# another commit's seed tests\n" + properties.read_text("utf-8"), "utf-8"
    )
    staged = (project / seed_path_for(EXAMPLE, tmp_path / "dbt", project)).resolve()
    assert staged.parent == (tmp_path / "dbt" / "catalog_seeds").resolve()
    assert (staged / "_seeds.yml").read_text("utf-8") == properties.read_text("utf-8")
    assert {path.name for path in EXAMPLE.glob("*.csv")} <= {p.name for p in staged.iterdir()}
    for catalog in (BUILTIN_CATALOG_DIR, project / "seeds"):
        assert seed_path_for(catalog, tmp_path / "dbt", project) == "seeds"


def test_a_restaged_catalog_drops_files_removed_since(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog)
    first = DBT_PROJECT_DIR / seed_path_for(catalog, tmp_path)
    (catalog / "question_overrides.csv").unlink()
    second = DBT_PROJECT_DIR / seed_path_for(catalog, tmp_path)
    assert (first / "question_overrides.csv").exists()
    assert not (second / "question_overrides.csv").exists()


def test_the_same_content_is_staged_once_and_never_emptied_under_a_build(tmp_path: Path) -> None:
    # Two builds at once (a DAG run and `impact build`) each seed from their own folder; a
    # later staging of other content leaves the earlier folder whole.
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog)
    first = seed_path_for(catalog, tmp_path)
    assert seed_path_for(catalog, tmp_path) == first
    files = sorted(path.name for path in (DBT_PROJECT_DIR / first).iterdir())
    (catalog / "cohorts.csv").write_text(
        (catalog / "cohorts.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert seed_path_for(catalog, tmp_path) != first
    assert sorted(path.name for path in (DBT_PROJECT_DIR / first).iterdir()) == files
    assert not list((tmp_path / "catalog_seeds").glob(".incoming-*"))


def test_a_missing_catalog_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="IMPACT_CATALOG_DIR"):
        seed_path_for(tmp_path / "nowhere", tmp_path)
