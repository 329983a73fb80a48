"""Follow-up non-response: the baseline profile of respondents vs non-respondents (METRICS.md
"Adjusted estimates"). Grain: one row per follow-up survey fiscal year × profile variable ×
level. Computed by impact_warehouse.transform.nonresponse (the same code as the PL/Python
twin postgres/fct_nonresponse_balance.sql and the Spark twin spark/fct_nonresponse_balance.sql)."""

from impact_warehouse.transform.nonresponse import compute_nonresponse
from impact_warehouse.transform.outcome_rules import scale_rules

# Only the waves the profile and the shares read; the answers of other waves never matter.
ANSWER_FILTER = "is_counted and wave_type in ('pre', 'post', 'followup')"


def model(dbt, session):
    dbt.config(materialized="table")
    balance, _ = compute_nonresponse(
        dbt.ref("int_wave_targets").df(),
        dbt.ref("waves").df(),
        dbt.ref("cohorts").df(),
        dbt.ref("fct_participation").df(),
        dbt.ref("fct_responses").df(),
        dbt.ref("fct_answers").filter(ANSWER_FILTER).df(),
        rules=scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
        min_effective_n=float(dbt.config.meta_get("adjusted_min_effective_n", 30)),
    )
    return balance
