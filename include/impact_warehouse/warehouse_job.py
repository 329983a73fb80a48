"""The warehouse job in plain Python: what the ``impact_warehouse`` DAG wires together.

ARCHITECTURE.md, write → audit → publish: dbt builds the audit warehouse, the quality gate
validates it, and only a passing gate publishes a release; staff hear about every failure,
every warning and every new release (deduplicated so an open problem is not re-sent).
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.notify import Alert, AlertLedger, send_alerts
from impact_warehouse.notify.targets import target_status_lines
from impact_warehouse.publish import publish_release
from impact_warehouse.publish.gate_runs import GATE_RUNS_DIR, record_gate_run
from impact_warehouse.quality.source_freshness import measure_source_freshness
from impact_warehouse.settings import Paths
from impact_warehouse.transform.dbt_runner import (
    PRODUCTION_BUILD,
    default_warehouse_path,
    run_dbt,
)
from impact_warehouse.transform.docs_site import DOCS_FOLDER, add_docs_to_release

log = logging.getLogger(__name__)


def build_audit_warehouse(settings: Paths) -> dict[str, Any]:
    """dbt build (models, seeds, data tests; the unit tests run in the test suite) into the
    audit DuckDB file, then ``dbt source freshness`` on the landing zone, kept beside it for
    the gate, then the response status page from the build (``"status_page"``: its path,
    ``None`` if it failed)."""
    run = run_dbt([*PRODUCTION_BUILD], landing_dir=settings.landing, catalog_dir=settings.catalog)
    freshness = measure_source_freshness(
        audit_db=run.duckdb_path,
        landing_dir=settings.landing,
        catalog_dir=settings.catalog,
        build_target=run.target_path,
    )
    return {
        "audit_db": str(run.duckdb_path),
        "nodes": len(run.node_statuses),
        "seconds": round(run.elapsed_seconds, 1),
        "source_freshness": freshness.status,
        "status_page": _refresh_status_page(settings, run.duckdb_path),
    }


def _refresh_status_page(settings: Paths, audit_db: Path) -> str | None:
    """Regenerate the staff's response status page after every pull's build.

    Here rather than after the gate: staff need today's rates most when a wave is open and
    the gate may be failing. The page is a convenience, so a failure to draw it is logged
    (as a warning, with the traceback) and never stops the build or a release.
    """
    from impact_warehouse.status_page import render_status_page

    try:
        return str(render_status_page(settings, audit_db=audit_db, as_of=None))
    except Exception:
        log.warning("the response status page could not be written", exc_info=True)
        return None


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


def gate_publish_and_alert(
    settings: Paths,
    *,
    fiscal_year: int,
    run_id: str,
    as_of: date,
    audit_db: Path | None = None,
) -> dict[str, Any]:
    """Validate the audit build; publish it only if the gate passes; alert staff.

    A fiscal year the catalog does not have is refused before anything runs
    (:class:`~impact_warehouse.ops.publishing.FiscalYearNotInCatalogError`). Every gate run,
    passed or failed, is recorded for ``impact status`` (:mod:`impact_warehouse.publish.gate_runs`).
    """
    from impact_warehouse.ops.publishing import require_catalog_fiscal_year
    from impact_warehouse.quality import run_gate
    from impact_warehouse.quality.privacy_masking import mask_personal_data

    require_catalog_fiscal_year(fiscal_year)
    audit_db = audit_db or default_warehouse_path()
    # Personal data the detector flags is masked, not a reason to block (see README, Privacy).
    mask_personal_data(audit_db, vault_dir=settings.vault)
    # The response-rate floor is judged for the fiscal year being released, not the as-of year.
    gate = run_gate(
        audit_db, as_of=as_of, landing_dir=settings.landing, release_fiscal_year=fiscal_year
    )
    alerts = [
        finding_to_alert(finding, fiscal_year=fiscal_year, run_id=run_id)
        for finding in gate.findings
    ]
    release_id = None
    docs_site = None
    if gate.passed:

        def attach(release_directory: Path) -> None:
            if gate.data_docs_dir is not None:
                # The gate's Data Docs stay with the release they admitted.
                shutil.copytree(gate.data_docs_dir, release_directory / "data_docs")
            # What every published table and column means, as of this release.
            add_docs_to_release(release_directory, audit_db=audit_db, landing_dir=settings.landing)

        release = publish_release(
            audit_db,
            fiscal_year=fiscal_year,
            run_id=run_id,
            gate_result=gate.summary,
            attach=attach,
        )
        release_id = release.release_id
        if (release.directory / DOCS_FOLDER).is_dir():
            docs_site = release.directory / DOCS_FOLDER
        alerts.append(
            Alert(
                kind="release_published",
                fiscal_year=fiscal_year,
                run_id=run_id,
                details={
                    "release_id": release_id,
                    "headline_figures": headline_figures(release.warehouse_path, fiscal_year),
                    "target_statuses": target_status_lines(release.warehouse_path, fiscal_year),
                },
            )
        )
    else:
        log.warning("gate failed for run %s: the current release stays published", run_id)
    record_gate_run(
        run_id=run_id,
        fiscal_year=fiscal_year,
        summary=gate.summary,
        findings=gate.findings,
        release_id=release_id,
        data_docs=str(gate.data_docs_dir) if gate.data_docs_dir else None,
        directory=settings.work.joinpath(*GATE_RUNS_DIR),
    )
    ledger = AlertLedger()
    results = send_alerts(alerts, ledger=ledger)
    # A condition the complete gate no longer finds is forgotten, so it alerts if it returns.
    ledger.resolve({alert.fingerprint for alert in alerts})
    return {
        "gate_passed": gate.passed,
        "failures": sum(1 for f in gate.findings if f.severity == "failure"),
        "warnings": sum(1 for f in gate.findings if f.severity == "warning"),
        "release_id": release_id,
        "alerts": dict(Counter(result.status for result in results)),
        "data_docs": str(gate.data_docs_dir) if gate.data_docs_dir else None,
        "docs_site": str(docs_site) if docs_site else None,
    }
