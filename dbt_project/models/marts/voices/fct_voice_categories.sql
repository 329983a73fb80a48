{#- Respondents per category of the voice codebook (issue 14): the one place this count is
    made. A category with fewer than var suppression_k respondents is flagged here and never
    shown (rpt_voice_categories nulls it, the report leaves it out, no quote is taken from
    it). Categories overlap (an answer can be in several, or in none), so no category can be
    derived from the others by subtraction: no secondary suppression is needed. -#}
{%- set suppression_k = var('suppression_k', 5) | int -%}

with

codes as (

    select * from {{ ref('fct_voice_codes') }}

),

counted as (

    select
        fiscal_year,
        wave_type,
        item_code,
        category_code,
        count(distinct respondent_key) as respondents,
        count(case when source = 'manual' then 1 end) as manual_answers

    from codes

    group by fiscal_year, wave_type, item_code, category_code

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_year', dbt.type_string()), "'|'",
            'wave_type', "'|'", 'item_code', "'|'", 'category_code'
        ]) }} as voice_category_key,
        fiscal_year,
        wave_type,
        item_code,
        category_code,
        respondents,
        manual_answers,
        respondents < {{ suppression_k }} as is_suppressed

    from counted

)

select * from final
