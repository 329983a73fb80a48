"""What every gate check shares: the context it reads from, and how a finding is located
(program / cohort / wave) and worded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from impact_warehouse.catalog.organisation import fiscal_year_of
from impact_warehouse.quality.gx_session import ExpectationOutcome, GxSession
from impact_warehouse.quality.model import Finding
from impact_warehouse.settings import Settings

LOCATION = ("program_code", "cohort_code", "wave_code")


@dataclass
class CheckContext:
    con: duckdb.DuckDBPyConnection
    gx: GxSession
    config: dict[str, Any]
    as_of: date
    run_settings: Settings  # the installation's folders (vault, work, catalog)
    landing_dir: Any = None
    notes: dict[str, Any] = field(default_factory=dict)
    release_fiscal_year: int | None = None  # None: the fiscal year as_of falls in

    def settings(self, check: str) -> dict[str, Any]:
        return dict(self.config.get(check) or {})

    def severity(self, check: str, default: str = "failure") -> str:
        return str(self.settings(check).get("severity", default))

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df().reset_index(drop=True)


def cell_value(value: Any) -> Any:
    """A plain Python value, None for NA."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def text_or_none(value: Any) -> str | None:
    value = cell_value(value)
    return None if value is None else str(value)


def float_or_none(value: Any) -> float | None:
    value = cell_value(value)
    return None if value is None else float(value)


def unexpected_rows(frame: pd.DataFrame, outcomes: Iterable[ExpectationOutcome]) -> pd.DataFrame:
    labels: list[Any] = []
    for outcome in outcomes:
        if not outcome.success:
            labels.extend(outcome.unexpected_index)
    return frame.loc[sorted(set(labels))] if labels else frame.iloc[0:0]


def located_groups(
    rows: pd.DataFrame, keys: list[str]
) -> Iterable[tuple[dict[str, Any], pd.DataFrame]]:
    present = [k for k in keys if k in rows.columns]
    if rows.empty:
        return
    if not present:
        yield {}, rows
        return
    for key, group in rows.groupby(present, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        yield {k: cell_value(v) for k, v in zip(present, key, strict=True)}, group


def make_finding(
    check: str,
    severity: str,
    where: dict[str, Any],
    *,
    observed: float | None,
    threshold: float | None,
    message: str,
    details: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        check_name=check,
        severity=severity,  # type: ignore[arg-type]
        program_code=text_or_none(where.get("program_code")),
        cohort_code=text_or_none(where.get("cohort_code")),
        wave_code=text_or_none(where.get("wave_code")),
        observed=observed,
        threshold=threshold,
        message_en=message,
        details=details or {},
    )


def place_of(where: dict[str, Any]) -> str:
    parts = [f"{k.removesuffix('_code')} {v}" for k, v in where.items() if v is not None]
    return ", ".join(parts) if parts else "no program/cohort/wave"


def organisation_fiscal_year(ctx: CheckContext, day: date) -> int:
    """The fiscal year of ``day``, starting in the organisation's month (organisation.csv)."""
    start_month = int(ctx.df("select fiscal_year_start_month from catalog.organisation").iat[0, 0])
    return fiscal_year_of(day, start_month)
