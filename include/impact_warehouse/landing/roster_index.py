"""Which pseudonymous participants each cohort targets, from the landed roster."""

from __future__ import annotations

from pathlib import Path

from impact_warehouse.landing.store import PartitionStore


def roster_dir(landing_dir: Path) -> Path:
    return landing_dir / "operations" / "roster"


def participants_by_cohort(landing_dir: Path) -> dict[str, set[str]]:
    cohorts: dict[str, set[str]] = {}
    for record in PartitionStore(roster_dir(landing_dir)).read_all():
        pseudonym = record.get("participant_pseudonym")
        if pseudonym:
            cohorts.setdefault(record["cohort_code"], set()).add(pseudonym)
    return cohorts
