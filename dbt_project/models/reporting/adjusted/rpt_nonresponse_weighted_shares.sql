{#- Follow-up shares re-weighted for non-response (fct_nonresponse_weighted_shares), with
    catalog labels; a share whose denominator is below k is suppressed (METRICS.md "Small
    cells"). One cell per item and measure (the programs pooled), so no secondary
    suppression. Nothing is computed here. -#}
{%- set suppression_k = var('suppression_k', 5) -%}
with

shares as (

    select * from {{ ref('fct_nonresponse_weighted_shares') }}

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

flagged as (

    select
        shares.*,
        coalesce(shares.denominator, 0) < {{ suppression_k }} as is_suppressed_here

    from shares

),

final as (

    select
        flagged.nonresponse_share_key,
        flagged.fiscal_year,
        flagged.program_code,
        flagged.item_code,
        items.report_label_ja,
        items.display_order,
        flagged.indicator_code,
        indicators.indicator_symbol,
        flagged.measure,
        scale_measures.label_ja as measure_label_ja,
        flagged.good_direction,
        flagged.targeted_n,
        flagged.respondents_n,
        {% for column in [
            'numerator', 'denominator', 'value', 'weighted_value', 'effective_n', 'ci_lower',
            'ci_upper', 'max_weight_ratio'
        ] -%}
        {{ unless_suppressed('flagged.' ~ column, 'flagged.is_suppressed_here') }} as {{ column }},
        {% endfor -%}
        flagged.weighting_method,
        flagged.is_effective_n_low,
        flagged.is_suppressed_here as is_suppressed,
        case when flagged.is_suppressed_here then 'denominator_below_k' end as suppression_reason

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
