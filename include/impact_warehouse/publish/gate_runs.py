"""The record of every quality-gate run, passed or failed, for ``impact status``.

A release keeps the gate result that admitted it, but a failed gate makes no release: without
this record staff would see only the last passed release and nothing about the failure. Each
run writes ``<work>/quality/gate_runs/<UTC time>-<run>.json`` (atomically); the newest is the
latest gate run.

What is kept of a finding is its place (check, program, cohort, wave), the figure against its
threshold and a few counting details: never a failing value, so the record, like the status
page made from it, holds no answer text or personal data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from impact_warehouse.publish.files import (
    OPTIONAL_TEXT,
    DamagedRecordError,
    checked_fields,
    read_json_record,
    write_text_atomically,
)

# Counting and locating details only; anything else a check attaches may quote a value.
SAFE_DETAIL_KEYS = frozenset(
    {
        "rule",
        "fiscal_year",
        "wave_type",
        "open_date",
        "close_date",
        "window_state",
        "targeted",
        "responded",
        "rows",
        "respondents",
        "answers",
        "values",
        "day",
        "item_code",
        "table",
        "column",
        "kind",
    }
)


@dataclass(frozen=True)
class GateRun:
    run_id: str
    fiscal_year: int
    as_of: str
    judged_at: str
    passed: bool
    failures: int
    warnings: int
    checks: dict[str, Any]
    findings: list[dict[str, Any]]
    release_id: str | None
    data_docs: str | None
    path: Path

    @classmethod
    def read(cls, path: Path) -> GateRun:
        """The gate run recorded in ``path``; :class:`DamagedRecordError` when it cannot be
        read as one."""
        return _gate_run(read_json_record(path), path)


def _safe_scalar(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, bool | int | float)
        or (isinstance(value, str) and len(value) <= 80)
    )


def finding_record(finding: Any) -> dict[str, Any]:
    """The parts of a :class:`~impact_warehouse.quality.model.Finding` status may show."""
    details = finding.details or {}
    return {
        "check_name": finding.check_name,
        "severity": finding.severity,
        "program_code": finding.program_code,
        "cohort_code": finding.cohort_code,
        "wave_code": finding.wave_code,
        "observed": finding.observed if _safe_scalar(finding.observed) else None,
        "threshold": finding.threshold if _safe_scalar(finding.threshold) else None,
        "details": {
            key: value
            for key, value in details.items()
            if key in SAFE_DETAIL_KEYS and _safe_scalar(value)
        },
    }


def record_gate_run(
    *,
    run_id: str,
    fiscal_year: int,
    summary: dict[str, Any],
    findings: list[Any],
    release_id: str | None,
    data_docs: str | None,
    directory: Path,
    judged_at: datetime | None = None,
) -> GateRun:
    """Keep one gate run; ``release_id`` when the publish is already decided, else None and
    :func:`mark_gate_run_published` names it later."""
    moment = (judged_at or datetime.now(UTC)).astimezone(UTC)
    record = {
        "run_id": run_id,
        "fiscal_year": fiscal_year,
        "as_of": str(summary.get("as_of")),
        "judged_at": moment.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "passed": bool(summary.get("passed")),
        "failures": int(summary.get("failures", 0)),
        "warnings": int(summary.get("warnings", 0)),
        "checks": {
            name: {key: check.get(key) for key in ("status", "failures", "warnings")}
            for name, check in (summary.get("checks") or {}).items()
        },
        "findings": [finding_record(finding) for finding in findings],
        "release_id": release_id,
        "data_docs": data_docs,
    }
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_.")[:40] or "run"
    path = directory / f"{moment.strftime('%Y%m%dT%H%M%S%fZ')}-{slug}.json"
    write_text_atomically(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return GateRun(**record, path=path)


def mark_gate_run_published(path: Path, release_id: str) -> GateRun:
    """Name the release a recorded gate run admitted (the publish may follow the gate days
    later, after an approval)."""
    record = read_json_record(path)
    run = _gate_run(record, path)  # a damaged record is refused before it is rewritten
    record["release_id"] = release_id
    write_text_atomically(path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return replace(run, release_id=release_id)


def _gate_run(record: dict[str, Any], path: Path) -> GateRun:
    checked_fields(record, path, _GATE_RUN_FIELDS)
    if not all(isinstance(check, dict) for check in record["checks"].values()) or not all(
        isinstance(finding, dict) for finding in record["findings"]
    ):
        raise DamagedRecordError(path, "its checks or findings are not records")
    try:
        return GateRun(**record, path=path)
    except TypeError as error:
        raise DamagedRecordError(
            path, f"it is not a gate run record ({type(error).__name__}: {error})"
        ) from None


_GATE_RUN_FIELDS = {
    "run_id": str,
    "fiscal_year": int,
    "as_of": str,
    "judged_at": str,
    "passed": bool,
    "failures": int,
    "warnings": int,
    "checks": dict,
    "findings": list,
    "release_id": OPTIONAL_TEXT,
    "data_docs": OPTIONAL_TEXT,
}


def latest_gate_run(directory: Path) -> GateRun | None:
    """The newest gate run, or None when no run was recorded (e.g. a work folder from before)."""
    if not directory.is_dir():
        return None
    runs = sorted(path for path in directory.glob("*.json") if not path.name.startswith("."))
    return GateRun.read(runs[-1]) if runs else None
