{#- Report 見えてきた課題 2 (マミートラック): follow-up items outside the logic model (no
    item_indicators row at follow-up; Mamabono's are its items.csv section 'mommy_track')
    among follow-up respondents against the comparison panel: the primary share of the item's scale, a selection of
    rpt_outcome_results (Wilson intervals, the difference in points with a Newcombe 95%
    interval and Fisher's exact p-value, computed in fct_indicator_results). -#}
with

outcome_results as (

    select * from {{ ref('rpt_outcome_results') }}

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_year', dbt.type_string()),
            "'|'", 'program_code', "'|'", 'item_code'
        ]) }} as mommy_track_key,
        fiscal_year,
        program_code,
        item_code,
        report_label_ja,
        display_order,
        measure,
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
        is_suppressed,
        suppression_reason

    from outcome_results

    where population = 'respondents'
        and wave_type = 'followup'
        and is_primary_measure
        and indicator_code is null

)

select * from final
