"""The logic model as data: organisation, programs, cohorts, waves, items, indicators."""

from impact_warehouse.catalog.covariates import Covariate
from impact_warehouse.catalog.errors import CatalogError
from impact_warehouse.catalog.matching import QuestionMatcher, normalise_title
from impact_warehouse.catalog.model import (
    Catalog,
    Cohort,
    Indicator,
    Item,
    Program,
    ProgramGroup,
    Scale,
    Wave,
    load_catalog,
    load_organisation,
)
from impact_warehouse.catalog.organisation import Organisation

__all__ = [
    "Catalog",
    "CatalogError",
    "Cohort",
    "Covariate",
    "Indicator",
    "Item",
    "Organisation",
    "Program",
    "ProgramGroup",
    "QuestionMatcher",
    "Scale",
    "Wave",
    "load_catalog",
    "load_organisation",
    "normalise_title",
]
