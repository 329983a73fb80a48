{#- PostgreSQL's fct_voice_codes (dbt-postgres runs no Python models): the same rows as the
    DuckDB Python model marts/voices/fct_voice_codes.py, computed by the same code in PL/Python
    (impact_udf.voice_codes, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.voice_codes(
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('voice_codebook')) }},
    {{ dbt.string_literal(ref('voice_manual_codes')) }}
)
