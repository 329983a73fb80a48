"""Covariate balance of the adjusted comparison, before and after the panel is re-weighted
(METRICS.md "Adjusted estimates"): the love plot's numbers. Grain: one row per fiscal year ×
covariate item × level. Computed by impact_warehouse.transform.comparison_adjustment (the
same code as the PL/Python twin postgres/fct_covariate_balance.sql and the Spark twin
spark/fct_covariate_balance.sql). Empty when the catalog
has no covariates."""

from impact_warehouse.transform.comparison_adjustment import (
    ANSWER_COLUMNS,
    compute_covariate_balance,
)
from impact_warehouse.transform.duckdb_frames import compact_frame
from impact_warehouse.transform.outcome_rules import scale_rules

ANSWER_FILTER = "is_counted and wave_type in ('followup', 'comparison')"


def model(dbt, session):
    dbt.config(materialized="table")
    return compute_covariate_balance(
        compact_frame(session, dbt.ref("fct_answers").filter(ANSWER_FILTER), ANSWER_COLUMNS),
        dbt.ref("covariates").df(),
        scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
    )
