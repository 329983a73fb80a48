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
    (select collect_list(struct(*)) from answers),
    (select collect_list(struct(*)) from {{ ref('covariates') }}),
    (select collect_list(struct(*)) from {{ ref('scales') }}),
    (select collect_list(struct(*)) from {{ ref('scale_measures') }}),
    (select collect_list(struct(*)) from {{ ref('scale_labels') }})
)
