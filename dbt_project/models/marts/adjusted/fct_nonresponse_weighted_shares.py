"""Follow-up non-response: each follow-up share re-weighted for who answered (METRICS.md
"Adjusted estimates"). Grain: one row per follow-up survey fiscal year × program ("all") × item ×
share measure. Computed by impact_warehouse.transform.nonresponse (the same code as the PL/Python
twin postgres/fct_nonresponse_weighted_shares.sql and the Spark twin
spark/fct_nonresponse_weighted_shares.sql)."""

from impact_warehouse.transform.computed_once import computed_once
from impact_warehouse.transform.duckdb_frames import compact_frame
from impact_warehouse.transform.nonresponse import (
    ANSWER_COLUMNS,
    PARTICIPATION_COLUMNS,
    RESPONSE_COLUMNS,
    TARGET_COLUMNS,
    compute_nonresponse,
)
from impact_warehouse.transform.outcome_rules import scale_rules

# Only the waves the profile and the shares read; the answers of other waves never matter.
ANSWER_FILTER = "is_counted and wave_type in ('pre', 'post', 'followup')"


def model(dbt, session):
    dbt.config(materialized="table")
    # The same computation gives the other non-response table: done once per build.
    _, shares = computed_once(
        compute_nonresponse,
        compact_frame(session, dbt.ref("int_wave_targets"), TARGET_COLUMNS),
        dbt.ref("waves").df(),
        dbt.ref("cohorts").df(),
        compact_frame(session, dbt.ref("fct_participation"), PARTICIPATION_COLUMNS),
        compact_frame(session, dbt.ref("fct_responses"), RESPONSE_COLUMNS),
        compact_frame(session, dbt.ref("fct_answers").filter(ANSWER_FILTER), ANSWER_COLUMNS),
        rules=scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
        min_effective_n=float(dbt.config.meta_get("adjusted_min_effective_n", 30)),
    )
    return shares
