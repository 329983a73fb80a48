"""Freshness: the newest landed data is recent enough while a survey is open (check ``freshness``).

The newest landing time and the allowed age come from ``dbt source freshness`` (see
:mod:`impact_warehouse.transform.source_freshness`): the build job measures it, this check reads
the result and locates it on the open google_forms waves. The age is counted to ``as_of``, not
to the moment dbt ran, so a gate re-run for an earlier day judges that day; dbt's own status
(against the clock) is kept in the finding's details.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from great_expectations import expectations as gxe

from impact_warehouse.quality.checks.context import (
    LOCATION,
    CheckContext,
    make_finding,
    unexpected_rows,
)
from impact_warehouse.quality.model import Finding
from impact_warehouse.transform.source_freshness import (
    FRESHNESS_SOURCE,
    SourceFreshness,
    measure_source_freshness,
    read_source_freshness,
)


def _audit_db(ctx: CheckContext) -> Path:
    (path,) = ctx.con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    return Path(path)


def source_freshness(ctx: CheckContext) -> SourceFreshness:
    """The build's dbt freshness result; measured now when the build job left none."""
    audit_db = _audit_db(ctx)
    settings = ctx.run_settings
    result = read_source_freshness(audit_db, settings.work / "dbt" / "target" / "run_results.json")
    if result is None:
        landing = Path(ctx.landing_dir) if ctx.landing_dir is not None else settings.landing
        result = measure_source_freshness(audit_db=audit_db, settings=settings, landing_dir=landing)
    return result


def check_freshness(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("freshness")
    severity = ctx.severity("freshness", "warning")
    if "max_age_days" in settings:
        raise ValueError(
            "freshness.max_age_days in the gate config is no longer read: the allowed age is "
            f"freshness.warn_after of {FRESHNESS_SOURCE} in dbt_project/models/staging/"
            "google_forms/_google_forms__sources.yml; move the value there"
        )
    frame = _open_waves(ctx)
    if frame.empty:
        # No survey open: a pause in pulls is expected, and dbt need not be asked.
        return []
    result = source_freshness(ctx)
    if result.warn_after_days is None:
        raise ValueError(
            f"{FRESHNESS_SOURCE} has no freshness.warn_after in _google_forms__sources.yml"
        )
    max_age = result.warn_after_days
    latest = result.latest
    age = None if latest is None else float((ctx.as_of - latest.date()).days)
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
        findings.append(_stale_wave_finding(row, severity, age, max_age, result))
    return findings


def _open_waves(ctx: CheckContext) -> pd.DataFrame:
    """The google_forms waves open on ``as_of``, located by program and (single) cohort."""
    return ctx.df(
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


def _stale_wave_finding(
    row: pd.Series, severity: str, age: float | None, max_age: float, result: SourceFreshness
) -> Finding:
    """An open wave whose newest landing is missing or older than dbt's warn_after."""
    where = {k: row[k] for k in LOCATION}
    what = "no landing at all" if age is None else f"the latest landing is {age:g} days old"
    latest = result.latest
    return make_finding(
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
            "source": f"dbt source freshness ({FRESHNESS_SOURCE}, loaded_at_field)",
            "dbt_status": result.status,
            "open_date": str(pd.Timestamp(row["open_date"]).date()),
            "close_date": str(pd.Timestamp(row["close_date"]).date()),
        },
    )
