{#- PostgreSQL's fct_nonresponse_balance (dbt-postgres runs no Python models): the same rows as
    the DuckDB Python model marts/adjusted/fct_nonresponse_balance.py, computed by the same code in PL/Python
    (impact_udf.nonresponse_balance, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.nonresponse_balance(
    {{ dbt.string_literal(ref('int_wave_targets')) }},
    {{ dbt.string_literal(ref('waves')) }},
    {{ dbt.string_literal(ref('cohorts')) }},
    {{ dbt.string_literal(ref('fct_participation')) }},
    {{ dbt.string_literal(ref('fct_responses')) }},
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('scales')) }},
    {{ dbt.string_literal(ref('scale_measures')) }},
    {{ dbt.string_literal(ref('scale_labels')) }},
    {{ var('adjusted_min_effective_n', 30) | float }}
)
