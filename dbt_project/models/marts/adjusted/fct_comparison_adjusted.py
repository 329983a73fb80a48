"""The follow-up vs panel difference three ways: raw (as published), like-for-like and
covariate-adjusted (METRICS.md "Adjusted estimates"). Grain: one row per fiscal year × item ×
share measure × estimate type (raw | like_for_like | adjusted). Computed by
impact_warehouse.transform.comparison_adjustment (the same code as the PL/Python twin
postgres/fct_comparison_adjusted.sql and the Spark twin spark/fct_comparison_adjusted.sql).
Empty when the catalog has no covariates. The computation runs in a worker process while
run_dbt builds (transform/model_computations.py), and its bootstrap, when the draws are many,
in one more per core (transform/comparison_bootstrap.py): the same figures as in one process,
without holding dbt's interpreter lock. The covariate balance (fct_covariate_balance) comes
out of the same computation: the two models share it (transform/computed_once.py)."""

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
    comparison, _ = computed_once(
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
    return comparison
