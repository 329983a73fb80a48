{#- PostgreSQL's fct_indicator_series (dbt-postgres runs no Python models): the same rows
    as the DuckDB Python model marts/outcomes/fct_indicator_series.py, computed by the same code in
    PL/Python (impact_udf.indicator_series, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.indicator_series(
    {{ dbt.string_literal(ref('fct_indicator_results')) }},
    {{ dbt.string_literal(ref('dim_item_wordings')) }},
    {{ var('suppression_k', 5) | int }}
)
