"""The gate's checks: each reads DuckDB into pandas, validates it with a GX suite and turns the
unexpected rows into findings located by program / cohort / wave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd
from great_expectations import expectations as gxe
from great_expectations.expectations.row_conditions import Column

from impact_warehouse.catalog.organisation import fiscal_year_of
from impact_warehouse.quality.gx_session import ExpectationOutcome, GxSession
from impact_warehouse.quality.model import Finding
from impact_warehouse.quality.privacy_findings import check_no_personal_data

_LOCATION = ("program_code", "cohort_code", "wave_code")


@dataclass
class CheckContext:
    con: duckdb.DuckDBPyConnection
    gx: GxSession
    config: dict[str, Any]
    as_of: date
    landing_dir: Any = None
    notes: dict[str, Any] = field(default_factory=dict)
    release_fiscal_year: int | None = None  # None: the fiscal year as_of falls in

    def settings(self, check: str) -> dict[str, Any]:
        return dict(self.config.get(check) or {})

    def severity(self, check: str, default: str = "failure") -> str:
        return str(self.settings(check).get("severity", default))

    def df(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df().reset_index(drop=True)


def _val(value: Any) -> Any:
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


def _str(value: Any) -> str | None:
    value = _val(value)
    return None if value is None else str(value)


def _float(value: Any) -> float | None:
    value = _val(value)
    return None if value is None else float(value)


def _unexpected_rows(frame: pd.DataFrame, outcomes: Iterable[ExpectationOutcome]) -> pd.DataFrame:
    labels: list[Any] = []
    for outcome in outcomes:
        if not outcome.success:
            labels.extend(outcome.unexpected_index)
    return frame.loc[sorted(set(labels))] if labels else frame.iloc[0:0]


def _groups(rows: pd.DataFrame, keys: list[str]) -> Iterable[tuple[dict[str, Any], pd.DataFrame]]:
    present = [k for k in keys if k in rows.columns]
    if rows.empty:
        return
    if not present:
        yield {}, rows
        return
    for key, group in rows.groupby(present, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        yield {k: _val(v) for k, v in zip(present, key, strict=True)}, group


def _finding(
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
        program_code=_str(where.get("program_code")),
        cohort_code=_str(where.get("cohort_code")),
        wave_code=_str(where.get("wave_code")),
        observed=observed,
        threshold=threshold,
        message_en=message,
        details=details or {},
    )


def _where(where: dict[str, Any]) -> str:
    parts = [f"{k.removesuffix('_code')} {v}" for k, v in where.items() if v is not None]
    return ", ".join(parts) if parts else "no program/cohort/wave"


def _fiscal_year_of(ctx: CheckContext, day: date) -> int:
    """The fiscal year of ``day``, starting in the organisation's month (organisation.csv)."""
    start_month = int(ctx.df("select fiscal_year_start_month from catalog.organisation").iat[0, 0])
    return fiscal_year_of(day, start_month)


# --------------------------------------------------------------------------- response_rate


def check_response_rate(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("response_rate")
    skip = list(settings.get("skip_wave_types") or ["comparison"])
    frame = ctx.df(
        """
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
    )
    frame = frame[~frame["wave_type"].isin(skip)].reset_index(drop=True)
    as_of = pd.Timestamp(ctx.as_of)
    opens = pd.to_datetime(frame["open_date"])
    closes = pd.to_datetime(frame["close_date"])
    frame["window_state"] = "not_open"
    frame.loc[(opens <= as_of) & (as_of <= closes), "window_state"] = "open"
    frame.loc[closes < as_of, "window_state"] = "closed"
    # Floors are judged for the fiscal year being released: a release of FY2024 made on a later
    # as-of date is held to FY2024's floors, and a closed wave of another year (which can no
    # longer be helped, or belongs to another release) is listed in the summary instead.
    # Without a release year (a gate run on its own) that is the fiscal year as_of falls in,
    # and every later year.
    as_of_fy = _fiscal_year_of(ctx, ctx.as_of)
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
    frame.loc[(frame["window_state"] == "closed") & ~in_scope, "window_state"] = "closed_other"
    rate = frame["response_rate"].astype("float64")
    is_open = frame["window_state"] == "open"
    is_closed = frame["window_state"] == "closed"
    # Margins against the wave's own target / floor; null where the rule does not apply.
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
    eps = -1e-12
    outcomes = ctx.gx.validate(
        "response_rate",
        frame,
        [
            gxe.ExpectColumnValuesToBeBetween(column="open_margin_to_target", min_value=eps),
            gxe.ExpectColumnValuesToBeBetween(column="closed_margin_to_floor", min_value=eps),
            gxe.ExpectColumnValuesToBeBetween(column="cohort_margin_to_floor", min_value=eps),
        ],
    )
    rules = {
        "open_margin_to_target": ("below_target_while_open", "response_rate_target"),
        "closed_margin_to_floor": ("below_floor_after_close", "response_rate_floor"),
        "cohort_margin_to_floor": ("cohort_below_floor_after_close", "response_rate_floor"),
    }
    findings = []
    for outcome in outcomes:
        if outcome.success:
            continue
        rule, threshold_column = rules[outcome.kwargs["column"]]
        is_open_rule = rule == "below_target_while_open"
        for label in outcome.unexpected_index:
            row = frame.loc[label]
            where = {k: row[k] for k in _LOCATION}
            threshold = _float(row[threshold_column])
            observed = _float(row["response_rate"])
            details = {
                "fiscal_year": _val(row["fiscal_year"]),
                "wave_type": _val(row["wave_type"]),
                "targeted": _val(row["targeted"]),
                "responded": _val(row["responded"]),
                "open_date": str(pd.Timestamp(row["open_date"]).date()),
                "close_date": str(pd.Timestamp(row["close_date"]).date()),
                "window_state": row["window_state"],
                "rule": rule,
            }
            if is_open_rule:
                severity = settings.get("warning_severity", "warning")
                message = (
                    f"Response rate {observed:.1%} ({details['responded']}/{details['targeted']}) "
                    f"of cohort {row['cohort_code']} in wave {row['wave_code']} is below its "
                    f"target {threshold:.0%} while the window is open "
                    f"(closes {details['close_date']})."
                )
            elif rule == "cohort_below_floor_after_close":
                severity = settings.get("warning_severity", "warning")
                message = (
                    f"Response rate {observed:.1%} ({details['responded']}/{details['targeted']}) "
                    f"of cohort {row['cohort_code']} in wave {row['wave_code']} is below the "
                    f"wave's floor {threshold:.0%} (the wave as a whole met it; window closed "
                    f"on {details['close_date']})."
                )
            else:
                severity = settings.get("failure_severity", "failure")
                message = (
                    f"Response rate {observed:.1%} ({details['responded']}/{details['targeted']}) "
                    f"of wave {row['wave_code']} is below its "
                    f"floor {threshold:.0%} after the window closed on {details['close_date']}."
                )
            findings.append(
                _finding(
                    "response_rate",
                    severity,
                    where,
                    observed=observed,
                    threshold=threshold,
                    message=message,
                    details=details,
                )
            )
    return findings


# --------------------------------------------------------------------------- scale_domain


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
    expectations = []
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
    rows = _unexpected_rows(frame, ctx.gx.validate("scale_domain", frame, expectations))
    findings = []
    for where, group in _groups(rows, [*_LOCATION, "item_code", "scale_code"]):
        scale = where["scale_code"]
        low, high = domains[scale]
        values = group["value_numeric"].astype("float64")
        worst = values.max() if values.notna().any() and values.max() > high else values.min()
        answers = int(group["answers"].sum())
        findings.append(
            _finding(
                "scale_domain",
                severity,
                where,
                observed=_float(worst),
                threshold=float(high),
                message=(
                    f"{answers} counted answer(s) to item {where['item_code']} "
                    f"({_where({k: where[k] for k in _LOCATION})}) outside the {scale} scale "
                    f"{low:g}–{high:g} (e.g. {_float(worst)})."
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
        )
    return findings


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
    # The hours items are catalog data (items.csv time_use_role "<spouse>_<day>"): per day,
    # the respondent's and the partner's item; a catalog without them has nothing to check.
    roles = ctx.df(
        "select item_code, time_use_role from catalog.items where time_use_role is not null "
        "order by time_use_role"
    )
    days: dict[str, list[str]] = {}
    for item_code, role in roles.itertuples(index=False):
        days.setdefault(str(role).split("_", 1)[1], []).append(str(item_code))
    if not days:
        return []
    items = sorted({item for pair in days.values() for item in pair})
    answers = ctx.df(
        """
        select wave_code, cohort_code, program_code, respondent_key, item_code, value_numeric
        from marts.fct_answers
        where is_counted and item_code in (select unnest(?::varchar[]))
        """,
        [items],
    )
    keys = ["wave_code", "cohort_code", "program_code", "respondent_key"]
    if answers.empty:
        frame = pd.DataFrame(columns=[*keys, *[f"{d}_total_hours" for d in days]])
    else:
        wide = answers.pivot_table(
            index=keys, columns="item_code", values="value_numeric", aggfunc="sum", dropna=False
        )
        wide = wide.dropna(how="all")
        frame = pd.DataFrame(index=wide.index)
        for day, pair in days.items():
            present = [c for c in pair if c in wide.columns]
            frame[f"{day}_total_hours"] = (
                wide[present].sum(axis=1, min_count=1) if present else float("nan")
            )
        frame = frame.reset_index()
    frame = frame.reset_index(drop=True)
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
        for where, group in _groups(rows, list(_LOCATION)):
            worst = _float(group[column].max())
            findings.append(
                _finding(
                    "hours_plausible",
                    severity,
                    where,
                    observed=worst,
                    threshold=max_hours,
                    message=(
                        f"{len(group)} respondent(s) ({_where(where)}) report "
                        f"{column.removesuffix('_total_hours')} housework hours self + partner "
                        f"outside 0–{max_hours:g} per day (up to {worst})."
                    ),
                    details={"day": column.removesuffix("_total_hours"), "rows": len(group)},
                )
            )
    return findings


# --------------------------------------------------------------------------- integrity


def check_unique_participant_wave(ctx: CheckContext) -> list[Finding]:
    severity = ctx.severity("unique_participant_wave")
    frame = ctx.df(
        "select response_key, wave_code, respondent_key, cohort_code, program_code "
        "from marts.fct_responses order by wave_code, respondent_key"
    )
    rows = _unexpected_rows(
        frame,
        ctx.gx.validate(
            "unique_participant_wave",
            frame,
            [
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["wave_code", "respondent_key"]),
                gxe.ExpectColumnValuesToNotBeNull(column="respondent_key"),
            ],
        ),
    )
    findings = []
    for where, group in _groups(rows, list(_LOCATION)):
        people = group["respondent_key"].nunique(dropna=False)
        findings.append(
            _finding(
                "unique_participant_wave",
                severity,
                where,
                observed=float(len(group)),
                threshold=1.0,
                message=(
                    f"{people} respondent(s) appear more than once in wave "
                    f"{where.get('wave_code')} "
                    f"({_where(where)}): {len(group)} rows share a participant × wave key."
                ),
                details={"rows": len(group), "respondents": int(people)},
            )
        )
    return findings


def check_answers_map_to_catalog(ctx: CheckContext) -> list[Finding]:
    severity = ctx.severity("answers_map_to_catalog")
    items = [r[0] for r in ctx.con.execute("select item_code from marts.dim_items").fetchall()]
    frame = ctx.df(
        "select wave_code, cohort_code, program_code, item_code, count(*) as answers "
        "from marts.fct_answers group by all order by all"
    )
    rows = _unexpected_rows(
        frame,
        ctx.gx.validate(
            "answers_map_to_catalog",
            frame,
            [
                gxe.ExpectColumnValuesToNotBeNull(column="item_code"),
                gxe.ExpectColumnValuesToBeInSet(column="item_code", value_set=items),
            ],
        ),
    )
    findings = []
    for where, group in _groups(rows, [*_LOCATION, "item_code"]):
        answers = int(group["answers"].sum())
        findings.append(
            _finding(
                "answers_map_to_catalog",
                severity,
                where,
                observed=float(answers),
                threshold=0.0,
                message=(
                    f"{answers} answer(s) to item {where.get('item_code')!r} "
                    f"({_where({k: where.get(k) for k in _LOCATION})}) are not in the item catalog."
                ),
                details={"item_code": where.get("item_code"), "answers": answers},
            )
        )
    return findings


def check_fact_keys_exist(ctx: CheckContext) -> list[Finding]:
    severity = ctx.severity("fact_keys_exist")

    def codes(sql: str) -> list[str]:
        return [r[0] for r in ctx.con.execute(sql).fetchall() if r[0] is not None]

    sets = {
        "wave_code": codes("select wave_code from marts.dim_waves"),
        "cohort_code": codes("select cohort_code from marts.dim_cohorts"),
        "program_code": codes("select program_code from marts.dim_programs"),
    }
    frame = ctx.df(
        "select wave_code, cohort_code, program_code, count(*) as responses "
        "from marts.fct_responses group by all order by all"
    )
    expectations = [gxe.ExpectColumnValuesToNotBeNull(column="wave_code")]
    expectations += [
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values)
        for column, values in sets.items()
    ]
    outcomes = ctx.gx.validate("fact_keys_exist", frame, expectations)
    findings = []
    for outcome in outcomes:
        if outcome.success:
            continue
        column = outcome.kwargs["column"]
        for label in outcome.unexpected_index:
            row = frame.loc[label]
            where = {k: row[k] for k in _LOCATION}
            findings.append(
                _finding(
                    "fact_keys_exist",
                    severity,
                    where,
                    observed=_float(row["responses"]),
                    threshold=0.0,
                    message=(
                        f"{int(row['responses'])} response(s) have {column} "
                        f"{_str(row[column])!r} missing from its dimension ({_where(where)})."
                    ),
                    details={
                        "column": column,
                        "value": _str(row[column]),
                        "responses": int(row["responses"]),
                    },
                )
            )
    return findings


def check_linkage_rate(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("linkage_rate")
    severity = ctx.severity("linkage_rate")
    threshold = float(settings.get("min_linkage_rate", 0.8))
    wave_types = list(settings.get("wave_types") or ["post", "followup"])
    frame = ctx.df(
        """
        select r.wave_code, r.fiscal_year, r.wave_type,
               nullif(w.program_code, 'all') as program_code,
               case when w.targeted_cohort_count = 1
                    then w.targeted_cohort_codes end as cohort_code,
               w.targeted_cohort_codes, r.respondents, r.unlinked_respondents, r.linkage_rate
        from marts.fct_response_rates r
        join marts.dim_waves w using (wave_code)
        where r.breakdown_level = 'all' and r.respondents > 0
          and r.wave_type in (select unnest(?::varchar[]))
        order by r.wave_code
        """,
        [wave_types],
    )
    outcomes = ctx.gx.validate(
        "linkage_rate",
        frame,
        [
            gxe.ExpectColumnValuesToNotBeNull(column="linkage_rate"),
            gxe.ExpectColumnValuesToBeBetween(
                column="linkage_rate", min_value=threshold, max_value=1
            ),
        ],
    )
    rows = _unexpected_rows(frame, outcomes)
    findings = []
    for _, row in rows.iterrows():
        where = {k: row[k] for k in _LOCATION}
        observed = _float(row["linkage_rate"])
        findings.append(
            _finding(
                "linkage_rate",
                severity,
                where,
                observed=observed,
                threshold=threshold,
                message=(
                    f"Only {observed if observed is None else f'{observed:.1%}'} of the "
                    f"{int(row['respondents'])} respondents of wave {row['wave_code']} are linked "
                    f"to the roster ({int(row['unlinked_respondents'] or 0)} unlinked); "
                    f"threshold {threshold:.0%}."
                ),
                details={
                    "wave_type": _val(row["wave_type"]),
                    "fiscal_year": _val(row["fiscal_year"]),
                    "respondents": _val(row["respondents"]),
                    "unlinked_respondents": _val(row["unlinked_respondents"]),
                    "targeted_cohort_codes": _str(row["targeted_cohort_codes"]),
                },
            )
        )
    return findings


# --------------------------------------------------------------------------- freshness


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
    latest = _val(
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
    for _, row in _unexpected_rows(frame, outcomes).iterrows():
        where = {k: row[k] for k in _LOCATION}
        what = "no landing at all" if age is None else f"the latest landing is {age:g} days old"
        findings.append(
            _finding(
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


# --------------------------------------------------------------------------- suppression


def check_suppression(ctx: CheckContext) -> list[Finding]:
    settings = ctx.settings("suppression")
    severity = ctx.severity("suppression")
    k = int(settings.get("k") or 5)
    count_columns = list(settings.get("count_columns") or ["respondents"])
    columns = ctx.df(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'reporting' and table_name like 'rpt\\_%' escape '\\' "
        "order by table_name, ordinal_position"
    )
    findings = []
    for table, group in columns.groupby("table_name", sort=True):
        names = list(group["column_name"])
        counts = [c for c in count_columns if c in names]
        if "is_suppressed" not in names or not counts:
            continue
        location = [c for c in ("fiscal_year", "program_code", "wave_type") if c in names]
        key = next((c for c in names if c.endswith("_key")), None)
        selected = list(dict.fromkeys([*(c for c in [key] if c), *location, *counts]))
        frame = ctx.df(
            f"select {', '.join(selected)} from reporting.{table} "
            "where not coalesce(is_suppressed, false) order by all"
        )
        outcomes = ctx.gx.validate(
            f"suppression__{table}",
            frame,
            [gxe.ExpectColumnValuesToBeBetween(column=c, min_value=k) for c in counts],
        )
        for outcome in outcomes:
            if outcome.success:
                continue
            column = outcome.kwargs["column"]
            rows = frame.loc[outcome.unexpected_index]
            for where, sub in _groups(
                rows, [c for c in ("fiscal_year", "program_code") if c in rows]
            ):
                program = where.get("program_code")
                smallest = _float(sub[column].min())
                findings.append(
                    _finding(
                        "suppression",
                        severity,
                        {"program_code": None if program == "all" else program},
                        observed=smallest,
                        threshold=float(k),
                        message=(
                            f"reporting.{table}: {len(sub)} published row(s) "
                            f"(fiscal year {where.get('fiscal_year')}, program {program}) have "
                            f"{column} below k={k} (smallest {smallest:g})."
                        ),
                        details={
                            "table": f"reporting.{table}",
                            "column": column,
                            "k": k,
                            "fiscal_year": where.get("fiscal_year"),
                            "rows": len(sub),
                            "row_keys": [str(v) for v in sub[key].head(20)] if key else [],
                        },
                    )
                )
    return findings


CHECKS: dict[str, Callable[[CheckContext], list[Finding]]] = {
    "response_rate": check_response_rate,
    "scale_domain": check_scale_domain,
    "hours_plausible": check_hours_plausible,
    "unique_participant_wave": check_unique_participant_wave,
    "answers_map_to_catalog": check_answers_map_to_catalog,
    "fact_keys_exist": check_fact_keys_exist,
    "linkage_rate": check_linkage_rate,
    "no_personal_data": check_no_personal_data,
    "freshness": check_freshness,
    "suppression": check_suppression,
}
