{#- Spark's fct_indicator_targets (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/outcomes/fct_indicator_targets.py, computed by the same
    code in a Python table function (impact_indicator_targets, transform/spark_functions.py). -#}
{{ config(materialized='table') }}

with waves as (
    select fiscal_year, wave_type from {{ ref('waves') }}
)

select *
from impact_indicator_targets(
    table(
        {{ spark_relation_rows('targets', ref('indicator_targets')) }}
        union all
        {{ spark_relation_rows('results', ref('fct_indicator_results')) }}
        union all
        {{ spark_relation_rows('waves', 'waves') }}
    ) with single partition,
    {{ var('suppression_k', 5) | int }}
)
