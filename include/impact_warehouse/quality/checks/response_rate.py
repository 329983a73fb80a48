"""Response rates per wave and cohort against their targets and floors (check ``response_rate``)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from great_expectations import expectations as gxe

from impact_warehouse.quality.checks.context import (
    LOCATION,
    CheckContext,
    cell_value,
    float_or_none,
    make_finding,
    organisation_fiscal_year,
)
from impact_warehouse.quality.model import Finding

_RATES_SQL = """
    select r.wave_code, r.fiscal_year, r.wave_type, r.breakdown_level,
           case when r.breakdown_level = 'cohort' then r.breakdown_code end as cohort_code,
           coalesce(c.program_code, nullif(w.program_code, 'all')) as program_code,
           r.targeted, r.responded, r.response_rate,
           w.response_rate_target, w.response_rate_floor, w.open_date, w.close_date
    from marts.fct_response_rates r
    join marts.dim_waves w using (wave_code)
    left join marts.dim_cohorts c
      on r.breakdown_level = 'cohort' and c.cohort_code = r.breakdown_code
    where r.breakdown_level in ('cohort', 'all')
    order by r.wave_code, r.breakdown_level desc, r.breakdown_code
"""

# Margin column → the rule it judges and the wave column holding its threshold.
_RULES = {
    "open_margin_to_target": ("below_target_while_open", "response_rate_target"),
    "closed_margin_to_floor": ("below_floor_after_close", "response_rate_floor"),
    "cohort_margin_to_floor": ("cohort_below_floor_after_close", "response_rate_floor"),
}


def check_response_rate(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("response_rate")
    skip = list(settings.get("skip_wave_types") or ["comparison"])
    frame = ctx.df(_RATES_SQL)
    frame = frame[~frame["wave_type"].isin(skip)].reset_index(drop=True)
    as_of = pd.Timestamp(ctx.as_of)
    frame["window_state"] = _window_states(frame, as_of)
    in_scope = _in_release_scope(ctx, frame, settings)
    frame.loc[(frame["window_state"] == "closed") & ~in_scope, "window_state"] = "closed_other"
    _add_margins(frame)
    eps = -1e-12
    outcomes = ctx.gx.validate(
        "response_rate",
        frame,
        [gxe.ExpectColumnValuesToBeBetween(column=column, min_value=eps) for column in _RULES],
    )
    findings = []
    for outcome in outcomes:
        if outcome.success:
            continue
        rule, threshold_column = _RULES[outcome.kwargs["column"]]
        for label in outcome.unexpected_index:
            findings.append(
                _finding(frame.loc[label], rule, threshold_column, as_of=as_of, settings=settings)
            )
    return findings


def _window_states(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """not_open, open or closed, per row, on ``as_of``."""
    opens = pd.to_datetime(frame["open_date"])
    closes = pd.to_datetime(frame["close_date"])
    state = pd.Series("not_open", index=frame.index)
    state[(opens <= as_of) & (as_of <= closes)] = "open"
    state[closes < as_of] = "closed"
    return state


def _in_release_scope(
    ctx: CheckContext, frame: pd.DataFrame, settings: dict[str, Any]
) -> pd.Series:
    """Rows whose floor can fail this gate; the closed waves of other years below their floor
    are noted for the summary instead (``ctx.notes["response_rate"]``)."""
    # Floors are judged for the fiscal year being released: a release of FY2024 made on a later
    # as-of date is held to FY2024's floors, and a closed wave of another year (which can no
    # longer be helped, or belongs to another release) is listed in the summary instead.
    # Without a release year (a gate run on its own) that is the fiscal year as_of falls in,
    # and every later year.
    as_of_fy = organisation_fiscal_year(ctx, ctx.as_of)
    release_fy = ctx.release_fiscal_year if ctx.release_fiscal_year is not None else as_of_fy
    scope = str(settings.get("floor_failure_scope", "release_fiscal_year"))
    if scope != "release_fiscal_year":
        in_scope = pd.Series(True, index=frame.index)
    elif ctx.release_fiscal_year is not None:
        in_scope = frame["fiscal_year"] == release_fy
    else:
        in_scope = frame["fiscal_year"] >= release_fy
    historic = frame[
        (frame["window_state"] == "closed") & ~in_scope & (frame["breakdown_level"] == "all")
    ]
    below = historic["response_rate"].astype("float64") < historic["response_rate_floor"].astype(
        "float64"
    )
    ctx.notes["response_rate"] = {
        "release_fiscal_year": release_fy,
        "floor_failure_scope": scope,
        "other_years_below_floor": [
            f"{r.wave_code}/{r.cohort_code}: "
            f"{float(r.response_rate):.3f} < {float(r.response_rate_floor):g}"
            for r in historic[below].itertuples()
        ],
    }
    return in_scope


def _add_margins(frame: pd.DataFrame) -> None:
    """Margins against the wave's own target / floor; null where the rule does not apply."""
    rate = frame["response_rate"].astype("float64")
    is_open = frame["window_state"] == "open"
    is_closed = frame["window_state"] == "closed"
    # While a wave is open, each targeted cohort is compared with the target, so staff know
    # whom to remind. The floor, like the target, is set per wave in waves.csv: a closed
    # wave fails on its whole targeted population (a follow-up targets several cohorts, and
    # the report publishes the wave's rate), not on its smallest cohort.
    is_cohort = frame["breakdown_level"] == "cohort"
    frame["open_margin_to_target"] = (rate - frame["response_rate_target"].astype("float64")).where(
        is_open & is_cohort & frame["response_rate_target"].notna()
    )
    frame["closed_margin_to_floor"] = (rate - frame["response_rate_floor"].astype("float64")).where(
        is_closed & ~is_cohort & frame["response_rate_floor"].notna()
    )
    # A cohort below the floor of a closed wave whose whole population met it: staff learn
    # which cohort to follow up next time, and the release is not blocked by it.
    frame["cohort_margin_to_floor"] = (rate - frame["response_rate_floor"].astype("float64")).where(
        is_closed & is_cohort & frame["response_rate_floor"].notna()
    )


def _finding(
    row: pd.Series,
    rule: str,
    threshold_column: str,
    *,
    as_of: pd.Timestamp,
    settings: dict[str, Any],
) -> Finding:
    where = {k: row[k] for k in LOCATION}
    threshold = float_or_none(row[threshold_column])
    observed = float_or_none(row["response_rate"])
    details = {
        "fiscal_year": cell_value(row["fiscal_year"]),
        "wave_type": cell_value(row["wave_type"]),
        "targeted": cell_value(row["targeted"]),
        "responded": cell_value(row["responded"]),
        "open_date": str(pd.Timestamp(row["open_date"]).date()),
        "close_date": str(pd.Timestamp(row["close_date"]).date()),
        "window_state": row["window_state"],
        "rule": rule,
    }
    counts = f"{observed:.1%} ({details['responded']}/{details['targeted']})"
    if rule == "below_target_while_open":
        severity = settings.get("warning_severity", "warning")
        # For the reminder alert: how long staff still have (0 on the closing day).
        details["days_left"] = (pd.Timestamp(row["close_date"]) - as_of).days
        message = (
            f"Response rate {counts} "
            f"of cohort {row['cohort_code']} in wave {row['wave_code']} is below its "
            f"target {threshold:.0%} while the window is open "
            f"(closes {details['close_date']})."
        )
    elif rule == "cohort_below_floor_after_close":
        severity = settings.get("warning_severity", "warning")
        message = (
            f"Response rate {counts} "
            f"of cohort {row['cohort_code']} in wave {row['wave_code']} is below the "
            f"wave's floor {threshold:.0%} (the wave as a whole met it; window closed "
            f"on {details['close_date']})."
        )
    else:
        severity = settings.get("failure_severity", "failure")
        message = (
            f"Response rate {counts} "
            f"of wave {row['wave_code']} is below its "
            f"floor {threshold:.0%} after the window closed on {details['close_date']}."
        )
    return make_finding(
        "response_rate",
        severity,
        where,
        observed=observed,
        threshold=threshold,
        message=message,
        details=details,
    )
