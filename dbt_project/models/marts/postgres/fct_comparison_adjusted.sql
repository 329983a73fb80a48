{#- PostgreSQL's fct_comparison_adjusted (dbt-postgres runs no Python models): the same rows as
    the DuckDB Python model marts/adjusted/fct_comparison_adjusted.py, computed by the same code in PL/Python
    (impact_udf.comparison_adjusted, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.comparison_adjusted(
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('covariates')) }},
    {{ dbt.string_literal(ref('scales')) }},
    {{ dbt.string_literal(ref('scale_measures')) }},
    {{ dbt.string_literal(ref('scale_labels')) }},
    {{ var('adjusted_min_effective_n', 30) | float }},
    {{ var('adjusted_bootstrap_resamples', 1000) | int }},
    {{ var('adjusted_bootstrap_seed', 20250) | int }}
)
