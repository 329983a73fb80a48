"""The follow-up vs panel difference three ways: raw (as published), like-for-like and
covariate-adjusted (METRICS.md "Adjusted estimates"). Grain: one row per fiscal year × item ×
share measure × estimate type (raw | like_for_like | adjusted). Computed by
impact_warehouse.transform.comparison_adjustment (the same code as the PL/Python twin
postgres/fct_comparison_adjusted.sql and the Spark twin spark/fct_comparison_adjusted.sql).
Empty when the catalog has no covariates. The bootstrap runs in one worker process per core
(impact_warehouse.transform.comparison_bootstrap): the same figures as in one process, without
holding dbt's interpreter lock. The covariate balance (fct_covariate_balance) comes out of the
same computation: the two models share it (transform/computed_once.py)."""

from impact_warehouse.transform.comparison_adjustment import (
    ANSWER_COLUMNS,
    compute_comparison_adjustment,
)
from impact_warehouse.transform.comparison_bootstrap import bootstrap_workers
from impact_warehouse.transform.computed_once import computed_once
from impact_warehouse.transform.duckdb_frames import compact_frame
from impact_warehouse.transform.outcome_rules import scale_rules

ANSWER_FILTER = "is_counted and wave_type in ('followup', 'comparison')"


def model(dbt, session):
    dbt.config(materialized="table")
    comparison, _ = computed_once(
        compute_comparison_adjustment,
        compact_frame(session, dbt.ref("fct_answers").filter(ANSWER_FILTER), ANSWER_COLUMNS),
        dbt.ref("covariates").df(),
        scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
        min_effective_n=float(dbt.config.meta_get("adjusted_min_effective_n", 30)),
        resamples=int(dbt.config.meta_get("adjusted_bootstrap_resamples", 1000)),
        seed=int(dbt.config.meta_get("adjusted_bootstrap_seed", 20250)),
        workers=bootstrap_workers(),
    )
    return comparison
