"""What the ``impact_warehouse`` DAG runs after a publish: the reports of the new release.

A release is rendered for its own fiscal year and the one before (the fiscal-year release in
May is labelled with the new year while the finished year's report is the one staff hand to
funders). Nothing is rendered when the gate failed: the current release did not change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from impact_warehouse.report.chart_worker import ChartWorker
from impact_warehouse.report.data import available_fiscal_years
from impact_warehouse.report.release import resolve_release
from impact_warehouse.report.render import render_report
from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)


def published_release_id(outcome: Mapping[str, Any]) -> str | None:
    """The release ``gate_publish_and_alert`` published, or None (gate failed)."""
    if not outcome.get("gate_passed"):
        return None
    return outcome.get("release_id") or None


def render_after_publish(
    outcome: Mapping[str, Any], settings: Settings, *, chart_worker: ChartWorker | None = None
) -> list[dict[str, Any]]:
    """Render the release's fiscal year and the previous one; [] when nothing was published.

    One chart worker draws for both (``chart_worker``, one the caller started while it
    published, or one started here): the second report does not wait for a worker's start.
    """
    release_id = published_release_id(outcome)
    if release_id is None:
        log.info("no release was published: no report rendered")
        return []
    source = resolve_release(release_id, settings)
    with source.connect() as connection:
        years = set(available_fiscal_years(connection))
    fiscal_year = source.release.fiscal_year
    rendered = []
    with nullcontext(chart_worker) if chart_worker else ChartWorker() as worker:
        for year in (fiscal_year, fiscal_year - 1):
            if year not in years:
                log.info("release %s has no figures for FY%s: skipped", release_id, year)
                continue
            report = render_report(
                year, release_id=release_id, settings=settings, chart_worker=worker
            )
            rendered.append(report.as_dict())
    return rendered
