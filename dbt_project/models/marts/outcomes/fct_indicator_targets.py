"""KPI targets judged per fiscal year (METRICS.md "Indicator targets").

Grain: one row per target (seeds/indicator_targets.csv) × fiscal year. The logic lives in
impact_warehouse.transform.indicator_targets, so every engine runs the same code: this dbt
Python model on DuckDB; on PostgreSQL the SQL model postgres/fct_indicator_targets.sql calls
it through a PL/Python function, and on Spark spark/fct_indicator_targets.sql through a Python
table function. dbt_project.yml enables the one that fits the target.
"""

from impact_warehouse.transform.model_computations import Computation

compute_indicator_targets = Computation(
    "impact_warehouse.transform.indicator_targets:compute_indicator_targets"
)


def model(dbt, session):
    dbt.config(materialized="table")
    waves = dbt.ref("waves").df()
    return compute_indicator_targets(
        dbt.ref("indicator_targets").df(),
        dbt.ref("fct_indicator_results").df(),
        waves[["fiscal_year", "wave_type"]],
        suppression_k=int(dbt.config.meta_get("suppression_k", 5)),
    )
