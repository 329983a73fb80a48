{#- PostgreSQL's fct_indicator_targets (dbt-postgres runs no Python models): the same rows
    as the DuckDB Python model marts/outcomes/fct_indicator_targets.py, computed by the same code in
    PL/Python (impact_udf.indicator_targets, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.indicator_targets(
    {{ dbt.string_literal(ref('indicator_targets')) }},
    {{ dbt.string_literal(ref('fct_indicator_results')) }},
    {{ dbt.string_literal(ref('waves')) }},
    {{ var('suppression_k', 5) | int }}
)
