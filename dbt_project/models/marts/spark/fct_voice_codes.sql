{#- Spark's fct_voice_codes (dbt-spark's session method runs no Python models): the same rows as
    the DuckDB Python model marts/voices/fct_voice_codes.py, computed by the same code in a
    Python table function (impact_voice_codes, transform/spark_functions.py). Only the counted
    answers to the codebook's items are passed, as the DuckDB model reads them. -#}
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
    where is_counted and item_code in (select item_code from codebook)
)

select *
from impact_voice_codes(
    table(
        {{ spark_relation_rows('answers', 'answers') }}
        union all
        {{ spark_relation_rows('codebook', 'codebook') }}
        union all
        {{ spark_relation_rows('manual_codes', ref('voice_manual_codes')) }}
    ) with single partition
)
