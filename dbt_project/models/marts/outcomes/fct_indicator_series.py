"""Every per-wave share across fiscal years (METRICS.md "Multi-year outcome tracking").

Grain: one row per program (each, plus "all") × wave type × item × measure × fiscal year,
population respondents. The logic (Newcombe year-to-year difference, logistic trend, wording
versions) lives in impact_warehouse.transform.indicator_series, so every engine runs the
same code: this dbt Python model on DuckDB; on PostgreSQL the SQL model
postgres/fct_indicator_series.sql calls it through a PL/Python function, and on Spark
spark/fct_indicator_series.sql through a Python table function.
"""

from impact_warehouse.transform.model_computations import Computation

compute_indicator_series = Computation(
    "impact_warehouse.transform.indicator_series:compute_indicator_series"
)


def model(dbt, session):
    dbt.config(materialized="table")
    return compute_indicator_series(
        dbt.ref("fct_indicator_results").df(),
        dbt.ref("dim_item_wordings").df(),
        suppression_k=int(dbt.config.meta_get("suppression_k", 5)),
    )
