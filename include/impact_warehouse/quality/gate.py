"""Run the quality gate on a built (audit) warehouse."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from impact_warehouse.quality.checks import CHECKS, CheckContext
from impact_warehouse.quality.config import load_gate_config
from impact_warehouse.quality.gx_session import GxSession
from impact_warehouse.quality.model import Finding, GateResult
from impact_warehouse.settings import Settings


def default_data_docs_dir(work: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return work / "quality" / "data_docs" / stamp


def run_gate(
    audit_db: Path,
    settings: Settings,
    *,
    as_of: date,
    data_docs_dir: Path | None = None,
    landing_dir: Path | None = None,
    config_path: Path | None = None,
    release_fiscal_year: int | None = None,
) -> GateResult:
    """Validate the warehouse at ``audit_db`` (opened read-only) as of ``as_of``.

    Every check is a GX suite over a pandas DataFrame read from DuckDB; Data Docs are built
    into ``data_docs_dir`` (default ``<work>/quality/data_docs/<timestamp>``). ``landing_dir``
    is the landing folder ``dbt source freshness`` reads when the build job left no freshness
    result for this build (see :mod:`impact_warehouse.transform.source_freshness`). A check
    that cannot run (e.g. a missing table) is itself a failure. ``release_fiscal_year`` is the
    fiscal year being released (response-rate floors are judged for it); default: the fiscal
    year ``as_of`` falls in. ``settings``: the installation whose folders the gate writes to
    and reads the vault and the catalog from.
    """
    landing_dir = landing_dir if landing_dir is not None else settings.landing
    started = time.perf_counter()
    config = load_gate_config(config_path) if config_path else load_gate_config()
    docs_dir = (
        Path(data_docs_dir) if data_docs_dir is not None else default_data_docs_dir(settings.work)
    )
    session = GxSession(docs_dir)
    findings: list[Finding] = []
    checks_summary: dict[str, dict[str, object]] = {}
    con = duckdb.connect(str(audit_db), read_only=True)
    try:
        ctx = CheckContext(
            con=con,
            gx=session,
            config=config,
            as_of=as_of,
            landing_dir=landing_dir,
            release_fiscal_year=release_fiscal_year,
            run_settings=settings,
        )
        for name, check in CHECKS.items():
            t0 = time.perf_counter()
            found = _run_check(name, check, ctx)
            findings.extend(found)
            checks_summary[name] = {
                **_check_summary(found),
                "seconds": round(time.perf_counter() - t0, 3),
                **ctx.notes.get(name, {}),
            }
    finally:
        con.close()
    built_docs = session.build_docs()
    summary = _gate_summary(audit_db, as_of, findings, checks_summary, config, started)
    return GateResult(
        passed=bool(summary["passed"]), findings=findings, data_docs_dir=built_docs, summary=summary
    )


def _gate_summary(
    audit_db: Path,
    as_of: date,
    findings: list[Finding],
    checks_summary: dict[str, dict[str, object]],
    config: dict[str, Any],
    started: float,
) -> dict[str, object]:
    """What a release keeps of the gate run (release.json, ``impact status``)."""
    failures = sum(f.severity == "failure" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return {
        "audit_db": str(audit_db),
        "as_of": as_of.isoformat(),
        "passed": failures == 0,
        "failures": failures,
        "warnings": warnings,
        "checks": checks_summary,
        "suppression_k": (config.get("suppression") or {}).get("k"),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _run_check(
    name: str, check: Callable[[CheckContext], list[Finding]], ctx: CheckContext
) -> list[Finding]:
    """The check's findings; a check that cannot run is itself a failure."""
    try:
        return check(ctx)
    except Exception as error:
        return [
            Finding(
                check_name=name,
                severity="failure",
                program_code=None,
                cohort_code=None,
                wave_code=None,
                observed=None,
                threshold=None,
                message_en=f"Check {name} could not run: {type(error).__name__}: {error}",
                details={"error": repr(error)},
            )
        ]


def _check_summary(found: list[Finding]) -> dict[str, object]:
    severities = {f.severity for f in found}
    return {
        "status": "failure" if "failure" in severities else "warning" if severities else "passed",
        "failures": sum(f.severity == "failure" for f in found),
        "warnings": sum(f.severity == "warning" for f in found),
    }
