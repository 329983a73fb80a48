"""Backfill: land every survey wave of a range of fiscal years, then build, gate and publish once.

Each fiscal year is one ingest run (``scope=all`` narrowed to that year, the same plan the
trigger form gives), so a failure names the year to re-run. Re-running is idempotent: landed
keys are skipped and watermarks only move forward, so a second backfill lands nothing and
publishes a release with the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from impact_warehouse.catalog import load_catalog
from impact_warehouse.landing.store import new_batch_id
from impact_warehouse.ops.calendar import Calendar
from impact_warehouse.pipeline.ingest import IngestParams, plan_interval
from impact_warehouse.pipeline.ingest_in_process import run_ingest
from impact_warehouse.pipeline.release import Progress, default_release_fiscal_year
from impact_warehouse.pipeline.release_in_process import build_gate_publish
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig


@dataclass
class BackfillResult:
    fiscal_years: list[int]
    ingest_runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    publish: dict[str, Any] | None = None

    @property
    def landed(self) -> int:
        return sum(run["landed"] for run in self.ingest_runs.values())


def check_fiscal_years(from_fy: int, to_fy: int, known: set[int]) -> list[int]:
    if from_fy > to_fy:
        raise ValueError(f"--from-fy {from_fy} is after --to-fy {to_fy}")
    unknown = [fy for fy in range(from_fy, to_fy + 1) if fy not in known]
    if unknown:
        raise ValueError(
            f"fiscal years {unknown} have no survey wave in the catalog (waves.csv has "
            f"FY{min(known)}–FY{max(known)}); add their waves first or narrow the range"
        )
    return list(range(from_fy, to_fy + 1))


def backfill(
    settings: Settings,
    *,
    from_fy: int,
    to_fy: int,
    api_config: FormsApiConfig,
    as_of: date,
    pseudonym_key: bytes | None = None,
    publish: bool = True,
    progress: Progress | None = None,
) -> BackfillResult:
    catalog = load_catalog(settings.seeds)
    years = check_fiscal_years(from_fy, to_fy, {w.fiscal_year for w in catalog.waves.values()})
    result = BackfillResult(fiscal_years=years)
    # Down to the microsecond, with a random tail: two backfills started in the same second
    # must not write one run summary over the other.
    stamp = new_batch_id()
    now = datetime.combine(as_of, datetime.min.time(), tzinfo=Calendar(catalog.organisation).zone)
    for fiscal_year in years:
        waves = plan_interval(
            catalog, now, now, as_of=as_of, params=IngestParams("all", fiscal_year)
        )
        done = progress(f"ingest FY{fiscal_year}: {len(waves)} survey waves") if progress else None
        result.ingest_runs[fiscal_year] = run_ingest(
            settings,
            waves,
            api_config,
            run_id=f"backfill-FY{fiscal_year}-{stamp}",
            pseudonym_key=pseudonym_key,
            as_of=as_of,
        )
        if done:
            done()
    if publish:
        release_fy = min(to_fy, default_release_fiscal_year(as_of, catalog))
        result.publish = build_gate_publish(
            settings,
            fiscal_year=release_fy,
            as_of=as_of,
            run_id=f"backfill-FY{from_fy}-FY{to_fy}-{stamp}",
            progress=progress,
        )
    return result
