"""Integrity of the facts: one response per participant and wave, answers on catalog items, fact
keys that exist, and the linkage rate of each wave."""

from __future__ import annotations

from great_expectations import expectations as gxe

from impact_warehouse.quality.checks.context import (
    LOCATION,
    CheckContext,
    cell_value,
    float_or_none,
    located_groups,
    make_finding,
    place_of,
    text_or_none,
    unexpected_rows,
)
from impact_warehouse.quality.model import Finding


def check_unique_participant_wave(ctx: CheckContext) -> list[Finding]:
    severity = ctx.severity("unique_participant_wave")
    frame = ctx.df(
        "select response_key, wave_code, respondent_key, cohort_code, program_code "
        "from marts.fct_responses order by wave_code, respondent_key"
    )
    rows = unexpected_rows(
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
    for where, group in located_groups(rows, list(LOCATION)):
        people = group["respondent_key"].nunique(dropna=False)
        findings.append(
            make_finding(
                "unique_participant_wave",
                severity,
                where,
                observed=float(len(group)),
                threshold=1.0,
                message=(
                    f"{people} respondent(s) appear more than once in wave "
                    f"{where.get('wave_code')} "
                    f"({place_of(where)}): {len(group)} rows share a participant × wave key."
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
    rows = unexpected_rows(
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
    for where, group in located_groups(rows, [*LOCATION, "item_code"]):
        answers = int(group["answers"].sum())
        findings.append(
            make_finding(
                "answers_map_to_catalog",
                severity,
                where,
                observed=float(answers),
                threshold=0.0,
                message=(
                    f"{answers} answer(s) to item {where.get('item_code')!r} "
                    f"({place_of({k: where.get(k) for k in LOCATION})}) "
                    "are not in the item catalog."
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
            where = {k: row[k] for k in LOCATION}
            findings.append(
                make_finding(
                    "fact_keys_exist",
                    severity,
                    where,
                    observed=float_or_none(row["responses"]),
                    threshold=0.0,
                    message=(
                        f"{int(row['responses'])} response(s) have {column} "
                        f"{text_or_none(row[column])!r} missing from its dimension "
                        f"({place_of(where)})."
                    ),
                    details={
                        "column": column,
                        "value": text_or_none(row[column]),
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
    rows = unexpected_rows(frame, outcomes)
    findings = []
    for _, row in rows.iterrows():
        where = {k: row[k] for k in LOCATION}
        observed = float_or_none(row["linkage_rate"])
        findings.append(
            make_finding(
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
                    "wave_type": cell_value(row["wave_type"]),
                    "fiscal_year": cell_value(row["fiscal_year"]),
                    "respondents": cell_value(row["respondents"]),
                    "unlinked_respondents": cell_value(row["unlinked_respondents"]),
                    "targeted_cohort_codes": text_or_none(row["targeted_cohort_codes"]),
                },
            )
        )
    return findings
