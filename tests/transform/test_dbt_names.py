"""Names dbt turns into relations fit PostgreSQL's 63-character identifiers.

A unit test runs on PostgreSQL as a relation named after the unit test: a longer name built
and passed on DuckDB and failed only in the PostgreSQL engine's build.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from impact_warehouse.settings import PROJECT_ROOT

POSTGRES_IDENTIFIER_LIMIT = 63
DBT_PROJECT = PROJECT_ROOT / "dbt_project"


def _named(kind: str) -> list[tuple[Path, str]]:
    found = []
    for path in sorted(DBT_PROJECT.glob("models/**/*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(path, entry["name"]) for entry in document.get(kind) or []]
    return found


def test_unit_test_and_model_names_fit_a_postgres_identifier() -> None:
    names = _named("unit_tests") + _named("models")
    assert len(names) > 50  # the folders were read
    too_long = [
        f"{path.relative_to(DBT_PROJECT)}: {name} ({len(name)} characters)"
        for path, name in names
        if len(name) > POSTGRES_IDENTIFIER_LIMIT
    ]
    assert not too_long, "longer than PostgreSQL's 63 characters:\n" + "\n".join(too_long)
