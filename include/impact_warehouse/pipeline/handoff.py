"""Typed hand-offs between the jobs' steps: dataclasses that travel as JSON-safe dicts.

A DAG task's return value is kept by Airflow (XCom) in its metadata database, possibly for
days (an approval waits for a person), so it must be plain JSON; the next task reads it back
into the same type, and a missing or foreign value is a clear error, not a KeyError later.
The CLI passes the objects themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, Self


@dataclass(frozen=True)
class Handoff:
    """Base of the hand-offs: :meth:`to_xcom` and :meth:`from_xcom`; tuples travel as lists."""

    def to_xcom(self) -> dict[str, Any]:
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
        }

    @classmethod
    def from_xcom(cls, record: Mapping[str, Any] | None) -> Self:
        if not isinstance(record, Mapping):
            raise TypeError(f"expected a {cls.__name__} (a dict), got {record!r}")
        known = {field.name for field in fields(cls)}
        required = {
            field.name
            for field in fields(cls)
            if field.default is MISSING and field.default_factory is MISSING
        }
        missing, unknown = sorted(required - set(record)), sorted(set(record) - known)
        if missing or unknown:
            raise ValueError(f"not a {cls.__name__}: missing {missing}, unknown {unknown}")
        values = {
            name: tuple(value) if isinstance(value, list) and _is_tuple(cls, name) else value
            for name, value in record.items()
        }
        return cls(**values)


def _is_tuple(cls: type, name: str) -> bool:
    annotation = next(field.type for field in fields(cls) if field.name == name)
    return str(annotation).startswith("tuple")


@dataclass(frozen=True)
class BuildOutcome(Handoff):
    """What the build hands to the gate: the audit DuckDB file and how the build went."""

    audit_db: str
    nodes: int
    seconds: float
    source_freshness: str  # dbt source freshness status of the landing zone
    status_page: str | None  # the staff's response status page; None when it failed


@dataclass(frozen=True)
class GateOutcome(Handoff):
    """What the gate hands to the approval and the publish (XCom: :meth:`to_xcom`).

    Only JSON values: Airflow keeps it in its metadata database between tasks that may run
    days apart (an approval waits for a person). No finding values: the findings themselves
    went to staff as alerts and to the gate-run record.
    """

    run_id: str
    fiscal_year: int
    as_of: str  # ISO date the gate judged survey windows by
    audit_db: str
    gate_passed: bool
    failures: int
    warnings: int
    summary: dict[str, Any]  # the gate result a release keeps (quality.run_gate)
    data_docs: str | None
    gate_run: str  # the gate-run record (publish adds the release id to it)
    alert_fingerprints: tuple[str, ...] = ()
    alerts: dict[str, int] | None = None  # delivery statuses of the gate's alerts
    approval_required: bool = False
    draft_reports: tuple[str, ...] = ()  # HTML of the draft (approval only)
    # With approval: audit_db is the frozen copy the approver's draft was made from, and
    # this its checksum; the publish refuses a file that no longer matches.
    audit_sha256: str | None = None
    # False: this run refreshes the build and the gate only (approval on, new landing data).
    publish_requested: bool = True
