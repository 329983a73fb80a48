"""Every outcome figure of the report, with its denominator, interval and test (METRICS.md).

Grain: one row per fiscal year × program (each program, plus "all" pooling them) × wave type
× item × measure. The logic and the statistics (scipy/statsmodels) live in
impact_warehouse.transform.indicator_results, so every engine runs the same code: this dbt
Python model on DuckDB; on PostgreSQL (no dbt Python models) the SQL model
postgres/fct_indicator_results.sql calls it through a PL/Python function. dbt_project.yml
enables the one that fits the target.
"""

from impact_warehouse.transform.indicator_results import compute_indicator_results

# The fct_answers columns the computation reads: fetching only these halves the pandas frame
# (1 GB of 2 at 100×; issue 7 benchmark) and the time spent building it.
ANSWER_COLUMNS = (
    "answer_key, fiscal_year, program_code, wave_type, item_code, scale_code, "
    "indicator_code, value_numeric, is_counted"
)


def model(dbt, session):
    dbt.config(materialized="table")
    return compute_indicator_results(
        dbt.ref("fct_answers").project(ANSWER_COLUMNS).df(),
        dbt.ref("fct_paired_scores").df(),
        dbt.ref("fct_response_rates").df(),
        suppression_k=int(dbt.config.meta_get("suppression_k", 5)),
    )
