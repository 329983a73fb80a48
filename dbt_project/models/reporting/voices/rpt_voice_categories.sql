{#- Published category counts of the free-text answers (issue 14, voices): the count of
    marts.fct_voice_categories with its labels; a suppressed category keeps its row (so the
    report can say some are hidden) but never its count. -#}
with

categories as (

    select * from {{ ref('fct_voice_categories') }}

),

codebook as (

    select * from {{ ref('voice_codebook') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

final as (

    select
        categories.voice_category_key,
        categories.fiscal_year,
        categories.wave_type,
        categories.item_code,
        item_indicators.indicator_code,
        categories.category_code,
        codebook.category_ja,
        codebook.category_en,
        codebook.display_order,
        case when categories.is_suppressed then null else categories.respondents end
            as respondents,
        categories.is_suppressed

    from categories

    inner join codebook
        on categories.item_code = codebook.item_code
        and categories.category_code = codebook.category_code

    left join item_indicators
        on categories.item_code = item_indicators.item_code
        and categories.wave_type = item_indicators.wave_type

)

select * from final
