{#- Published KPI targets (METRICS.md "Indicator targets"): each target × fiscal year of
    marts.fct_indicator_targets with its labels, the estimate and Wilson interval, the status
    (achieved / not_achieved / not_judged + reason) and whether the target lies inside the
    interval. The estimate is published exactly when the same share is published in
    rpt_indicator_series (one suppression decision per cell); a target on a suppressed cell
    is not judged, so its status cannot reveal the value. -#}
with

indicator_targets as (

    select * from {{ ref('fct_indicator_targets') }}

),

published_series as (

    select * from {{ ref('rpt_indicator_series') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

items as (

    select * from {{ ref('items') }}

),

wave_types as (

    select * from {{ ref('wave_types') }}

),

judged as (

    select
        indicator_targets.*,
        coalesce(published_series.is_suppressed, false) as is_cell_suppressed

    from indicator_targets

    left join published_series
        on indicator_targets.fiscal_year = published_series.fiscal_year
        and indicator_targets.program_code = published_series.program_code
        and indicator_targets.wave_type = published_series.wave_type
        and indicator_targets.item_code = published_series.item_code
        and indicator_targets.measure = published_series.measure

),

final as (

    select
        judged.indicator_target_key,
        judged.fiscal_year,
        judged.indicator_code,
        indicators.indicator_symbol,
        indicators.content_ja as indicator_content_ja,
        judged.program_code,
        judged.population,
        judged.wave_type,
        wave_types.wave_type_ja,
        judged.item_code,
        items.report_label_ja,
        items.display_order,
        judged.measure,
        judged.operator,
        judged.target_value,
        judged.is_every_year_target,
        {{ unless_suppressed('judged.denominator', 'judged.is_cell_suppressed') }} as denominator,
        {{ unless_suppressed('judged.value', 'judged.is_cell_suppressed') }} as value,
        {{ unless_suppressed('judged.ci_lower', 'judged.is_cell_suppressed') }} as ci_lower,
        {{ unless_suppressed('judged.ci_upper', 'judged.is_cell_suppressed') }} as ci_upper,
        case when judged.is_cell_suppressed then 'not_judged' else judged.status end as status,
        case
            when judged.status = 'not_judged' then judged.not_judged_reason
            when judged.is_cell_suppressed then 'suppressed'
        end as not_judged_reason,
        {{ unless_suppressed('judged.is_within_margin', 'judged.is_cell_suppressed') }}
            as is_within_margin,
        judged.source_ja,
        judged.note_ja,
        judged.is_cell_suppressed as is_suppressed,
        judged.indicator_result_key

    from judged

    inner join indicators
        on judged.indicator_code = indicators.indicator_code

    inner join items
        on judged.item_code = items.item_code

    inner join wave_types
        on judged.wave_type = wave_types.wave_type

)

select * from final
