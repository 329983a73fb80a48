"""Which DAGs the DAG files make: one pair for the installation, or one pair per organisation.

Without ``IMPACT_ORGANISATIONS_DIR`` the DAG files make ``impact_ingest`` and
``impact_warehouse`` exactly as before. With it, they make ``impact_ingest__<code>`` and
``impact_warehouse__<code>`` for every organisation of the registry (adding an organisation
is adding a folder), each pair with

- its task bodies, failure callbacks and approval run inside the organisation's scope
  (:func:`impact_warehouse.organisations.organisation_scope`), so ``paths()``, the catalog,
  the pseudonym key, the Forms connection and the alert channels are the organisation's;
- its schedule and trigger forms read from its own catalog (built in its scope at parse time);
- its own landing and published Assets: one organisation's landing never triggers another's
  build;
- no shared DuckDB writer pool. DuckDB's single-writer rule is per file and each
  organisation's files are its own, written only by its warehouse DAG, whose tasks form one
  chain and which runs one run at a time (``max_active_runs=1``): one writer without a pool.
  One pool for all would let one organisation's long or stuck build hold every other
  organisation's publish, which the registry promises never happens; a pool per organisation
  would have to exist before its tasks run, and Airflow leaves the tasks of a missing pool
  unscheduled without a word, so a folder added to a running Airflow would never build.
  Its tasks run in Airflow's ``default_pool``; :func:`writer_pools` lists the pools to create
  (``duckdb_writer`` for the one-organisation installation only).

A registry folder that is unusable (name is not a code, no ``organisation.csv``, code not the
folder's name) is logged and left out; the other organisations' DAGs are made all the same,
so the DAG files never fail to import. An organisation whose catalog is invalid gets its DAGs,
whose first task fails with the catalog's message (as for one organisation).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from impact_warehouse.organisations import (
    Organisation,
    OrganisationError,
    multi_organisation,
    organisation_scope,
    registry_dir,
    registry_entries,
)

log = logging.getLogger(__name__)

ASSET_URI_ROOT = "file://impact-warehouse"
DUCKDB_WRITER_POOL = "duckdb_writer"
DEFAULT_POOL = "default_pool"  # Airflow's own, always there
BASE_TAG = "impact-warehouse"


@dataclass(frozen=True)
class DagScope:
    """The organisation one DAG pair serves, or None for a one-organisation installation."""

    organisation: Organisation | None = None

    @property
    def code(self) -> str | None:
        return self.organisation.code if self.organisation else None

    def _named(self, base: str) -> str:
        return f"{base}__{self.code}" if self.code else base

    def dag_id(self, base: str) -> str:
        """``impact_ingest`` or ``impact_ingest__<code>``."""
        return self._named(base)

    def asset_uri(self, name: str) -> str:
        """``file://impact-warehouse/landing`` or ``…/organisations/<code>/landing``."""
        if self.code is None:
            return f"{ASSET_URI_ROOT}/{name}"
        return f"{ASSET_URI_ROOT}/organisations/{self.code}/{name}"

    @property
    def writer_pool(self) -> str:
        """``duckdb_writer``, or Airflow's ``default_pool`` for an organisation (see above)."""
        return DEFAULT_POOL if self.code else DUCKDB_WRITER_POOL

    def tags(self, *tags: str) -> list[str]:
        """The DAG's tags; an organisation's DAGs also carry its code (filter by it in the UI)."""
        return [BASE_TAG, *tags, *([self.code] if self.code else [])]

    def doc(self, doc_md: str) -> str:
        if self.code is None:
            return doc_md
        return (
            f"**Organisation**: `{self.code}` (catalog `{self.organisation.catalog}`; "
            f"every task runs in its scope)\n" + doc_md
        )

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Run the enclosed task body as the organisation (nothing changes without one)."""
        if self.organisation is None:
            yield
            return
        with organisation_scope(self.organisation):
            yield

    def callback(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` (a task or deadline callback) run inside the scope."""
        if self.organisation is None:
            return function
        return functools.partial(_in_scope, self.organisation, function)


def _in_scope(
    organisation: Organisation, function: Callable[..., Any], *args: Any, **kw: Any
) -> Any:
    with organisation_scope(organisation):
        return function(*args, **kw)


def dag_scopes(environ: Mapping[str, str] | None = None) -> list[DagScope]:
    """One scope per DAG pair to make: ``[DagScope()]``, or one per registry organisation.

    Never raises: bad registry folders are logged (with why, in Japanese) and left out.
    """
    if not multi_organisation(environ):
        return [DagScope()]
    try:
        entries = registry_entries(registry_dir(environ))
    except Exception:  # any failure here would make the DAG files import errors
        log.exception("the organisation registry is unusable: no organisation's DAGs")
        return []
    scopes = []
    for name, found in entries:
        if isinstance(found, OrganisationError):
            log.error("organisation folder %s left out of the DAGs: %s", name, found)
        else:
            scopes.append(DagScope(found))
    return scopes


def writer_pools(environ: Mapping[str, str] | None = None) -> list[str]:
    """The DuckDB writer pools the DAGs use: they must exist before any of their tasks runs."""
    return sorted({scope.writer_pool for scope in dag_scopes(environ)} - {DEFAULT_POOL})
