"""Freshness: the newest landed data is recent enough for the release (gate check ``freshness``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from great_expectations import expectations as gxe

from impact_warehouse.quality.checks.context import (
    LOCATION,
    CheckContext,
    cell_value,
    make_finding,
    unexpected_rows,
)
from impact_warehouse.quality.model import Finding


def _latest_landing_from_dir(landing_dir: Any) -> pd.Timestamp | None:
    from pathlib import Path

    if landing_dir is None or not Path(landing_dir).is_dir():
        return None
    mtimes = [p.stat().st_mtime for p in Path(landing_dir).rglob("*") if p.is_file()]
    return pd.Timestamp(max(mtimes), unit="s") if mtimes else None


def check_freshness(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("freshness")
    severity = ctx.severity("freshness", "warning")
    max_age = float(settings.get("max_age_days", 35))
    latest = cell_value(
        ctx.con.execute(
            "select max(landed_at) from staging.stg_google_forms__responses"
        ).fetchone()[0]
    )
    source = "staging.stg_google_forms__responses.landed_at"
    if latest is None:
        latest = _latest_landing_from_dir(ctx.landing_dir)
        source = "landing_dir file times"
    frame = ctx.df(
        """
        select wave_code, nullif(program_code, 'all') as program_code,
               case when targeted_cohort_count = 1 then targeted_cohort_codes end as cohort_code,
               open_date, close_date
        from marts.dim_waves
        where source_system = 'google_forms' and open_date <= ? and ? <= close_date
        order by wave_code
        """,
        [ctx.as_of, ctx.as_of],
    )
    age = None if latest is None else float((ctx.as_of - pd.Timestamp(latest).date()).days)
    frame["landing_age_days"] = age if age is not None else float("nan")
    outcomes = ctx.gx.validate(
        "freshness",
        frame,
        [
            gxe.ExpectColumnValuesToNotBeNull(column="landing_age_days"),
            gxe.ExpectColumnValuesToBeBetween(column="landing_age_days", max_value=max_age),
        ],
    )
    findings = []
    for _, row in unexpected_rows(frame, outcomes).iterrows():
        where = {k: row[k] for k in LOCATION}
        what = "no landing at all" if age is None else f"the latest landing is {age:g} days old"
        findings.append(
            make_finding(
                "freshness",
                severity,
                where,
                observed=age,
                threshold=max_age,
                message=(
                    f"Wave {row['wave_code']} is open ({pd.Timestamp(row['open_date']).date()} – "
                    f"{pd.Timestamp(row['close_date']).date()}) "
                    f"but {what} (max {max_age:g})."
                ),
                details={
                    "latest_landed_at": None if latest is None else str(latest),
                    "source": source,
                    "open_date": str(pd.Timestamp(row["open_date"]).date()),
                    "close_date": str(pd.Timestamp(row["close_date"]).date()),
                },
            )
        )
    return findings
