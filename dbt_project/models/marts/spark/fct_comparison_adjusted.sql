{#- Spark's fct_comparison_adjusted (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/adjusted/fct_comparison_adjusted.py, computed by the
    same code in a Python table function (impact_comparison_adjusted,
    transform/spark_functions.py). The compute code sorts the answers before the seeded
    bootstrap, so the order the rows arrive in changes no figure. -#}
{{ config(materialized='table') }}

with answers as (
    select *
    from {{ ref('fct_answers') }}
    where is_counted and wave_type in ('followup', 'comparison')
)

select *
from impact_comparison_adjusted(
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
    ) with single partition,
    {{ var('adjusted_min_effective_n', 30) | float }},
    {{ var('adjusted_bootstrap_resamples', 1000) | int }},
    {{ var('adjusted_bootstrap_seed', 20250) | int }}
)
