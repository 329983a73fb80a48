{#- Report ④–⑩ (短期アウトカム): the post-wave items of the short-term indicators, a selection
    of rpt_outcome_results (computed in fct_indicator_results, suppressed there): per fiscal
    year, program (and pooled) and item, the respondents, the share of each answer of the
    4-point scale the report charts, and the item's primary share (`measure`, e.g. agree)
    with its Wilson 95% interval. A suppressed row shows nulls, never zeros. -#}
{%- set distribution_columns = {
    'value_4': 'share_agree',
    'value_3': 'share_somewhat_agree',
    'value_2': 'share_somewhat_disagree',
    'value_1': 'share_disagree',
} -%}
with

outcome_results as (

    select * from {{ ref('rpt_outcome_results') }}

),

{#- Items asked before and after are reported in rpt_pre_post_confidence. -#}
paired_items as (

    select distinct fiscal_year, item_code

    from outcome_results

    where population = 'paired'

),

short_term_results as (

    select * from outcome_results

    where not exists (
            select 1 from paired_items
            where paired_items.fiscal_year = outcome_results.fiscal_year
                and paired_items.item_code = outcome_results.item_code
        )
        and population = 'respondents'
        and wave_type = 'post'
        and indicator_type = 'short_term'
        and measure_kind in ('share', 'distribution')

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_year', dbt.type_string()),
            "'|'", 'program_code', "'|'", 'item_code'
        ]) }} as short_term_outcome_key,
        fiscal_year,
        program_code,
        max(indicator_code) as indicator_code,
        max(indicator_symbol) as indicator_symbol,
        item_code,
        max(report_label_ja) as report_label_ja,
        max(display_order) as display_order,
        max(scale_code) as scale_code,
        max(denominator) as respondents,
        {% for measure, column in distribution_columns.items() -%}
        max(case when measure = '{{ measure }}' then value end) as {{ column }},
        {% endfor -%}
        max(case when is_primary_measure then measure end) as measure,
        max(case when is_primary_measure then value end) as share,
        max(case when is_primary_measure then ci_lower end) as share_ci_lower,
        max(case when is_primary_measure then ci_upper end) as share_ci_upper,
        max(response_rate) as response_rate,
        bool_or(is_suppressed) as is_suppressed,
        max(suppression_reason) as suppression_reason

    from short_term_results

    group by fiscal_year, program_code, item_code

)

select * from final
