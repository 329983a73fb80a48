{#- Spark's fct_nonresponse_weighted_shares (dbt-spark's session method runs no Python models): the same
    rows as the DuckDB Python model marts/adjusted/fct_nonresponse_weighted_shares.py, computed by the
    same code in a Python table function (impact_nonresponse_weighted_shares,
    transform/spark_functions.py). Only the answers of the waves it reads are passed. -#}
{{ config(materialized='table') }}

with answers as (
    select *
    from {{ ref('fct_answers') }}
    where is_counted and wave_type in ('pre', 'post', 'followup')
)

select *
from impact_nonresponse_weighted_shares(
    (select collect_list(struct(*)) from {{ ref('int_wave_targets') }}),
    (select collect_list(struct(*)) from {{ ref('waves') }}),
    (select collect_list(struct(*)) from {{ ref('cohorts') }}),
    (select collect_list(struct(*)) from {{ ref('fct_participation') }}),
    (select collect_list(struct(*)) from {{ ref('fct_responses') }}),
    (select collect_list(struct(*)) from answers),
    (select collect_list(struct(*)) from {{ ref('scales') }}),
    (select collect_list(struct(*)) from {{ ref('scale_measures') }}),
    (select collect_list(struct(*)) from {{ ref('scale_labels') }}),
    {{ var('adjusted_min_effective_n', 30) | float }}
)
