{#- PostgreSQL's fct_indicator_results (dbt-postgres runs no Python models): the same rows
    as the DuckDB Python model marts/outcomes/fct_indicator_results.py, computed by the same code in
    PL/Python (impact_udf.indicator_results, macros/engine_functions.sql). dbt_project.yml
    enables exactly one of the two for the target; both share the YAML in marts/outcomes/_marts_outcomes__models.yml. -#}
{{ config(materialized='table') }}

select *
from impact_udf.indicator_results(
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('fct_paired_scores')) }},
    {{ dbt.string_literal(ref('fct_response_rates')) }},
    {{ dbt.string_literal(ref('scales')) }},
    {{ dbt.string_literal(ref('scale_measures')) }},
    {{ dbt.string_literal(ref('scale_labels')) }},
    {{ var('suppression_k', 5) | int }}
)
