{#- Spark's fct_indicator_targets (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/outcomes/fct_indicator_targets.py, computed by the same
    code in a Python table function (impact_indicator_targets, transform/spark_functions.py). -#}
{{ config(materialized='table') }}

select *
from impact_indicator_targets(
    (select collect_list(struct(*)) from {{ ref('indicator_targets') }}),
    (select collect_list(struct(*)) from {{ ref('fct_indicator_results') }}),
    (select collect_list(struct(fiscal_year, wave_type)) from {{ ref('waves') }}),
    {{ var('suppression_k', 5) | int }}
)
