{#- Report ⑮ (家事関連時間の平日と休日の週平均時間の比較): weekly average housework-related hours per
    day of the respondent and her partner, follow-up participants against the comparison
    panel, with the national reference beside them (a secondary source, cited as such).
    The groups are different people, so no cell is a sum of others: only the small-cell
    rule applies (fct_time_use.is_suppressed, var suppression_k). -#}
with

time_use as (

    select * from {{ ref('fct_time_use') }}

),

final as (

    select
        time_use_key,
        fiscal_year,
        program_code,
        respondent_group,
        {% for column in [
            'respondents',
            'self_hours_mean', 'self_hours_ci_lower', 'self_hours_ci_upper',
            'partner_hours_mean', 'partner_hours_ci_lower', 'partner_hours_ci_upper',
            'partner_share',
            'self_difference_hours', 'partner_difference_hours', 'partner_share_difference_points'
        ] -%}
        {{ unless_suppressed(column, flag='is_suppressed') }} as {{ column }},
        {% endfor -%}
        reference_survey_year,
        source_ja,
        source_note_en,
        is_suppressed,
        suppression_reason

    from time_use

)

select * from final
