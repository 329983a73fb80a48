"""The logic model as data: programs, cohorts, waves, items, indicators (from the dbt seeds)."""

from impact_warehouse.catalog.matching import QuestionMatcher, normalise_title
from impact_warehouse.catalog.model import (
    Catalog,
    CatalogError,
    Cohort,
    Indicator,
    Item,
    Program,
    Scale,
    Wave,
    load_catalog,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "Cohort",
    "Indicator",
    "Item",
    "Program",
    "QuestionMatcher",
    "Scale",
    "Wave",
    "load_catalog",
    "normalise_title",
]
