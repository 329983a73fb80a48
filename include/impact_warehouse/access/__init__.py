"""Analysts' access to published data: every organisation's current release in one
PostgreSQL database, each analyst reading only their own organisation's rows.

Data flow: an organisation's current release, read only (:mod:`.release_tables`) → its rows
in the shared PostgreSQL schema (:mod:`.postgres`), behind row-level security
(:mod:`.roles`).
``impact publish-postgres`` (cli/analyst_access.py) runs it for the registry.
"""

from impact_warehouse.access.postgres import (
    DEFAULT_SCHEMA,
    Outcome,
    load_organisations,
    refresh_organisation,
)
from impact_warehouse.access.release_tables import AccessLoadError
from impact_warehouse.access.roles import analyst_role

__all__ = [
    "DEFAULT_SCHEMA",
    "AccessLoadError",
    "Outcome",
    "analyst_role",
    "load_organisations",
    "refresh_organisation",
]
