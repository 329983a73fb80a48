"""Answers inside their scales: ``scale_domain`` (the catalog's value ranges) and
``hours_plausible`` (time use that fits in a day)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from great_expectations import expectations as gxe
from great_expectations.expectations.row_conditions import Column

from impact_warehouse.quality.checks.context import (
    LOCATION,
    CheckContext,
    float_or_none,
    located_groups,
    make_finding,
    place_of,
    unexpected_rows,
)
from impact_warehouse.quality.model import Finding


def scale_domains(ctx: CheckContext) -> dict[str, tuple[float, float]]:
    """scale_code → (min, max) from the catalog seed as built (one source: scales.csv)."""
    frame = ctx.df(
        """
        select scale_code, min_value, max_value
        from catalog.scales
        where min_value is not null and max_value is not null
        order by scale_code
        """
    )
    return {
        str(row.scale_code): (float(row.min_value), float(row.max_value))
        for row in frame.itertuples(index=False)
    }


def check_scale_domain(ctx: CheckContext) -> list[Finding]:
    domains = scale_domains(ctx)
    severity = ctx.severity("scale_domain")
    # One row per distinct (wave, cohort, program, item, scale, value) with the number of
    # counted answers carrying it. The expectations judge values, so GX reaches the same
    # verdicts on a frame that no longer grows with the answers (10 million at 1000× took
    # over a minute as one row each).
    frame = ctx.df(
        """
        select wave_code, cohort_code, program_code, item_code, scale_code, value_numeric,
               count(*) as answers
        from marts.fct_answers
        where is_counted and scale_code in (select unnest(?::varchar[]))
        group by wave_code, cohort_code, program_code, item_code, scale_code, value_numeric
        order by wave_code, cohort_code, program_code, item_code, scale_code, value_numeric
        """,
        [list(domains)],
    )
    expectations = _domain_expectations(domains)
    rows = unexpected_rows(frame, ctx.gx.validate("scale_domain", frame, expectations))
    findings = []
    for where, group in located_groups(rows, [*LOCATION, "item_code", "scale_code"]):
        findings.append(_domain_finding(ctx, severity, where, group, domains[where["scale_code"]]))
    return findings


def _domain_expectations(domains: dict[str, tuple[float, float]]) -> list[Any]:
    """Per scale: counted answers inside its range, and never missing a number."""
    expectations: list[Any] = []
    for scale, (low, high) in domains.items():
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="value_numeric",
                min_value=low,
                max_value=high,
                row_condition=Column("scale_code") == scale,
            )
        )
        expectations.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column="value_numeric",
                row_condition=Column("scale_code") == scale,
            )
        )
    return expectations


def _domain_finding(
    ctx: CheckContext,
    severity: str,
    where: dict[str, Any],
    group: pd.DataFrame,
    domain: tuple[float, float],
) -> Finding:
    """One finding per item and place; the worst value shown is the highest one above the
    range when there is one, else the lowest (which may be a missing number)."""
    scale = where["scale_code"]
    low, high = domain
    values = group["value_numeric"].astype("float64")
    worst = values.max() if values.notna().any() and values.max() > high else values.min()
    answers = int(group["answers"].sum())
    return make_finding(
        "scale_domain",
        severity,
        where,
        observed=float_or_none(worst),
        threshold=float(high),
        message=(
            f"{answers} counted answer(s) to item {where['item_code']} "
            f"({place_of({k: where[k] for k in LOCATION})}) outside the {scale} scale "
            f"{low:g}–{high:g} (e.g. {float_or_none(worst)})."
        ),
        details={
            "item_code": where["item_code"],
            "scale_code": scale,
            "min_value": low,
            "max_value": high,
            "rows": answers,
            "answer_keys": _first_answer_keys(ctx, where, values),
        },
    )


def _first_answer_keys(ctx: CheckContext, where: dict[str, Any], values: pd.Series) -> list[str]:
    """The 20 smallest answer keys of the counted answers at ``where`` with these values."""
    present = [float(value) for value in values.dropna()]
    keys = ctx.df(
        """
        select answer_key
        from marts.fct_answers
        where is_counted
            and wave_code is not distinct from ?
            and cohort_code is not distinct from ?
            and program_code is not distinct from ?
            and item_code is not distinct from ?
            and scale_code = ?
            and (value_numeric in (select unnest(?::double[]))
                 or (? and value_numeric is null))
        order by answer_key
        limit 20
        """,
        [
            where.get("wave_code"),
            where.get("cohort_code"),
            where.get("program_code"),
            where.get("item_code"),
            where["scale_code"],
            present,
            bool(values.isna().any()),
        ],
    )
    return [str(key) for key in keys["answer_key"]]


# --------------------------------------------------------------------------- hours_plausible


def check_hours_plausible(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("hours_plausible")
    severity = ctx.severity("hours_plausible")
    max_hours = float(settings.get("max_hours_per_day", 24))
    days = _hours_items_per_day(ctx)
    if not days:
        return []
    frame = daily_totals(ctx.con, days)
    expectations = [
        gxe.ExpectColumnValuesToBeBetween(
            column=f"{day}_total_hours", min_value=0, max_value=max_hours
        )
        for day in days
    ]
    outcomes = ctx.gx.validate("hours_plausible", frame, expectations)
    findings = []
    for outcome in outcomes:
        if outcome.success:
            continue
        column = outcome.kwargs["column"]
        rows = frame.loc[outcome.unexpected_index]
        for where, group in located_groups(rows, list(LOCATION)):
            worst = float_or_none(group[column].max())
            findings.append(
                make_finding(
                    "hours_plausible",
                    severity,
                    where,
                    observed=worst,
                    threshold=max_hours,
                    message=(
                        f"{len(group)} respondent(s) ({place_of(where)}) report "
                        f"{column.removesuffix('_total_hours')} housework hours self + partner "
                        f"outside 0–{max_hours:g} per day (up to {worst})."
                    ),
                    details={"day": column.removesuffix("_total_hours"), "rows": len(group)},
                )
            )
    return findings


def _hours_items_per_day(ctx: CheckContext) -> dict[str, list[str]]:
    """day → its hours items. The hours items are catalog data (items.csv time_use_role
    "<spouse>_<day>"): per day, the respondent's and the partner's item; a catalog without
    them has nothing to check."""
    roles = ctx.df(
        "select item_code, time_use_role from catalog.items where time_use_role is not null "
        "order by time_use_role"
    )
    days: dict[str, list[str]] = {}
    for item_code, role in roles.itertuples(index=False):
        days.setdefault(str(role).split("_", 1)[1], []).append(str(item_code))
    return days


def daily_totals(con: Any, days: dict[str, list[str]]) -> pd.DataFrame:
    """One row per respondent and place with a counted answer to any hours item, a
    ``<day>_total_hours`` column per day: self + partner, an answer without a number counting
    0, missing when neither was answered.

    Summed by DuckDB: pivoting every counted hours answer in pandas (a row per respondent and
    item first, then the days) took most of the gate's time at 1000× the demo data. Grouped
    per response too: answers without a respondent key (the integrity check reports them)
    would otherwise be summed across people into one implausible day.
    """
    keys = "wave_code, cohort_code, program_code, respondent_key"
    totals = []
    for position in range(2, len(days) + 2):
        of_day = f"list_contains(${position}::varchar[], item_code)"
        # A NaN counts as no number (as pandas, which reads it as missing, did); the columns
        # are named in pandas below, since DuckDB folds "Mon" and "mon" into one name.
        totals.append(
            f"case when count(*) filter (where {of_day}) > 0 then"
            f" coalesce(sum(value_numeric) filter (where {of_day}"
            f" and not isnan(value_numeric)), 0) end::double"
            f" as day_{position}"
        )
    sql = f"""
        select {keys}{"".join(f", {total}" for total in totals)}
        from marts.fct_answers
        where is_counted and list_contains($1::varchar[], item_code)
        group by {keys}, response_key
        order by {keys}, response_key
    """
    items = sorted({item for pair in days.values() for item in pair})
    frame = con.execute(sql, [items, *days.values()]).df()
    frame.columns = [*keys.split(", "), *(f"{day}_total_hours" for day in days)]
    return frame
