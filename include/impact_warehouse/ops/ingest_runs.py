"""One ingest run in plain Python: plan the waves of a data interval, land them, summarise.

The ``impact_ingest`` DAG calls :func:`plan_interval` in its ``plan_waves`` task and the
:mod:`impact_warehouse.ingest` functions in the others; :func:`run_ingest` is the same sequence
in one process, for the command line (backfill) and for tests that replay months of runs.

What "incremental" means here. The Forms API has no upper time bound: a pull returns every
response submitted since the form's watermark, up to the moment of the pull. So a monthly run
lands "everything new so far for the waves whose window overlaps the interval", not "the
responses of the interval". Re-running a past interval therefore lands nothing new once the
waves are caught up (watermark + landed keys), and a backfill of a fiscal year lands exactly
what the monthly runs did, provided the monthly runs saw every wave after its close — the run
on the 1st after a window closes does, because windows end on a Japanese date and the run
starts at 03:00 JST.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from impact_warehouse import ingest
from impact_warehouse.catalog import Catalog
from impact_warehouse.ops.calendar import interval_dates
from impact_warehouse.settings import Paths
from impact_warehouse.sources.google_forms import FormsApiConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestParams:
    """The trigger form's parameters of ``impact_ingest`` (``scope`` all = every opened wave)."""

    scope: str = "interval"
    fiscal_year: int | None = None
    program: str | None = None
    wave: str | None = None
    # The day the run acts on: only waves opened by then have forms. None = today; the demo
    # and the README walk-through replay a later day of the demo sources.
    as_of: date | None = None

    @classmethod
    def from_params(cls, params: Any) -> IngestParams:
        as_of = params.get("as_of")
        return cls(
            scope=params.get("scope") or "interval",
            fiscal_year=params.get("fiscal_year"),
            program=params.get("program") or None,
            wave=params.get("wave") or None,
            as_of=date.fromisoformat(as_of) if as_of else None,
        )


def plan_interval(
    catalog: Catalog,
    interval_start: datetime,
    interval_end: datetime,
    *,
    as_of: date,
    params: IngestParams | None = None,
) -> list[str]:
    """The Google Forms waves one run pulls; logs in plain words when there are none."""
    params = params or IngestParams()
    start, end = interval_dates(interval_start, interval_end)
    waves = ingest.plan_form_waves(
        catalog,
        start,
        end,
        as_of=as_of,
        all_waves=params.scope == "all",
        fiscal_year=params.fiscal_year,
        program=params.program,
        wave=params.wave,
    )
    if waves:
        log.info("survey waves to pull for %s … %s: %s", start, end, ", ".join(waves))
    else:
        log.info(
            "no survey window is open between %s and %s (scope=%s, fiscal_year=%s, program=%s, "
            "wave=%s): no survey responses to pull this run; workbooks and panel files still land",
            start,
            end,
            params.scope,
            params.fiscal_year,
            params.program,
            params.wave,
        )
    return waves


def run_ingest(
    settings: Paths,
    waves: list[str],
    api_config: FormsApiConfig,
    *,
    run_id: str,
    pseudonym_key: bytes | None = None,
    on_wave: Callable[[str, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """The DAG's sequence in one process: workbooks (roster first), panels, waves, summary."""
    units = [
        *ingest.land_operations(settings, pseudonym_key),
        *ingest.land_panels(settings, pseudonym_key),
    ]
    for wave_code in waves:
        unit = ingest.land_form_wave(settings, wave_code, api_config, pseudonym_key)
        units.append(unit)
        if on_wave is not None:
            on_wave(wave_code, unit)
    return {**ingest.finish_run(settings, run_id, units), "planned_waves": list(waves)}
