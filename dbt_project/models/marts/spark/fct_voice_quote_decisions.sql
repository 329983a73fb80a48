{#- Spark's fct_voice_quote_decisions (dbt-spark's session method runs no Python models): the
    same rows as the DuckDB Python model marts/voices/fct_voice_quote_decisions.py, computed by
    the same code in a Python table function (impact_voice_quote_decisions,
    transform/spark_functions.py). Only the counted answers to the codebook's items and their
    consent items are passed, as the DuckDB model reads them. -#}
{{ config(materialized='table') }}

with codebook as (
    select * from {{ ref('voice_codebook') }}
),

answers as (
    select
        answer_key,
        response_key,
        fiscal_year,
        wave_code,
        wave_type,
        program_code,
        respondent_key,
        item_code,
        value_numeric,
        value_text
    from {{ ref('fct_answers') }}
    where
        is_counted
        and (
            item_code in (select item_code from codebook)
            or item_code in (select consent_item_code from codebook)
        )
)

select *
from impact_voice_quote_decisions(
    table(
        {{ spark_relation_rows('quotes', ref('voice_quotes')) }}
        union all
        {{ spark_relation_rows('answers', 'answers') }}
        union all
        {{ spark_relation_rows('codes', ref('fct_voice_codes')) }}
        union all
        {{ spark_relation_rows('categories', ref('fct_voice_categories')) }}
        union all
        {{ spark_relation_rows('codebook', 'codebook') }}
        union all
        {{ spark_relation_rows('items', ref('items')) }}
        union all
        {{ spark_relation_rows('scale_measures', ref('scale_measures')) }}
    ) with single partition
)
