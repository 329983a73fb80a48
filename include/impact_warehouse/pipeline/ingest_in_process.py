"""The ingest job in one process: ``impact pull`` (:func:`pull`, with the DAG's source
isolation) and ``impact backfill`` (:func:`run_ingest`, stopping at the first failure).

They run the steps the ``impact_ingest`` DAG's tasks run (:mod:`impact_warehouse.pipeline.ingest`),
in the same order, and write the same run summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from impact_warehouse.catalog import load_catalog
from impact_warehouse.orchestration.task_errors import TaskError
from impact_warehouse.pipeline.ingest import (
    IngestParams,
    SourceOutcomes,
    land_form_wave,
    land_operations,
    land_panels,
    manual_interval,
    plan_interval,
    summarise_sources,
)
from impact_warehouse.settings import Settings
from impact_warehouse.sources.google_forms import FormsApiConfig

# The ingest job's logger: operators and tests follow one job under one name.
log = logging.getLogger("impact_warehouse.pipeline.ingest")

# The task names a run summary gives a failed source, in the DAG and in ``impact pull``.
SOURCE_TASKS = {"operations": "land_operations_workbooks", "panel_file": "land_panel_deliveries"}


def pull(
    settings: Settings,
    params: IngestParams,
    load_api_config: Callable[[], FormsApiConfig],
    *,
    run_id: str,
    pseudonym_key: bytes | None = None,
    interval_end: datetime | None = None,
) -> dict[str, Any]:
    """One manual ingest run in this process (``impact pull``): the DAG's tasks in order, with
    its source isolation: a failing source is listed with its cause, the others still land.

    ``interval_end`` (default now) ends the month the run covers; ``params`` narrow it as the
    trigger form does (a named wave is pulled whatever its window). ``load_api_config`` is
    called only when a wave is to be pulled: workbooks and panel files land without it.
    """
    from impact_warehouse.ops.preflight import check_forms_api

    attempt = _Attempts(run_id)
    as_of = params.as_of or date.today()
    operations = attempt(
        SOURCE_TASKS["operations"], lambda: land_operations(settings, pseudonym_key)
    )
    panels = attempt(SOURCE_TASKS["panel_file"], lambda: land_panels(settings, pseudonym_key))
    start, end = manual_interval(interval_end or datetime.now(UTC))
    api_configs: list[FormsApiConfig] = []

    def plan() -> list[str]:
        waves = plan_interval(
            load_catalog(settings.catalog), start, end, as_of=as_of, params=params
        )
        if waves:  # once here, not once per wave (as the DAG's plan_waves)
            api_configs.append(check_forms_api(load_api_config))
        return waves

    planned = attempt("plan_waves", plan)
    waves = [
        attempt(
            "land_form_wave",
            lambda code=code: land_form_wave(
                settings, code, api_configs[0], pseudonym_key, as_of=params.as_of
            ),
            map_index=index,
        )
        for index, code in enumerate(planned or [])
    ]
    outcomes = SourceOutcomes(operations, panels, planned, waves)
    return summarise_sources(settings, run_id, outcomes, attempt.errors)


def run_ingest(
    settings: Settings,
    waves: list[str],
    api_config: FormsApiConfig,
    *,
    run_id: str,
    pseudonym_key: bytes | None = None,
    on_wave: Callable[[str, dict[str, Any]], None] | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The DAG's sequence in one process: workbooks (roster first), panels, waves, summary.

    Unlike the DAG it stops at the first failing source (the backfill command reports it and
    a re-run continues where it stopped).
    """
    operations = land_operations(settings, pseudonym_key)
    panels = land_panels(settings, pseudonym_key)
    landed_waves: list[dict[str, Any] | None] = []
    for wave_code in waves:
        unit = land_form_wave(settings, wave_code, api_config, pseudonym_key, as_of=as_of)
        landed_waves.append(unit)
        if on_wave is not None:
            on_wave(wave_code, unit)
    outcomes = SourceOutcomes(operations, panels, list(waves), landed_waves)
    return summarise_sources(settings, run_id, outcomes, [])


class _Attempts:
    """Runs each source's step isolated, as the DAG's tasks are: a failure is recorded as the
    source's cause (a :class:`TaskError`) and the run goes on with the other sources."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self.errors: list[TaskError] = []

    def __call__(self, task_id: str, work: Callable[[], Any], map_index: int = -1) -> Any:
        from impact_warehouse.ops.preflight import explain, is_permanent

        try:
            return work()
        except Exception as error:  # isolated: recorded as the source's cause, as in the DAG
            log.info("%s failed", task_id, exc_info=True)
            message_ja, detail = explain(error)
            self.errors.append(
                TaskError(
                    dag_id="impact_pull",
                    run_id=self.run_id,
                    task_id=task_id,
                    map_index=map_index,
                    try_number=1,
                    message_ja=message_ja,
                    detail=detail,
                    permanent=is_permanent(error),
                    recorded_at=datetime.now(UTC).isoformat(),
                )
            )
            return None
