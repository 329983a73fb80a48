"""Covariate balance of the adjusted comparison, before and after the panel is re-weighted
(METRICS.md "Adjusted estimates"): the love plot's numbers. Grain: one row per fiscal year ×
covariate item × level. Computed by impact_warehouse.transform.comparison_adjustment (the
same code as the PL/Python twin postgres/fct_covariate_balance.sql and the Spark twin
spark/fct_covariate_balance.sql). Empty when the catalog has no covariates.

The adjusted comparison (fct_comparison_adjusted) computes these weights and this balance on
its way: the two models share one computation per build (transform/computed_once.py) instead
of weighting every person twice, and only the model that computes reads the answers
(duckdb_frames.RelationFrame)."""

from impact_warehouse.transform.adjusted_inputs import COMPARISON_ANSWER_COLUMNS
from impact_warehouse.transform.computed_once import computed_once
from impact_warehouse.transform.duckdb_frames import relation_frame
from impact_warehouse.transform.model_computations import Computation
from impact_warehouse.transform.outcome_rules import scale_rules
from impact_warehouse.worker_process import usable_cores

compute_comparison_adjustment = Computation(
    "impact_warehouse.transform.comparison_adjustment:compute_comparison_adjustment"
)

ANSWER_FILTER = "is_counted and wave_type in ('followup', 'comparison')"


def model(dbt, session):
    dbt.config(materialized="table")
    _, balance = computed_once(
        compute_comparison_adjustment,
        relation_frame(
            session, dbt.ref("fct_answers").filter(ANSWER_FILTER), COMPARISON_ANSWER_COLUMNS
        ),
        dbt.ref("covariates").df(),
        scale_rules(
            dbt.ref("scales").df(), dbt.ref("scale_measures").df(), dbt.ref("scale_labels").df()
        ),
        min_effective_n=float(dbt.config.meta_get("adjusted_min_effective_n", 30)),
        resamples=int(dbt.config.meta_get("adjusted_bootstrap_resamples", 1000)),
        seed=int(dbt.config.meta_get("adjusted_bootstrap_seed", 20250)),
        workers=usable_cores(),
    )
    return balance
