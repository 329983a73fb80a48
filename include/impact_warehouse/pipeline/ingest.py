"""The ingest job: plan the waves of a data interval, land each source, summarise the run.

The ``impact_ingest`` DAG calls :func:`plan_interval` in its ``plan_waves`` task and the
``land_*`` functions in the others; :mod:`impact_warehouse.pipeline.ingest_in_process` runs the
same sequence in one process, for the command line (``impact pull``, ``impact backfill``) and
for tests that replay months of runs.

Order matters once: the roster lands before survey responses so linkage can be checked
while landing (an unlinked respondent is reported, not dropped).

Each source unit lands under its landing lock (``landing/lock.py``): the operations workbooks,
the panel deliveries, and each Google Form. A second run (a manual pull during the scheduled
one) waits for the first, then finds its records already landed.

What "incremental" means here. The Forms API has no upper time bound: a pull returns every
response submitted since the form's watermark, up to the moment of the pull. So a monthly run
lands "everything new so far for the waves whose window overlaps the interval", not "the
responses of the interval". Re-running a past interval therefore lands nothing new once the
waves are caught up (watermark + landed keys), and a backfill of a fiscal year lands exactly
what the monthly runs did, provided the monthly runs saw every wave after its close — the run
on the 1st after a window closes does, because windows end on a Japanese date and the run
starts at 03:00 JST.

Sources are isolated (issue 11): in the DAG one failing source task (the operations
workbooks, the panel deliveries, one survey wave) does not stop the others; the run summary
then lists it under ``failed_sources`` with its cause (:func:`summarise_sources`), and the
run still ends failed so staff hear of it.

``impact pull --wave W`` (trigger-form ``wave``) pulls W whatever its window: naming one wave
is a deliberate request, so the interval does not filter it out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from impact_warehouse.catalog import Catalog
from impact_warehouse.landing.context import LandingContext
from impact_warehouse.landing.forms_job import SOURCE as FORMS_SOURCE
from impact_warehouse.landing.forms_job import land_forms_wave
from impact_warehouse.landing.lock import landing_unit
from impact_warehouse.landing.operations_job import land_operations_workbooks
from impact_warehouse.landing.panel_job import land_panel_deliveries
from impact_warehouse.landing.summary import format_run_summary, merge_summaries, write_run_summary
from impact_warehouse.ops.calendar import Calendar
from impact_warehouse.orchestration.task_errors import TaskError, last_try_per_task
from impact_warehouse.settings import Settings
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


def land_operations(settings: Settings, pseudonym_key: bytes | None = None) -> list[dict[str, Any]]:
    with landing_unit(settings, "operations"):
        context = LandingContext.create(settings, pseudonym_key=pseudonym_key)
        try:
            return [summary.as_dict() for summary in land_operations_workbooks(context)]
        finally:
            context.close()


def land_panels(settings: Settings, pseudonym_key: bytes | None = None) -> list[dict[str, Any]]:
    with landing_unit(settings, "panel_file"):
        context = LandingContext.create(settings, pseudonym_key=pseudonym_key)
        try:
            return [summary.as_dict() for summary in land_panel_deliveries(context)]
        finally:
            context.close()


def land_form_wave(
    settings: Settings,
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
    settings: Settings, run_id: str, unit_summaries: list[dict[str, Any]]
) -> dict[str, Any]:
    """Merge the units' summaries and keep them with the landing zone."""
    summary = merge_summaries(unit_summaries)
    path = write_run_summary(settings.run_summaries, run_id, summary)
    log.info("run summary %s:\n%s", path, format_run_summary(summary))
    return {**summary, "summary_path": str(path)}


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
    start, end = Calendar(catalog.organisation).interval_dates(interval_start, interval_end)
    waves = plan_form_waves(
        catalog,
        start,
        end,
        as_of=as_of,
        # One named wave is pulled whatever its window (the README's re-pull step).
        all_waves=params.scope == "all" or params.wave is not None,
        fiscal_year=params.fiscal_year,
        program=params.program,
        wave=params.wave,
    )
    if waves:
        log.info("survey waves to pull for %s … %s: %s", start, end, ", ".join(waves))
    elif params.wave is not None:
        log.info(
            "survey wave %s is not pulled: it is not a Google Forms wave of the catalog, does not "
            "match fiscal_year=%s / program=%s, or has not opened by %s",
            params.wave,
            params.fiscal_year,
            params.program,
            as_of,
        )
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


# Japanese names of the sources, for the failure message staff read.
SOURCE_NAMES_JA = {
    "operations": "運営記録のワークブック",
    "panel_file": "比較群パネルの納品ファイル",
    "google_forms": "アンケート(Google Forms)",
}


@dataclass(frozen=True)
class SourceOutcomes:
    """What each source task of one run returned; None where the task did not succeed."""

    operations: list[dict[str, Any]] | None
    panels: list[dict[str, Any]] | None
    planned_waves: list[str] | None
    waves: list[dict[str, Any] | None]  # one per planned wave, in plan order

    @property
    def units(self) -> list[dict[str, Any]]:
        return [
            *(self.operations or []),
            *(self.panels or []),
            *(unit for unit in self.waves if unit is not None),
        ]


def _failure(
    source: str,
    task_id: str,
    errors: dict[tuple[str, int], TaskError],
    *,
    map_index: int = -1,
    wave_code: str | None = None,
) -> dict[str, Any]:
    error = errors.get((task_id, map_index))
    return {
        "source": source,
        "task_id": task_id,
        "wave_code": wave_code,
        "message_ja": error.message_ja if error else "前の処理が失敗したため実行されませんでした。",
        "detail": error.detail if error else "not run: an upstream task failed",
    }


def failed_sources(outcomes: SourceOutcomes, errors: list[TaskError]) -> list[dict[str, Any]]:
    """Each source that did not land, with the cause its task recorded
    (orchestration.task_errors)."""
    by_task = {(error.task_id, error.map_index): error for error in last_try_per_task(errors)}
    failures = []
    if outcomes.operations is None:
        failures.append(_failure("operations", "land_operations_workbooks", by_task))
    if outcomes.panels is None:
        failures.append(_failure("panel_file", "land_panel_deliveries", by_task))
    if outcomes.planned_waves is None:
        failures.append(_failure("google_forms", "plan_waves", by_task))
    for index, wave_code in enumerate(outcomes.planned_waves or []):
        if index >= len(outcomes.waves) or outcomes.waves[index] is None:
            failures.append(
                _failure(
                    "google_forms", "land_form_wave", by_task, map_index=index, wave_code=wave_code
                )
            )
    return failures


def describe_failures_ja(failures: list[dict[str, Any]]) -> str:
    """One Japanese line per failed source, cause first (for the task log and the CLI)."""
    lines = []
    for failure in failures:
        name = SOURCE_NAMES_JA.get(failure["source"], failure["source"])
        if failure.get("wave_code"):
            name = f"{name} {failure['wave_code']}"
        lines.append(f"・{name}: {failure['message_ja']}")
    return "\n".join(lines)


def summarise_sources(
    settings: Settings, run_id: str, outcomes: SourceOutcomes, errors: list[TaskError]
) -> dict[str, Any]:
    """Merge what landed, list what failed, and keep the summary with the landing zone."""
    summary = {
        **merge_summaries(outcomes.units),
        "planned_waves": list(outcomes.planned_waves or []),
        "failed_sources": failed_sources(outcomes, errors),
    }
    path = write_run_summary(settings.run_summaries, run_id, summary)
    log.info("run summary %s:\n%s", path, format_run_summary(summary))
    if summary["failed_sources"]:
        log.warning(
            "sources that did not land in this run (the others did):\n%s",
            "\n".join(
                f"  {failure['source']} {failure['wave_code'] or ''} ({failure['task_id']}): "
                f"{failure['detail']}"
                for failure in summary["failed_sources"]
            ),
        )
    return {**summary, "summary_path": str(path)}


def manual_interval(end: datetime) -> tuple[datetime, datetime]:
    """The span a manual run (``impact pull``, a triggered DAG run) covers: the month before."""
    return end.astimezone(UTC) - relativedelta(months=1), end
