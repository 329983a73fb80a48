"""What the release job tells staff: gate findings as alerts, the release announcement's
figures, a rejected release, and the dedup ledger they are all recorded in.

The release job (:mod:`impact_warehouse.pipeline.release`) decides when; this module decides
what each message carries.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.notify import Alert, AlertLedger, send_alerts
from impact_warehouse.pipeline.handoff import GateOutcome
from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)


def finding_to_alert(finding: Any, *, fiscal_year: int, run_id: str) -> Alert:
    kind = "gate_failure" if finding.severity == "failure" else "gate_warning"
    return Alert(
        kind=kind,
        program_code=finding.program_code,
        cohort_code=finding.cohort_code,
        wave_code=finding.wave_code,
        check_name=finding.check_name,
        observed=finding.observed,
        threshold=finding.threshold,
        fiscal_year=fiscal_year,
        run_id=run_id,
        details={"message": finding.message_en, **finding.details},
        action_ja=finding.details.get("action_ja"),
    )


def headline_figures(published_db: Path, fiscal_year: int) -> dict[str, Any]:
    """Response rates of the fiscal year's waves, for the release announcement."""
    with duckdb.connect(str(published_db), read_only=True) as connection:
        rows = connection.execute(
            """
            select wave_code, responded, targeted, response_rate
            from marts.fct_response_rates
            inner join marts.dim_waves using (wave_code)
            where dim_waves.fiscal_year = ? and breakdown_level = 'all'
            order by wave_code
            """,
            [fiscal_year],
        ).fetchall()
    return {
        f"{wave} 回答率": (
            f"{responded}/{targeted} ({rate:.1%})" if rate is not None else f"{responded} 件"
        )
        for wave, responded, targeted, rate in rows
    }


def announce_rejection(settings: Settings, gate: GateOutcome) -> dict[str, Any]:
    """Tell staff the approver rejected (or did not answer in time): nothing was published."""
    alert = Alert(
        kind="release_rejected",
        fiscal_year=gate.fiscal_year,
        run_id=gate.run_id,
        details={"draft_reports": list(gate.draft_reports), "gate_run": gate.gate_run},
    )
    results = send_alerts([alert], ledger=alert_ledger(settings), settings=settings)
    log.warning("release of run %s rejected: the current release stays published", gate.run_id)
    return {"release_id": None, "alerts": dict(Counter(result.status for result in results))}


def alert_ledger(settings: Settings) -> AlertLedger:
    """The dedup ledger of ``settings``: resolving findings must touch the same one that
    :func:`~impact_warehouse.notify.send_alerts` records them in."""
    return AlertLedger(settings.outbox / "alert_ledger.sqlite")
