{#- Spark's fct_covariate_balance (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/adjusted/fct_covariate_balance.py, computed by the same
    code in a Python table function (impact_covariate_balance, transform/spark_functions.py). -#}
{{ config(materialized='table') }}

with answers as (
    select *
    from {{ ref('fct_answers') }}
    where is_counted and wave_type in ('followup', 'comparison')
)

select *
from impact_covariate_balance(
    table(
        {{ spark_relation_rows('answers', 'answers') }}
        union all
        {{ spark_relation_rows('covariates', ref('covariates')) }}
        union all
        {{ spark_relation_rows('scales', ref('scales')) }}
        union all
        {{ spark_relation_rows('scale_measures', ref('scale_measures')) }}
        union all
        {{ spark_relation_rows('scale_labels', ref('scale_labels')) }}
    ) with single partition
)
