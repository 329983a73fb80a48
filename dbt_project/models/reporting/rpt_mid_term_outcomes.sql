{#- Report ⑪–⑮ (中期アウトカム): follow-up respondents (FY-1 and FY-2 participants) against the
    comparison panel of the same fiscal year, per item of the mid-term indicators (hours
    items are in rpt_time_use): shares with Wilson intervals, the difference in points with
    its Newcombe hybrid Wilson 95% interval and Fisher's exact p-value (METRICS.md
    "Comparison difference"). Score items also carry the high share (8 or more). -#}
with

indicator_results as (

    select * from {{ ref('fct_indicator_results') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

items as (

    select * from {{ ref('items') }}

),

followup_results as (

    select
        indicator_results.*,
        case
            when indicator_results.comparison_denominator < indicator_results.denominator
                then indicator_results.comparison_denominator
            else indicator_results.denominator
        end as smallest_group

    from indicator_results

    inner join indicators
        on indicator_results.indicator_code = indicators.indicator_code

    where indicator_results.wave_type = 'followup'
        and indicator_results.measure in ('share_positive', 'share_high')
        and indicators.indicator_type = 'mid_term'

),

suppression as (

    {{ suppression_flags(
        'followup_results',
        partition_by=['fiscal_year', 'item_code', 'measure'],
        cell_key='program_code',
        cell_size='smallest_group'
    ) }}

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('followup_results.fiscal_year', dbt.type_string()),
            "'|'", 'followup_results.program_code', "'|'", 'followup_results.item_code',
            "'|'", 'followup_results.measure'
        ]) }} as mid_term_outcome_key,
        followup_results.fiscal_year,
        followup_results.program_code,
        followup_results.indicator_code,
        indicators.indicator_symbol,
        followup_results.item_code,
        items.report_label_ja,
        items.display_order,
        followup_results.scale_code,
        followup_results.measure,
        {{ published_comparison_cells('followup_results') }},
        {{ unless_suppressed('followup_results.response_rate') }} as response_rate,
        suppression.is_suppressed,
        suppression.suppression_reason

    from followup_results

    inner join suppression
        on followup_results.fiscal_year = suppression.fiscal_year
        and followup_results.item_code = suppression.item_code
        and followup_results.measure = suppression.measure
        and followup_results.program_code = suppression.program_code

    inner join indicators
        on followup_results.indicator_code = indicators.indicator_code

    inner join items
        on followup_results.item_code = items.item_code

)

select * from final
