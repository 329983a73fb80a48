{#- Report 見えてきた課題 2 (マミートラック): the mommy-track items (items.csv section
    'mommy_track', outside the logic model) among follow-up respondents against the
    comparison panel: agreeing share (そう思う + ややそう思う) with Wilson intervals, the
    difference in points with a Newcombe 95% interval and Fisher's exact p-value. -#}
with

indicator_results as (

    select * from {{ ref('fct_indicator_results') }}

),

items as (

    select * from {{ ref('items') }}

),

followup_results as (

    select
        indicator_results.*,
        items.report_label_ja,
        items.display_order,
        case
            when indicator_results.comparison_denominator < indicator_results.denominator
                then indicator_results.comparison_denominator
            else indicator_results.denominator
        end as smallest_group

    from indicator_results

    inner join items
        on indicator_results.item_code = items.item_code

    where indicator_results.wave_type = 'followup'
        and indicator_results.measure = 'share_positive'
        and items.section = 'mommy_track'

),

suppression as (

    {{ suppression_flags(
        'followup_results',
        partition_by=['fiscal_year', 'item_code'],
        cell_key='program_code',
        cell_size='smallest_group'
    ) }}

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('followup_results.fiscal_year', dbt.type_string()),
            "'|'", 'followup_results.program_code', "'|'", 'followup_results.item_code'
        ]) }} as mommy_track_key,
        followup_results.fiscal_year,
        followup_results.program_code,
        followup_results.item_code,
        followup_results.report_label_ja,
        followup_results.display_order,
        {{ published_comparison_cells('followup_results') }},
        suppression.is_suppressed,
        suppression.suppression_reason

    from followup_results

    inner join suppression
        on followup_results.fiscal_year = suppression.fiscal_year
        and followup_results.item_code = suppression.item_code
        and followup_results.program_code = suppression.program_code

)

select * from final
