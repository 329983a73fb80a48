{#- Report 評価結果まとめ: the headline figures of indicators ④–⑮ as numbers, pooled programs.
    Short-term items: the item's primary share (scale_measures) after the program. Pre/post score items:
    the per-wave share after, against before (METRICS.md: the report's 51.1% → 75.6% and
    56.3% are unpaired). Mid-term items: the follow-up share against the comparison panel.
    Time use: the partner's hours and share against the comparison panel. Every figure comes
    from a reporting model, so it is already suppressed the same way. -#}
with

short_term_outcomes as (

    select * from {{ ref('rpt_short_term_outcomes') }}

),

pre_post_confidence as (

    select * from {{ ref('rpt_pre_post_confidence') }}

),

mid_term_outcomes as (

    select * from {{ ref('rpt_mid_term_outcomes') }}

),

time_use as (

    select * from {{ ref('rpt_time_use') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

items as (

    select * from {{ ref('items') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

short_term_figures as (

    select
        fiscal_year,
        indicator_code,
        item_code as figure_code,
        item_code,
        measure,
        'share' as unit,
        'post' as wave_type,
        respondents,
        share as value,
        share_ci_lower as ci_lower,
        share_ci_upper as ci_upper,
        cast(null as {{ dbt.type_string() }}) as baseline_wave_type,
        cast(null as {{ dbt.type_bigint() }}) as baseline_respondents,
        cast(null as {{ type_double() }}) as baseline_value,
        cast(null as {{ type_double() }}) as difference,
        cast(null as {{ dbt.type_string() }}) as difference_unit,
        cast(null as {{ type_double() }}) as difference_ci_lower,
        cast(null as {{ type_double() }}) as difference_ci_upper,
        cast(null as {{ type_double() }}) as p_value,
        cast(null as {{ dbt.type_string() }}) as test_name,
        display_order,
        is_suppressed

    from short_term_outcomes

    where program_code = 'all'

),

respondent_shares as (

    select * from pre_post_confidence

    where program_code = 'all'
        and population = 'respondents'

),

pre_post_figures as (

    select
        post.fiscal_year,
        post.indicator_code,
        post.item_code as figure_code,
        post.item_code,
        post.headline_measure as measure,
        'share' as unit,
        'post' as wave_type,
        post.respondents,
        post.headline_share as value,
        post.headline_ci_lower as ci_lower,
        post.headline_ci_upper as ci_upper,
        'pre' as baseline_wave_type,
        pre.respondents as baseline_respondents,
        pre.headline_share as baseline_value,
        cast(null as {{ type_double() }}) as difference,
        'points' as difference_unit,
        cast(null as {{ type_double() }}) as difference_ci_lower,
        cast(null as {{ type_double() }}) as difference_ci_upper,
        cast(null as {{ type_double() }}) as p_value,
        cast(null as {{ dbt.type_string() }}) as test_name,
        items.display_order,
        post.is_suppressed or pre.is_suppressed as is_suppressed

    from respondent_shares as post

    inner join respondent_shares as pre
        on post.fiscal_year = pre.fiscal_year
        and post.item_code = pre.item_code
        and pre.wave_type = 'pre'

    inner join items
        on post.item_code = items.item_code

    where post.wave_type = 'post'

),

{#- Per-wave shares of partly the same people: the difference is shown without an interval
    or test (the paired test is in rpt_pre_post_confidence). -#}
pre_post_differences as (

    select
        fiscal_year, indicator_code, figure_code, item_code, measure, unit, wave_type,
        respondents, value, ci_lower, ci_upper, baseline_wave_type, baseline_respondents,
        baseline_value,
        (value - baseline_value) * 100 as difference,
        difference_unit, difference_ci_lower, difference_ci_upper, p_value, test_name,
        display_order, is_suppressed

    from pre_post_figures

),

mid_term_figures as (

    select
        fiscal_year,
        indicator_code,
        item_code as figure_code,
        item_code,
        measure,
        'share' as unit,
        'followup' as wave_type,
        respondents,
        share as value,
        share_ci_lower as ci_lower,
        share_ci_upper as ci_upper,
        'comparison' as baseline_wave_type,
        comparison_respondents as baseline_respondents,
        comparison_share as baseline_value,
        difference_points as difference,
        'points' as difference_unit,
        difference_ci_lower,
        difference_ci_upper,
        fisher_p_value as p_value,
        'fisher_exact' as test_name,
        display_order,
        is_suppressed

    from mid_term_outcomes

    where program_code = 'all'
        and is_primary_measure

),

time_use_indicator as (

    select
        min(item_indicators.indicator_code) as indicator_code,
        min(items.display_order) as display_order

    from item_indicators

    inner join items
        on item_indicators.item_code = items.item_code

    where items.scale_code = 'hours'
        and item_indicators.wave_type = 'followup'

),

time_use_pairs as (

    select
        participants.*,
        comparison.respondents as comparison_respondents,
        comparison.partner_hours_mean as comparison_partner_hours_mean,
        comparison.partner_share as comparison_partner_share,
        comparison.is_suppressed as is_comparison_suppressed

    from time_use as participants

    inner join time_use as comparison
        on participants.fiscal_year = comparison.fiscal_year
        and comparison.respondent_group = 'comparison'

    where participants.respondent_group = 'followup'

),

time_use_figures as (

    select
        time_use_pairs.fiscal_year,
        time_use_indicator.indicator_code,
        'partner_housework_hours' as figure_code,
        cast(null as {{ dbt.type_string() }}) as item_code,
        'mean' as measure,
        'hours' as unit,
        'followup' as wave_type,
        time_use_pairs.respondents,
        time_use_pairs.partner_hours_mean as value,
        time_use_pairs.partner_hours_ci_lower as ci_lower,
        time_use_pairs.partner_hours_ci_upper as ci_upper,
        'comparison' as baseline_wave_type,
        time_use_pairs.comparison_respondents as baseline_respondents,
        time_use_pairs.comparison_partner_hours_mean as baseline_value,
        time_use_pairs.partner_difference_hours as difference,
        'hours' as difference_unit,
        cast(null as {{ type_double() }}) as difference_ci_lower,
        cast(null as {{ type_double() }}) as difference_ci_upper,
        cast(null as {{ type_double() }}) as p_value,
        cast(null as {{ dbt.type_string() }}) as test_name,
        time_use_indicator.display_order,
        time_use_pairs.is_suppressed or time_use_pairs.is_comparison_suppressed as is_suppressed

    from time_use_pairs

    cross join time_use_indicator

    union all

    select
        time_use_pairs.fiscal_year,
        time_use_indicator.indicator_code,
        'partner_housework_share' as figure_code,
        cast(null as {{ dbt.type_string() }}) as item_code,
        'partner_share' as measure,
        'share' as unit,
        'followup' as wave_type,
        time_use_pairs.respondents,
        time_use_pairs.partner_share as value,
        cast(null as {{ type_double() }}) as ci_lower,
        cast(null as {{ type_double() }}) as ci_upper,
        'comparison' as baseline_wave_type,
        time_use_pairs.comparison_respondents as baseline_respondents,
        time_use_pairs.comparison_partner_share as baseline_value,
        time_use_pairs.partner_share_difference_points as difference,
        'points' as difference_unit,
        cast(null as {{ type_double() }}) as difference_ci_lower,
        cast(null as {{ type_double() }}) as difference_ci_upper,
        cast(null as {{ type_double() }}) as p_value,
        cast(null as {{ dbt.type_string() }}) as test_name,
        time_use_indicator.display_order + 1 as display_order,
        time_use_pairs.is_suppressed or time_use_pairs.is_comparison_suppressed as is_suppressed

    from time_use_pairs

    cross join time_use_indicator

),

figures as (

    select * from short_term_figures
    union all
    select * from pre_post_differences
    union all
    select * from mid_term_figures
    union all
    select * from time_use_figures

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('figures.fiscal_year', dbt.type_string()),
            "'|'", 'figures.indicator_code', "'|'", 'figures.figure_code', "'|'", 'figures.measure'
        ]) }} as summary_key,
        figures.fiscal_year,
        figures.indicator_code,
        indicators.indicator_symbol,
        indicators.indicator_type,
        figures.figure_code,
        figures.item_code,
        figures.measure,
        figures.unit,
        figures.wave_type,
        {{ unless_suppressed('figures.respondents', flag='figures.is_suppressed') }} as respondents,
        {{ unless_suppressed('figures.value', flag='figures.is_suppressed') }} as value,
        {{ unless_suppressed('figures.ci_lower', flag='figures.is_suppressed') }} as ci_lower,
        {{ unless_suppressed('figures.ci_upper', flag='figures.is_suppressed') }} as ci_upper,
        figures.baseline_wave_type,
        {{ unless_suppressed('figures.baseline_respondents', flag='figures.is_suppressed') }}
            as baseline_respondents,
        {{ unless_suppressed('figures.baseline_value', flag='figures.is_suppressed') }}
            as baseline_value,
        {{ unless_suppressed('figures.difference', flag='figures.is_suppressed') }} as difference,
        figures.difference_unit,
        {{ unless_suppressed('figures.difference_ci_lower', flag='figures.is_suppressed') }}
            as difference_ci_lower,
        {{ unless_suppressed('figures.difference_ci_upper', flag='figures.is_suppressed') }}
            as difference_ci_upper,
        {{ unless_suppressed('figures.p_value', flag='figures.is_suppressed') }} as p_value,
        figures.test_name,
        figures.display_order,
        figures.is_suppressed

    from figures

    inner join indicators
        on figures.indicator_code = indicators.indicator_code

)

select * from final
