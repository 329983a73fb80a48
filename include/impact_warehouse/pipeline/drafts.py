"""What an approver reads is what gets published: the gated build, frozen, and its draft.

With approval on (``organisation.csv`` ``release_approval``) a passing gate may wait days for
a person while the daily pulls rebuild the audit file. So the gate freezes a copy of the
build it masked and judged into ``<work>/drafts/<run>/audit.duckdb`` with its checksum; the
draft report is rendered from that copy, and the publish after the approval releases that
copy, refusing it if its checksum no longer matches. Drafts live beside, never inside,
``releases/`` and ``published/``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

from impact_warehouse.pipeline.handoff import GateOutcome
from impact_warehouse.publish import publish_release
from impact_warehouse.publish.files import sha256_of
from impact_warehouse.settings import Settings

DRAFTS_FOLDER = "drafts"
FROZEN_BUILD = "audit.duckdb"


class GatedBuildChangedError(RuntimeError):
    """The frozen build the approver saw was changed before the publish: nothing published."""


def draft_folder(settings: Settings, run_id: str) -> Path:
    return settings.work / DRAFTS_FOLDER / _slug(run_id)


def freeze_gated_build(settings: Settings, gate: GateOutcome) -> GateOutcome:
    """Copy the gated audit file into the run's draft folder; the outcome now points there."""
    root = draft_folder(settings, gate.run_id)
    if root.exists():
        shutil.rmtree(root)  # a retried gate task starts its draft again
    root.mkdir(parents=True)
    frozen = root / FROZEN_BUILD
    shutil.copyfile(gate.audit_db, frozen)
    return replace(gate, audit_db=str(frozen), audit_sha256=sha256_of(frozen))


def verify_gated_build(gate: GateOutcome) -> None:
    """Refuse to publish a frozen build whose bytes are not those the gate judged."""
    if gate.audit_sha256 is None:
        return
    path = Path(gate.audit_db)
    actual = sha256_of(path) if path.is_file() else "missing"
    if actual != gate.audit_sha256:
        raise GatedBuildChangedError(
            "承認された集計(品質チェック済みの下書き)のファイルが、承認のあとで変わっているか"
            "なくなっているため、公開を止めました。今の公開版はそのままです。"
            f" frozen build {path}: sha256 {actual} != gated {gate.audit_sha256}"
        )


def render_draft_report(settings: Settings, gate: GateOutcome) -> list[str]:
    """The reports of the frozen build, for the approver to read before anything is published.

    The build is kept as a release in the draft folder (``<work>/drafts/<run>/releases``) and
    rendered exactly as the release would be, so the approver reads the figures readers will
    get. Returns the HTML paths.
    """
    from impact_warehouse.report.job import render_after_publish

    root = draft_folder(settings, gate.run_id)
    for part in ("releases", "published", "reports"):
        shutil.rmtree(root / part, ignore_errors=True)
    draft = publish_release(
        Path(gate.audit_db),
        fiscal_year=gate.fiscal_year,
        run_id=gate.run_id,
        gate_result=gate.summary,
        releases_dir=root / "releases",
        published_path=root / "published" / "warehouse.duckdb",
    )
    reports = render_after_publish(
        {"gate_passed": True, "release_id": draft.release_id}, replace(settings, work=root)
    )
    return [str(report["html"]) for report in reports]


def _slug(run_id: str) -> str:
    # Run ids hold ':' and '+' (manual__2026-11-23T22:15:00+00:00): not for folder names.
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_.")[:60] or "run"
