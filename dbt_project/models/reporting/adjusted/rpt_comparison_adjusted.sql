{#- The follow-up vs panel difference three ways (fct_comparison_adjusted), with catalog
    labels. Suppression (METRICS.md "Small cells"): a row whose follow-up or panel
    denominator is below k; and a like-for-like row when the respondents outside the panel's
    screening (raw minus like-for-like, a group named by covariates) are between 1 and k − 1,
    since subtracting the two rows would publish them. Nothing is computed here. -#}
{%- set suppression_k = var('suppression_k', 5) -%}
with

comparison as (

    select * from {{ ref('fct_comparison_adjusted') }}

),

items as (

    select * from {{ ref('items') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

scale_measures as (

    select * from {{ ref('scale_measures') }}

),

raw as (

    select
        fiscal_year,
        item_code,
        measure,
        followup_denominator as raw_followup_denominator

    from comparison

    where estimate_type = 'raw'

),

flagged as (

    select
        comparison.*,
        case
            when coalesce(comparison.followup_denominator, 0) < {{ suppression_k }}
                or coalesce(comparison.comparison_denominator, 0) < {{ suppression_k }}
                then 'denominator_below_k'
            when comparison.estimate_type = 'like_for_like'
                and raw.raw_followup_denominator - comparison.followup_denominator
                    between 1 and {{ suppression_k - 1 }}
                then 'small_group_derivable'
        end as suppression_reason_here

    from comparison

    left join raw
        on comparison.fiscal_year = raw.fiscal_year
        and comparison.item_code = raw.item_code
        and comparison.measure = raw.measure

),

final as (

    select
        flagged.comparison_adjusted_key,
        flagged.fiscal_year,
        flagged.item_code,
        items.report_label_ja,
        items.display_order,
        flagged.indicator_code,
        indicators.indicator_symbol,
        flagged.measure,
        scale_measures.label_ja as measure_label_ja,
        scale_measures.display_order as measure_display_order,
        flagged.good_direction,
        flagged.estimate_type,
        case flagged.estimate_type
            when 'raw' then '単純比較（公表値）'
            when 'like_for_like' then '条件をそろえた比較'
            when 'adjusted' then '属性で補正した比較'
        end as estimate_label_ja,
        {% for column in [
            'followup_numerator', 'followup_denominator', 'followup_value',
            'comparison_numerator', 'comparison_denominator', 'comparison_value',
            'comparison_effective_n', 'difference_points', 'difference_ci_lower',
            'difference_ci_upper'
        ] -%}
        {{ unless_suppressed('flagged.' ~ column, 'flagged.suppression_reason_here is not null') }}
            as {{ column }},
        {% endfor -%}
        flagged.interval_method,
        flagged.weighting_method,
        flagged.resamples,
        flagged.max_asmd_before,
        flagged.max_asmd_after,
        flagged.is_effective_n_low,
        flagged.is_imbalanced,
        flagged.is_trustworthy,
        flagged.suppression_reason_here is not null as is_suppressed,
        flagged.suppression_reason_here as suppression_reason

    from flagged

    inner join items
        on flagged.item_code = items.item_code

    left join indicators
        on flagged.indicator_code = indicators.indicator_code

    left join scale_measures
        on flagged.scale_code = scale_measures.scale_code
        and flagged.measure = scale_measures.measure_code

)

select * from final
