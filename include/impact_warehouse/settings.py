"""Where things live. Every path can be moved with one environment variable.

Defaults keep everything inside the project's ignored working folder ``.work/`` so a fresh
clone runs the demo with no configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# The variables that move one folder each (see :func:`paths`): a run with its own work folder
# (a benchmark, an organisation's scope) drops them, so no inherited one points elsewhere.
FOLDER_VARIABLES: tuple[str, ...] = (
    "IMPACT_LANDING_DIR",
    "IMPACT_VAULT_DIR",
    "IMPACT_INBOX_DIR",
    "IMPACT_DEMO_DIR",
    "IMPACT_SECRETS_DIR",
    "IMPACT_WAREHOUSE_PATH",
)


def _path_from_env(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).resolve() if value else default


# The checkout holding dags/, dbt_project/ (with the catalog seeds) and expectations/.
# IMPACT_PROJECT_DIR points an installed package at another checkout or a copy of one.
PROJECT_ROOT = _path_from_env("IMPACT_PROJECT_DIR", Path(__file__).resolve().parents[2])

# The organisation's catalog (the logic model as CSV files). Mamabono's lives beside the dbt
# project; IMPACT_CATALOG_DIR points every layer (catalog check, ingestion, dbt seeds, the
# quality gate, the demo, the report) at another organisation's folder, e.g. an example.
CATALOG_DIR_ENV = "IMPACT_CATALOG_DIR"
BUILTIN_CATALOG_DIR = PROJECT_ROOT / "dbt_project" / "seeds"


def catalog_dir() -> Path:
    """``IMPACT_CATALOG_DIR``, else the catalog shipped in ``dbt_project/seeds/``."""
    return _path_from_env(CATALOG_DIR_ENV, BUILTIN_CATALOG_DIR)


@dataclass(frozen=True)
class Settings:
    """Where one installation keeps everything: the one settings object every job takes.

    Read from the environment by :func:`paths` at the edges only (the CLI entry, DAG task
    bodies, benchmark mains) and passed down from there; a job never reads the environment
    itself, so a caller with its own folders gets every file in them.
    """

    work: Path
    landing: Path
    vault: Path
    inbox: Path
    demo_sources: Path
    secrets: Path
    catalog: Path = field(default_factory=catalog_dir)
    audit_db: Path | None = None  # None: <work>/warehouse/audit.duckdb (audit_warehouse)

    @classmethod
    def for_work_dir(cls, work: Path, inbox: Path, catalog: Path | None = None) -> Settings:
        """Every folder inside ``work`` except the inbox (tests, benchmarks, scratch runs)."""
        return cls(
            work=work,
            landing=work / "landing",
            vault=work / "vault",
            inbox=inbox,
            demo_sources=work / "demo_sources",
            secrets=work / "secrets",
            catalog=catalog or catalog_dir(),
        )

    @property
    def seeds(self) -> Path:
        """The catalog folder (the dbt seeds): the name older callers use for ``catalog``."""
        return self.catalog

    @property
    def quarantine(self) -> Path:
        return self.landing / "quarantine"

    @property
    def state(self) -> Path:
        return self.landing / "_state"

    @property
    def run_summaries(self) -> Path:
        return self.landing / "_runs"

    @property
    def outbox(self) -> Path:
        """Staff alerts: the outbox channel's file, the dedup ledger and the delivery queue."""
        return self.work / "outbox"

    @property
    def releases(self) -> Path:
        """Every release kept (``releases/<id>/``), the CURRENT pointer and the history."""
        return self.work / "releases"

    @property
    def published_warehouse(self) -> Path:
        """The published DuckDB file analysts open (the CURRENT release's)."""
        return self.work / "published" / "warehouse.duckdb"

    @property
    def gate_runs(self) -> Path:
        """One record per gate run, passed or failed (``impact status`` reads the latest)."""
        return self.work / "quality" / "gate_runs"

    @property
    def audit_warehouse(self) -> Path:
        """The DuckDB file dbt builds and the gate judges (``IMPACT_WAREHOUSE_PATH`` moves it)."""
        return self.audit_db or self.work / "warehouse" / "audit.duckdb"

    @property
    def staff_pages(self) -> Path:
        """Pages for staff only (the response status page): counts, never personal data."""
        return self.work / "staff"

    @property
    def font_cache(self) -> Path:
        """Font subsets already embedded in a page (report/fonts.py), kept to be used again."""
        return self.work / "cache" / "fonts"

    @property
    def reminders(self) -> Path:
        """Reminder lists (names, emails) and their audit log: inside the restricted vault."""
        return self.vault / "reminders"


def paths() -> Settings:
    """The :class:`Settings` of this environment (``IMPACT_*_DIR``): for the edges only."""
    work = _path_from_env("IMPACT_WORK_DIR", PROJECT_ROOT / ".work")
    # The audit file is only set when moved: otherwise it follows the work folder, also in a
    # copy of these Settings with another work folder (dataclasses.replace).
    moved_audit_db = os.environ.get("IMPACT_WAREHOUSE_PATH")
    return Settings(
        work=work,
        landing=_path_from_env("IMPACT_LANDING_DIR", work / "landing"),
        vault=_path_from_env("IMPACT_VAULT_DIR", work / "vault"),
        inbox=_path_from_env("IMPACT_INBOX_DIR", work / "inbox"),
        demo_sources=_path_from_env("IMPACT_DEMO_DIR", work / "demo_sources"),
        secrets=_path_from_env("IMPACT_SECRETS_DIR", work / "secrets"),
        audit_db=Path(moved_audit_db).resolve() if moved_audit_db else None,
    )
