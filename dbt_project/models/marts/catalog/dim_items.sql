with

items as (

    select * from {{ ref('items') }}

),

scales as (

    select * from {{ ref('scales') }}

),

item_wordings as (

    select * from {{ ref('item_wordings') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

wordings_ranked as (

    select
        item_code,
        wording_ja,
        valid_from_fy,
        count(*) over (partition by item_code) as wording_count,
        row_number() over (partition by item_code order by valid_from_fy desc) as recency_rank

    from item_wordings

),

current_wordings as (

    select * from wordings_ranked where recency_rank = 1

),

fed_indicators as (

    select distinct
        item_code,
        indicator_code

    from item_indicators

),

indicator_lists as (

    select
        item_code,
        {{ dbt.listagg('indicator_code', "'|'", 'order by indicator_code') }} as indicator_codes

    from fed_indicators

    group by item_code

),

final as (

    select
        items.item_code,
        items.section,
        items.scale_code,
        scales.value_type,
        scales.min_value,
        scales.max_value,
        scales.step,
        scales.label_ja as scale_label_ja,
        items.asked_in,
        items.is_personal_data,
        items.report_label_ja,
        items.display_order,
        current_wordings.wording_ja as current_wording_ja,
        current_wordings.valid_from_fy as current_wording_valid_from_fy,
        coalesce(current_wordings.wording_count, 0) as wording_count,
        indicator_lists.indicator_codes

    from items

    inner join scales
        on items.scale_code = scales.scale_code

    left join current_wordings
        on items.item_code = current_wordings.item_code

    left join indicator_lists
        on items.item_code = indicator_lists.item_code

)

select * from final
