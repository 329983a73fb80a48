{#- Published quotes of free-text answers (issue 14, voices): only the staff-selected answers
    that marts.fct_voice_quote_decisions let through (consent yes, nothing personal found,
    a category of at least k respondents), with their text. Dropped ones stay in that fct
    table with their reason, without text. -#}
with

decisions as (

    select * from {{ ref('fct_voice_quote_decisions') }}

),

answers as (

    select * from {{ ref('fct_answers') }}

),

categories as (

    select * from {{ ref('rpt_voice_categories') }}

),

final as (

    select
        decisions.voice_quote_key,
        decisions.fiscal_year,
        decisions.wave_type,
        decisions.item_code,
        categories.indicator_code,
        decisions.category_code,
        categories.category_ja,
        categories.category_en,
        categories.display_order,
        answers.value_text as quote_text

    from decisions

    inner join answers
        on decisions.answer_key = answers.answer_key

    inner join categories
        on decisions.fiscal_year = categories.fiscal_year
        and decisions.wave_type = categories.wave_type
        and decisions.item_code = categories.item_code
        and decisions.category_code = categories.category_code

    where decisions.is_quoted
        and not categories.is_suppressed

)

select * from final
