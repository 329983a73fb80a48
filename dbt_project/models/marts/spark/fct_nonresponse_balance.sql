{#- Spark's fct_nonresponse_balance (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/adjusted/fct_nonresponse_balance.py, computed by the
    same code in a Python table function (impact_nonresponse_balance,
    transform/spark_functions.py). Only the answers of the waves it reads are passed. -#}
{{ config(materialized='table') }}

with answers as (
    select *
    from {{ ref('fct_answers') }}
    where is_counted and wave_type in ('pre', 'post', 'followup')
)

select *
from impact_nonresponse_balance(
    table(
        {{ spark_relation_rows('wave_targets', ref('int_wave_targets')) }}
        union all
        {{ spark_relation_rows('waves', ref('waves')) }}
        union all
        {{ spark_relation_rows('cohorts', ref('cohorts')) }}
        union all
        {{ spark_relation_rows('participation', ref('fct_participation')) }}
        union all
        {{ spark_relation_rows('responses', ref('fct_responses')) }}
        union all
        {{ spark_relation_rows('answers', 'answers') }}
        union all
        {{ spark_relation_rows('scales', ref('scales')) }}
        union all
        {{ spark_relation_rows('scale_measures', ref('scale_measures')) }}
        union all
        {{ spark_relation_rows('scale_labels', ref('scale_labels')) }}
    ) with single partition,
    {{ var('adjusted_min_effective_n', 30) | float }}
)
