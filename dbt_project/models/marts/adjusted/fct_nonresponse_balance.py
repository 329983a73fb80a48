"""Follow-up non-response: the baseline profile of respondents vs non-respondents (METRICS.md
"Adjusted estimates"). Grain: one row per follow-up survey fiscal year × profile variable ×
level. Computed by impact_warehouse.transform.nonresponse (the same code as the PL/Python
twin postgres/fct_nonresponse_balance.sql and the Spark twin spark/fct_nonresponse_balance.sql)."""

from impact_warehouse.transform.adjusted_inputs import (
    NONRESPONSE_ANSWER_COLUMNS,
    NONRESPONSE_PARTICIPATION_COLUMNS,
    NONRESPONSE_RESPONSE_COLUMNS,
    NONRESPONSE_TARGET_COLUMNS,
)
from impact_warehouse.transform.computed_once import computed_once
from impact_warehouse.transform.duckdb_frames import relation_frame
from impact_warehouse.transform.model_computations import Computation
from impact_warehouse.transform.outcome_rules import scale_rules

compute_nonresponse = Computation("impact_warehouse.transform.nonresponse:compute_nonresponse")

# Only the waves the profile and the shares read; the answers of other waves never matter.
ANSWER_FILTER = "is_counted and wave_type in ('pre', 'post', 'followup')"


def model(dbt, session):
    dbt.config(materialized="table")
    # The same computation gives the other non-response table: done once per build.
    balance, _ = computed_once(
        compute_nonresponse,
        relation_frame(session, dbt.ref("int_wave_targets"), NONRESPONSE_TARGET_COLUMNS),
        dbt.ref("waves").df(),
        dbt.ref("cohorts").df(),
        relation_frame(session, dbt.ref("fct_participation"), NONRESPONSE_PARTICIPATION_COLUMNS),
        relation_frame(session, dbt.ref("fct_responses"), NONRESPONSE_RESPONSE_COLUMNS),
        relation_frame(
            session, dbt.ref("fct_answers").filter(ANSWER_FILTER), NONRESPONSE_ANSWER_COLUMNS
        ),
        rules=scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
        min_effective_n=float(dbt.config.meta_get("adjusted_min_effective_n", 30)),
    )
    return balance
