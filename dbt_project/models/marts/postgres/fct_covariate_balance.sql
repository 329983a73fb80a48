{#- PostgreSQL's fct_covariate_balance (dbt-postgres runs no Python models): the same rows as
    the DuckDB Python model marts/adjusted/fct_covariate_balance.py, computed by the same code in PL/Python
    (impact_udf.covariate_balance, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.covariate_balance(
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('covariates')) }},
    {{ dbt.string_literal(ref('scales')) }},
    {{ dbt.string_literal(ref('scale_measures')) }},
    {{ dbt.string_literal(ref('scale_labels')) }}
)
