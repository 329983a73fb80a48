"""`dbt source freshness` for the landing zone: measured by the build job, read by the gate.

The freshness rule lives where dbt keeps it, in ``_google_forms__sources.yml``
(``loaded_at_field`` and ``freshness.warn_after`` of ``google_forms.responses``). The build
job runs ``dbt source freshness`` right after ``dbt build`` and keeps dbt's result
(``sources.json``) beside the audit DuckDB file, so the gate judges the build it validates.

The freshness query reads the landing glob, never a table. The build job runs it against the
audit file it has just built, with that build's target folder, so dbt reuses the build's
partial parse instead of parsing the project a second time (dbt re-parses in full when the
profile's database file name differs). A gate run on a build that has no result (a build made by
``run_dbt(["build"], settings)`` directly) measures it then against a scratch DuckDB file under
``<work>/dbt/freshness/``: the gate holds the audit file open read-only (DuckDB forbids a
second, writable handle in the same process).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from impact_warehouse.settings import Settings

log = logging.getLogger(__name__)

# The source whose newest landing says whether pulls are running.
FRESHNESS_SOURCE = "google_forms.responses"
RESULT_SUFFIX = ".source_freshness.json"
_PERIOD_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1.0}


@dataclass(frozen=True)
class SourceFreshness:
    """dbt's freshness result for :data:`FRESHNESS_SOURCE`."""

    unique_id: str
    # pass, warn, error; "runtime error" when dbt could not query (no landing file at all).
    status: str
    max_loaded_at: str | None
    snapshotted_at: str | None
    warn_after_days: float | None
    error_after_days: float | None
    message: str | None = None

    @property
    def latest(self) -> datetime | None:
        return None if self.max_loaded_at is None else datetime.fromisoformat(self.max_loaded_at)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def result_path(audit_db: Path) -> Path:
    """Where the freshness result of the build in ``audit_db`` is kept."""
    return audit_db.with_name(audit_db.name + RESULT_SUFFIX)


def measure_source_freshness(
    *,
    audit_db: Path,
    settings: Settings,
    landing_dir: Path | None = None,
    catalog_dir: Path | None = None,
    build_target: Path | None = None,
) -> SourceFreshness:
    """Run ``dbt source freshness`` on the landing zone; keep the result beside ``audit_db``.

    ``build_target``: the target folder of the ``dbt build`` that wrote ``audit_db`` (the
    build job, nothing else holding the file): dbt runs against ``audit_db`` there and reuses
    that build's parse. Without it, a scratch file and target under ``<work>/dbt/freshness/``
    of ``settings`` (whose landing and catalog are the defaults).
    """
    from impact_warehouse.transform.dbt_runner import DbtRunError, run_dbt

    if build_target is not None:
        target, database = build_target, audit_db
    else:
        scratch = settings.work / "dbt" / "freshness"
        target, database = scratch / "target", scratch / "freshness.duckdb"
    error: str | None = None
    locations: dict[str, Any] = {
        "target_path": target,
        "duckdb_path": database,
        "landing_dir": landing_dir,
        "catalog_dir": catalog_dir,
    }
    command = ["source", "freshness", "--select", f"source:{FRESHNESS_SOURCE}"]
    try:
        run_dbt(command, settings, write_manifest=False, **locations)
    except DbtRunError as failure:
        # A query that failed (no part file matches the glob: nothing landed yet) is a result
        # the gate reports. sources.json leaves it out; its criteria are in the manifest,
        # which only this rare case needs written.
        error = str(failure)
        try:
            run_dbt(["parse"], settings, **locations)
        except DbtRunError as parse_failure:
            # Without the criteria there is no result to keep (the gate would read one with
            # no threshold): both errors go up, as a failed measurement, and the gate measures
            # again itself (quality/checks/freshness.py).
            raise RuntimeError(
                f"dbt source freshness failed ({failure}), and so did the dbt parse that reads "
                f"its criteria ({parse_failure})"
            ) from failure
    result = _from_sources_json(target / "sources.json", error)
    path = result_path(audit_db)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(result.to_json(), encoding="utf-8")
    log.info("source freshness %s: %s (latest %s)", FRESHNESS_SOURCE, result.status, result.latest)
    return result


def read_source_freshness(audit_db: Path, build_results: Path) -> SourceFreshness | None:
    """The result the build job kept for ``audit_db``; None when it has none, or when it is
    older than the last ``dbt build`` (``build_results``: that build's ``run_results.json``):
    a build made without the job (``impact build``) must not be judged by the landing of an
    earlier one."""
    path = result_path(audit_db)
    if not path.is_file():
        return None
    if build_results.is_file() and build_results.stat().st_mtime_ns > path.stat().st_mtime_ns:
        return None
    try:
        return SourceFreshness(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{path} is not a source freshness result ({error}); delete it and rebuild"
        ) from None


def _days(threshold: Any) -> float | None:
    if not threshold or threshold.get("count") is None:
        return None
    period = threshold.get("period")
    if period not in _PERIOD_DAYS:
        raise ValueError(f"unknown freshness period {period!r} in {FRESHNESS_SOURCE}")
    return float(threshold["count"]) * _PERIOD_DAYS[period]


def _from_sources_json(path: Path, error: str | None) -> SourceFreshness:
    unique_id = f"source.impact_warehouse.{FRESHNESS_SOURCE}"
    if not path.is_file():
        raise RuntimeError(
            f"dbt source freshness wrote no {path}: {error or 'no error reported'}; "
            f"is `loaded_at_field` and `freshness` set for {FRESHNESS_SOURCE} in "
            "dbt_project/models/staging/google_forms/_google_forms__sources.yml?"
        )
    results = [
        r for r in json.loads(path.read_text(encoding="utf-8"))["results"]
        if r["unique_id"] == unique_id
    ]  # fmt: skip
    if not results and error is not None:
        # dbt leaves a source whose query failed out of sources.json; its criteria are in the
        # manifest the `dbt parse` after the failure wrote.
        manifest = json.loads((path.parent / "manifest.json").read_text(encoding="utf-8"))
        node = manifest["sources"].get(unique_id) or {}
        results = [
            {
                "status": "runtime error",
                "criteria": node.get("freshness") or {},
                "message": error,
            }
        ]
    if not results:
        raise RuntimeError(
            f"dbt source freshness has no result for {FRESHNESS_SOURCE}: set `loaded_at_field` "
            "and `freshness.warn_after` for it in _google_forms__sources.yml"
        )
    [result] = results
    criteria = result.get("criteria") or {}
    return SourceFreshness(
        unique_id=unique_id,
        status=str(result["status"]),
        max_loaded_at=result.get("max_loaded_at"),
        snapshotted_at=result.get("snapshotted_at"),
        warn_after_days=_days(criteria.get("warn_after")),
        error_after_days=_days(criteria.get("error_after")),
        message=(result.get("message") or error),
    )
