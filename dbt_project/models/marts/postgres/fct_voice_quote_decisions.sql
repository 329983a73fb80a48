{#- PostgreSQL's fct_voice_quote_decisions: the same rows as the DuckDB Python model
    marts/voices/fct_voice_quote_decisions.py, computed by the same code in PL/Python
    (impact_udf.voice_quote_decisions, macros/engine_functions.sql). -#}
{{ config(materialized='table') }}

select *
from impact_udf.voice_quote_decisions(
    {{ dbt.string_literal(ref('voice_quotes')) }},
    {{ dbt.string_literal(ref('fct_answers')) }},
    {{ dbt.string_literal(ref('fct_voice_codes')) }},
    {{ dbt.string_literal(ref('fct_voice_categories')) }},
    {{ dbt.string_literal(ref('voice_codebook')) }},
    {{ dbt.string_literal(ref('items')) }},
    {{ dbt.string_literal(ref('scale_measures')) }}
)
