"""The ingest job in plain Python: what the ``impact_ingest`` DAG wires together.

Order matters once: the roster lands before survey responses so linkage can be checked
while landing (an unlinked respondent is reported, not dropped).

Each source unit lands under its landing lock (``landing/lock.py``): the operations workbooks,
the panel deliveries, and each Google Form. A second run (a manual pull during the scheduled
one) waits for the first, then finds its records already landed.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from impact_warehouse.catalog import Catalog
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.forms_job import SOURCE as FORMS_SOURCE
from impact_warehouse.landing.forms_job import land_forms_wave
from impact_warehouse.landing.lock import landing_unit
from impact_warehouse.landing.operations_job import land_operations_workbooks
from impact_warehouse.landing.panel_job import land_panel_deliveries
from impact_warehouse.landing.summary import (
    format_run_summary,
    merge_summaries,
    write_run_summary,
)
from impact_warehouse.settings import Paths
from impact_warehouse.sources.google_forms import FormsApiClient, FormsApiConfig

log = logging.getLogger(__name__)


def plan_form_waves(
    catalog: Catalog,
    interval_start: date,
    interval_end: date,
    *,
    as_of: date,
    all_waves: bool = False,
    fiscal_year: int | None = None,
    program: str | None = None,
    wave: str | None = None,
) -> list[str]:
    """Survey-platform waves to pull: open during the interval (or all, for a backfill),
    narrowed by the trigger form's parameters; never waves whose form cannot exist yet."""
    planned = []
    for candidate in sorted(catalog.waves.values(), key=lambda w: (w.open_date, w.wave_code)):
        if candidate.source_system != "google_forms" or candidate.open_date > as_of:
            continue
        if not all_waves and not candidate.overlaps(interval_start, interval_end):
            continue
        if fiscal_year is not None and candidate.fiscal_year != fiscal_year:
            continue
        if program and candidate.program_code not in (program, "all"):
            continue
        if wave and candidate.wave_code != wave:
            continue
        planned.append(candidate.wave_code)
    return planned


def land_operations(settings: Paths, pseudonym_key: bytes | None = None) -> list[dict[str, Any]]:
    with landing_unit(settings, "operations"):
        context = LandingContext.create(settings, pseudonym_key=pseudonym_key)
        try:
            return [summary.as_dict() for summary in land_operations_workbooks(context)]
        finally:
            context.close()


def land_panels(settings: Paths, pseudonym_key: bytes | None = None) -> list[dict[str, Any]]:
    with landing_unit(settings, "panel_file"):
        context = LandingContext.create(settings, pseudonym_key=pseudonym_key)
        try:
            return [summary.as_dict() for summary in land_panel_deliveries(context)]
        finally:
            context.close()


def land_form_wave(
    settings: Paths,
    wave_code: str,
    api_config: FormsApiConfig,
    pseudonym_key: bytes | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Land one wave's new responses; ``as_of`` is the day the run acts on (None = today)."""
    context = LandingContext.create(settings, pseudonym_key=pseudonym_key)
    try:
        wave = context.catalog.waves[wave_code]
        # Per form, not per wave: the form's folders and watermark are what two runs share.
        with (
            landing_unit(settings, FORMS_SOURCE, wave.source_ref),
            FormsApiClient(api_config) as client,
        ):
            return land_forms_wave(context, wave, client, as_of=as_of).as_dict()
    finally:
        context.close()


def finish_run(
    settings: Paths, run_id: str, unit_summaries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Merge the units' summaries and keep them with the landing zone."""
    summary = merge_summaries(unit_summaries)
    path = write_run_summary(settings.run_summaries, run_id, summary)
    log.info("run summary %s:\n%s", path, format_run_summary(summary))
    return {**summary, "summary_path": str(path)}
