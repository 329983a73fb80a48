"""Every outcome figure of the report, with its denominator, interval and test (METRICS.md).

Grain: one row per fiscal year × program (each program, plus "all" pooling them) ×
population × wave type × item × measure. What is measured on each scale comes from the seeds
scales, scale_measures and scale_labels. The logic and the statistics (scipy/statsmodels) live in
impact_warehouse.transform.indicator_results, so every engine runs the same code: this dbt
Python model on DuckDB; on PostgreSQL (no dbt Python models) the SQL model
postgres/fct_indicator_results.sql calls it through a PL/Python function, and on Spark
spark/fct_indicator_results.sql through a Python table function. dbt_project.yml
enables the one that fits the target.
"""

from impact_warehouse.transform.model_computations import Computation

compute_indicator_results = Computation(
    "impact_warehouse.transform.indicator_results:compute_indicator_results"
)

# Answers reach pandas as one row per distinct (group, scale, value, counted) with its count:
# the statistics need only those counts, and at 1000× this is thousands of rows, not the
# millions a row per answer would be (issue 7 benchmark). Grouped by DuckDB, not pandas.
ANSWER_GROUPS = (
    "fiscal_year, program_code, wave_type, item_code, scale_code, indicator_code, "
    "is_counted, value_numeric"
)
# Paired participants reach pandas the same way: one row per distinct (pre, post) pair.
PAIR_GROUPS = "fiscal_year, program_code, item_code, scale_code, pre_value, post_value"


def model(dbt, session):
    dbt.config(materialized="table")
    answers = dbt.ref("fct_answers").aggregate(
        f"{ANSWER_GROUPS}, count(*) as answer_count", ANSWER_GROUPS
    )
    pairs = (
        dbt.ref("fct_paired_scores")
        .filter("is_paired")
        .aggregate(f"{PAIR_GROUPS}, count(*) as pair_count", PAIR_GROUPS)
    )
    return compute_indicator_results(
        answers.df(),
        pairs.df(),
        dbt.ref("fct_response_rates").df(),
        scales=dbt.ref("scales").df(),
        scale_measures=dbt.ref("scale_measures").df(),
        scale_labels=dbt.ref("scale_labels").df(),
        suppression_k=int(dbt.config.meta_get("suppression_k", 5)),
    )
