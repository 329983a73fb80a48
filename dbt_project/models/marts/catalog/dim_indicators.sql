with

indicators as (

    select * from {{ ref('indicators') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

feeding_items as (

    select
        indicator_code,
        count(distinct item_code) as item_count

    from item_indicators

    group by indicator_code

),

feeding_wave_types as (

    select distinct
        indicator_code,
        wave_type

    from item_indicators

),

wave_type_lists as (

    select
        indicator_code,
        {{ dbt.listagg('wave_type', "'|'", 'order by wave_type') }} as wave_types

    from feeding_wave_types

    group by indicator_code

),

final as (

    select
        indicators.indicator_code,
        indicators.indicator_symbol,
        indicators.indicator_type,
        indicators.content_ja,
        indicators.indicator_ja,
        indicators.measurement_ja,
        coalesce(feeding_items.item_count, 0) as item_count,
        wave_type_lists.wave_types

    from indicators

    left join feeding_items
        on indicators.indicator_code = feeding_items.indicator_code

    left join wave_type_lists
        on indicators.indicator_code = wave_type_lists.indicator_code

)

select * from final
