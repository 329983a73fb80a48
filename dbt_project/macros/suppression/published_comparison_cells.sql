{#- The published cells of a follow-up vs comparison result (a row of fct_indicator_results):
    both groups' shares with Wilson intervals, the difference in points with its Newcombe
    interval, and Fisher's p-value, each null when the row is suppressed. One definition for
    every report table that compares participants with the panel. -#}
{% macro published_comparison_cells(relation, flag='suppression.is_suppressed') -%}
        {{ unless_suppressed(relation ~ '.denominator', flag) }} as respondents,
        {{ unless_suppressed(relation ~ '.value', flag) }} as share,
        {{ unless_suppressed(relation ~ '.ci_lower', flag) }} as share_ci_lower,
        {{ unless_suppressed(relation ~ '.ci_upper', flag) }} as share_ci_upper,
        {{ unless_suppressed(relation ~ '.comparison_denominator', flag) }}
            as comparison_respondents,
        {{ unless_suppressed(relation ~ '.comparison_value', flag) }} as comparison_share,
        {{ unless_suppressed(relation ~ '.comparison_ci_lower', flag) }}
            as comparison_share_ci_lower,
        {{ unless_suppressed(relation ~ '.comparison_ci_upper', flag) }}
            as comparison_share_ci_upper,
        {{ unless_suppressed(relation ~ '.difference_points', flag) }} as difference_points,
        {{ unless_suppressed(relation ~ '.difference_ci_lower', flag) }} as difference_ci_lower,
        {{ unless_suppressed(relation ~ '.difference_ci_upper', flag) }} as difference_ci_upper,
        {{ unless_suppressed(relation ~ '.p_value', flag) }} as fisher_p_value
{%- endmacro %}
