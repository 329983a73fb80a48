{#- Report ⑪–⑮ (中期アウトカム): follow-up respondents (FY-1 and FY-2 participants) against the
    comparison panel of the same fiscal year, per item of the mid-term indicators and every
    share measure of the item's scale (scale_measures): a selection of rpt_outcome_results,
    where fct_indicator_results computed the shares with Wilson intervals, the difference in
    points with its Newcombe 95% interval and Fisher's exact p-value (METRICS.md
    "Comparison difference"), and suppression was applied. -#}
with

outcome_results as (

    select * from {{ ref('rpt_outcome_results') }}

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_year', dbt.type_string()),
            "'|'", 'program_code', "'|'", 'item_code', "'|'", 'measure'
        ]) }} as mid_term_outcome_key,
        fiscal_year,
        program_code,
        indicator_code,
        indicator_symbol,
        item_code,
        report_label_ja,
        display_order,
        scale_code,
        measure,
        measure_label_ja,
        is_primary_measure,
        denominator as respondents,
        value as share,
        ci_lower as share_ci_lower,
        ci_upper as share_ci_upper,
        comparison_denominator as comparison_respondents,
        comparison_value as comparison_share,
        comparison_ci_lower as comparison_share_ci_lower,
        comparison_ci_upper as comparison_share_ci_upper,
        difference_points,
        difference_ci_lower,
        difference_ci_upper,
        p_value as fisher_p_value,
        response_rate,
        is_suppressed,
        suppression_reason

    from outcome_results

    where population = 'respondents'
        and wave_type = 'followup'
        and measure_kind = 'share'
        and indicator_type = 'mid_term'

)

select * from final
