"""The release job: build → gate → (approval) → publish → alerts → report.

The ``impact_warehouse`` DAG runs each step as a task (:func:`build_audit_warehouse`,
:func:`gate_audit_warehouse`, the approval, :func:`publish_after_gate`, the reports);
``impact publish`` and ``impact backfill`` run them in one process
(:func:`~impact_warehouse.pipeline.release_in_process.build_gate_publish`).

ARCHITECTURE.md, write → audit → publish: dbt builds the audit warehouse, the quality gate
validates it, and only a passing gate publishes a release; staff hear about every failure,
every warning and every new release (deduplicated so an open problem is not re-sent).
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from impact_warehouse.catalog import Catalog, load_catalog
from impact_warehouse.notify import Alert, channels_from_env, send_alerts
from impact_warehouse.notify.targets import target_status_lines
from impact_warehouse.pipeline.drafts import (
    freeze_gated_build,
    render_draft_report,
    verify_gated_build,
)
from impact_warehouse.pipeline.gate_worker import GateWorker
from impact_warehouse.pipeline.handoff import BuildOutcome, GateOutcome
from impact_warehouse.pipeline.release_alerts import (
    alert_ledger,
    finding_to_alert,
    headline_figures,
)
from impact_warehouse.pipeline.status_refresh import PendingStatusPage, read_status_page
from impact_warehouse.publish import Release, publish_release
from impact_warehouse.publish.gate_runs import (
    mark_gate_run_published,
    record_gate_run,
)
from impact_warehouse.settings import Settings
from impact_warehouse.transform.dbt_runner import (
    PRODUCTION_BUILD,
    run_dbt,
)
from impact_warehouse.transform.docs_site import DOCS_FOLDER, add_docs_to_release
from impact_warehouse.transform.source_freshness import measure_source_freshness

log = logging.getLogger(__name__)


Progress = Callable[[str], Callable[[], None]]


class FiscalYearNotInCatalogError(ValueError):
    """A release was asked for a fiscal year no survey wave of the catalog belongs to."""

    def __init__(self, fiscal_year: int, known: list[int]) -> None:
        super().__init__(
            f"fiscal year {fiscal_year} is not in the catalog (waves.csv has {known}); "
            "not building a release for it"
        )
        self.fiscal_year = fiscal_year
        self.known = known

    @property
    def message_ja(self) -> str:
        years = "、".join(f"{year}年度" for year in self.known) or "(ありません)"
        return (
            f"{self.fiscal_year}年度はカタログ(dbt_project/seeds/waves.csv)にない年度のため、"
            f"公開しません。公開できる年度: {years}"
        )


def catalog_fiscal_years(catalog: Catalog) -> list[int]:
    return sorted({wave.fiscal_year for wave in catalog.waves.values()})


def require_catalog_fiscal_year(fiscal_year: int, catalog: Catalog) -> None:
    """Refuse a fiscal year the catalog does not have: a release labelled with it would be
    announced to staff as new figures of a year that has no survey at all."""
    known = catalog_fiscal_years(catalog)
    if fiscal_year not in known:
        raise FiscalYearNotInCatalogError(fiscal_year, known)


def default_release_fiscal_year(as_of: date, catalog: Catalog) -> int:
    """Same rule as the DAG: the fiscal year of the latest survey wave closed by ``as_of``."""
    closed = [wave.fiscal_year for wave in catalog.waves.values() if wave.close_date <= as_of]
    if not closed:
        raise ValueError(
            f"no survey wave in the catalog has closed by {as_of}; pass the fiscal year to release"
        )
    return max(closed)


def build_audit_warehouse(settings: Settings) -> BuildOutcome:
    """dbt build (models, seeds, data tests; the unit tests run in the test suite) into the
    audit DuckDB file, then ``dbt source freshness`` on the landing zone, kept beside it for
    the gate, then the response status page from the build (``status_page``: its path,
    ``None`` if it failed)."""
    build, status_page = build_and_read_status_page(settings)
    return replace(build, status_page=status_page.draw())


def build_and_read_status_page(settings: Settings) -> tuple[BuildOutcome, PendingStatusPage]:
    """:func:`build_audit_warehouse` with the status page's figures read but not yet drawn:
    the caller draws it (``status_page`` of the outcome is None), while its gate runs."""
    # No manifest: the gate reads the run's result; a release writes its own docs manifest.
    run = run_dbt([*PRODUCTION_BUILD], settings, write_manifest=False)
    try:
        freshness = measure_source_freshness(
            audit_db=run.duckdb_path,
            settings=settings,
            build_target=run.target_path,
        ).status
    except Exception:
        # The gate measures again when the build kept no result (quality/checks/freshness):
        # a failed measurement here must not fail a build that succeeded.
        log.warning("dbt source freshness failed after the build", exc_info=True)
        freshness = "not measured"
    build = BuildOutcome(
        audit_db=str(run.duckdb_path),
        nodes=len(run.node_statuses),
        seconds=round(run.elapsed_seconds, 1),
        source_freshness=freshness,
        status_page=None,
    )
    return build, read_status_page(settings, run.duckdb_path)


def gate_publish_and_alert(
    settings: Settings,
    *,
    fiscal_year: int,
    run_id: str,
    as_of: date,
    audit_db: Path | None = None,
    gates: GateWorker | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> dict[str, Any]:
    """Validate the audit build; publish it only if the gate passes; alert staff.

    The gate and the publish in one call, with no approval in between: what ``impact publish``
    and the tests run. The DAG runs the two halves as tasks, with the organisation's optional
    approval between them (:func:`gate_audit_warehouse`, :func:`publish_after_gate`).
    ``gates``: a worker that has loaded the gate while the build ran runs it; ``meanwhile``
    is called here while it does (:meth:`GateWorker.run_gate`).
    """
    gate, alerts = _judge(
        settings,
        fiscal_year=fiscal_year,
        run_id=run_id,
        as_of=as_of,
        audit_db=audit_db,
        gates=gates,
        meanwhile=meanwhile,
    )
    # One call, so the findings and the release announcement go out as one digest.
    return publish_after_gate(settings, gate, pending_alerts=alerts)


def gate_audit_warehouse(
    settings: Settings,
    *,
    fiscal_year: int,
    run_id: str,
    as_of: date,
    audit_db: Path | None = None,
    approval_required: bool = False,
    publish_requested: bool = True,
) -> GateOutcome:
    """Mask, validate and record the audit build; alert staff of what the gate found.

    ``publish_requested`` False (a run after new landing data when approval is on): the build,
    the gate and its alerts refresh, and nothing is frozen, drafted or offered for approval.

    The first half of :func:`gate_publish_and_alert`, for the DAG's gate task. Staff hear the
    findings now, not after an approval that may take days; the release announcement follows
    from :func:`publish_after_gate`. With ``approval_required`` a passing gate also renders a
    draft report of this build for the approver (:func:`render_draft_report`).
    """
    gate, alerts = _judge(
        settings, fiscal_year=fiscal_year, run_id=run_id, as_of=as_of, audit_db=audit_db
    )
    ledger = alert_ledger(settings)
    results = send_alerts(alerts, ledger=ledger, settings=settings)
    # A condition the complete gate no longer finds is forgotten, so it alerts if it returns.
    ledger.resolve(gate.alert_fingerprints)
    gate = replace(
        gate,
        alerts=dict(Counter(result.status for result in results)),
        approval_required=approval_required,
        publish_requested=publish_requested,
    )
    if gate.gate_passed and approval_required and publish_requested:
        # The approval may wait days while daily pulls rebuild the audit file: the approver
        # reads, and the publish releases, this very build (masked and gated), frozen here.
        gate = freeze_gated_build(settings, gate)
        gate = replace(gate, draft_reports=tuple(render_draft_report(settings, gate)))
    return gate


def _judge(
    settings: Settings,
    *,
    fiscal_year: int,
    run_id: str,
    as_of: date,
    audit_db: Path | None,
    gates: GateWorker | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[GateOutcome, list[Alert]]:
    """Mask, run the gate and record the run; the alerts it calls for are not sent yet.

    A fiscal year the catalog does not have is refused before anything runs
    (:class:`FiscalYearNotInCatalogError`). Every gate run,
    passed or failed, is recorded for ``impact status`` (:mod:`impact_warehouse.publish.gate_runs`);
    a publish adds its release id to that record.
    """
    from impact_warehouse.quality.privacy_masking import mask_personal_data

    require_catalog_fiscal_year(fiscal_year, load_catalog(settings.catalog))
    audit_db = audit_db or settings.audit_warehouse
    # Personal data the detector flags is masked, not a reason to block (see README, Privacy).
    mask_personal_data(audit_db, vault_dir=settings.vault)
    # The response-rate floor is judged for the fiscal year being released, not the as-of year.
    gate = (gates or GateWorker(wanted=False)).run_gate(
        audit_db,
        settings,
        as_of=as_of,
        landing_dir=settings.landing,
        release_fiscal_year=fiscal_year,
        meanwhile=meanwhile,
    )
    alerts = [
        finding_to_alert(finding, fiscal_year=fiscal_year, run_id=run_id)
        for finding in gate.findings
    ]
    data_docs = str(gate.data_docs_dir) if gate.data_docs_dir else None
    record = record_gate_run(
        run_id=run_id,
        fiscal_year=fiscal_year,
        summary=gate.summary,
        findings=gate.findings,
        release_id=None,
        data_docs=data_docs,
        directory=settings.gate_runs,
    )
    if not gate.passed:
        log.warning("gate failed for run %s: the current release stays published", run_id)
    outcome = GateOutcome(
        run_id=run_id,
        fiscal_year=fiscal_year,
        as_of=as_of.isoformat(),
        audit_db=str(audit_db),
        gate_passed=gate.passed,
        failures=sum(1 for f in gate.findings if f.severity == "failure"),
        warnings=sum(1 for f in gate.findings if f.severity == "warning"),
        summary=gate.summary,
        data_docs=data_docs,
        gate_run=str(record.path),
        alert_fingerprints=tuple(alert.fingerprint for alert in alerts),
    )
    return outcome, alerts


def publish_after_gate(
    settings: Settings, gate: GateOutcome, *, pending_alerts: Sequence[Alert] = ()
) -> dict[str, Any]:
    """Publish the gated build (nothing when the gate failed) and announce the release.

    The DAG runs it after the approval when the organisation requires one, and not at all
    after a rejection. ``pending_alerts``: the gate's alerts when they were not sent yet
    (:func:`gate_publish_and_alert`). The returned dict is what ``report.job`` and the CLI read.
    """
    release_id = None
    docs_site = None
    alerts: list[Alert] = list(pending_alerts)
    # Read before anything is published: a channel set up wrong stops the publish, rather
    # than a release going live that staff are never told of.
    channels = channels_from_env(outbox=settings.outbox / "alerts.jsonl")
    if gate.gate_passed:
        release = _publish_gated_build(settings, gate)
        release_id = release.release_id
        if (release.directory / DOCS_FOLDER).is_dir():
            docs_site = release.directory / DOCS_FOLDER
        alerts.append(_release_announcement(gate, release.release_id, release.warehouse_path))
    ledger = alert_ledger(settings)
    # Called with no alerts it still retries what earlier runs could not deliver.
    results = send_alerts(alerts, channels=channels, ledger=ledger, settings=settings)
    ledger.resolve([*gate.alert_fingerprints, *(alert.fingerprint for alert in alerts)])
    statuses = Counter(gate.alerts or {}) + Counter(result.status for result in results)
    return {
        "gate_passed": gate.gate_passed,
        "failures": gate.failures,
        "warnings": gate.warnings,
        "release_id": release_id,
        "alerts": dict(statuses),
        "data_docs": gate.data_docs,
        "docs_site": str(docs_site) if docs_site else None,
    }


def _publish_gated_build(settings: Settings, gate: GateOutcome) -> Release:
    """Release the gated audit file with its Data Docs and dbt docs, and note the release id
    on the gate-run record."""
    verify_gated_build(gate)
    audit_db = Path(gate.audit_db)

    def attach(release_directory: Path) -> None:
        if gate.data_docs is not None:
            # The gate's Data Docs stay with the release they admitted.
            shutil.copytree(gate.data_docs, release_directory / "data_docs")
        # What every published table and column means, as of this release.
        add_docs_to_release(
            release_directory,
            audit_db=audit_db,
            settings=settings,
        )

    release = publish_release(
        audit_db,
        fiscal_year=gate.fiscal_year,
        run_id=gate.run_id,
        gate_result=gate.summary,
        releases_dir=settings.releases,
        published_path=settings.published_warehouse,
        attach=attach,
    )
    mark_gate_run_published(Path(gate.gate_run), release.release_id)
    return release


def _release_announcement(gate: GateOutcome, release_id: str, warehouse: Path) -> Alert:
    return Alert(
        kind="release_published",
        fiscal_year=gate.fiscal_year,
        run_id=gate.run_id,
        details={
            "release_id": release_id,
            "headline_figures": headline_figures(warehouse, gate.fiscal_year),
            "target_statuses": target_status_lines(warehouse, gate.fiscal_year),
        },
    )
