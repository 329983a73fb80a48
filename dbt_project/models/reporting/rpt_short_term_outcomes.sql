{#- Report ④–⑩ (短期アウトカム): the post-wave likert4 items of the short-term indicators,
    each with its answer distribution, N and positive share (METRICS.md: 3 or 4, Wilson 95%
    interval), per fiscal year for each program and pooled. Small cells are suppressed
    (macros/suppression/suppression_flags.sql): a suppressed row shows nulls, never zeros. -#}
with

answers as (

    select * from {{ ref('fct_answers') }}

),

indicator_results as (

    select * from {{ ref('fct_indicator_results') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

items as (

    select * from {{ ref('items') }}

),

post_likert_answers as (

    select
        fiscal_year,
        program_code,
        item_code,
        value_numeric

    from answers

    where is_counted
        and wave_type = 'post'
        and scale_code = 'likert4'
        and value_numeric is not null

),

pooled_answers as (

    select * from post_likert_answers where program_code is not null

    union all

    select
        fiscal_year,
        'all' as program_code,
        item_code,
        value_numeric

    from post_likert_answers

),

answer_counts as (

    select
        fiscal_year,
        program_code,
        item_code,
        count(*) as respondents,
        sum(case when value_numeric = 4 then 1 else 0 end) as agree_count,
        sum(case when value_numeric = 3 then 1 else 0 end) as somewhat_agree_count,
        sum(case when value_numeric = 2 then 1 else 0 end) as somewhat_disagree_count,
        sum(case when value_numeric = 1 then 1 else 0 end) as disagree_count

    from pooled_answers

    group by fiscal_year, program_code, item_code

),

distributions as (

    select
        fiscal_year,
        program_code,
        item_code,
        respondents,
        cast(agree_count as {{ type_double() }}) / respondents as share_agree,
        cast(somewhat_agree_count as {{ type_double() }}) / respondents as share_somewhat_agree,
        cast(somewhat_disagree_count as {{ type_double() }}) / respondents
            as share_somewhat_disagree,
        cast(disagree_count as {{ type_double() }}) / respondents as share_disagree

    from answer_counts

),

suppression as (

    {{ suppression_flags(
        'distributions',
        partition_by=['fiscal_year', 'item_code'],
        cell_key='program_code',
        cell_size='respondents'
    ) }}

),

positive_shares as (

    select * from indicator_results

    where wave_type = 'post'
        and measure = 'share_positive'

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('distributions.fiscal_year', dbt.type_string()),
            "'|'", 'distributions.program_code', "'|'", 'distributions.item_code'
        ]) }} as short_term_outcome_key,
        distributions.fiscal_year,
        distributions.program_code,
        positive_shares.indicator_code,
        indicators.indicator_symbol,
        distributions.item_code,
        items.report_label_ja,
        items.display_order,
        {{ unless_suppressed('distributions.respondents') }} as respondents,
        {{ unless_suppressed('distributions.share_agree') }} as share_agree,
        {{ unless_suppressed('distributions.share_somewhat_agree') }} as share_somewhat_agree,
        {{ unless_suppressed('distributions.share_somewhat_disagree') }} as share_somewhat_disagree,
        {{ unless_suppressed('distributions.share_disagree') }} as share_disagree,
        {{ unless_suppressed('positive_shares.value') }} as share_positive,
        {{ unless_suppressed('positive_shares.ci_lower') }} as share_positive_ci_lower,
        {{ unless_suppressed('positive_shares.ci_upper') }} as share_positive_ci_upper,
        {{ unless_suppressed('positive_shares.response_rate') }} as response_rate,
        suppression.is_suppressed,
        suppression.suppression_reason

    from distributions

    inner join suppression
        on distributions.fiscal_year = suppression.fiscal_year
        and distributions.item_code = suppression.item_code
        and distributions.program_code = suppression.program_code

    inner join positive_shares
        on distributions.fiscal_year = positive_shares.fiscal_year
        and distributions.program_code = positive_shares.program_code
        and distributions.item_code = positive_shares.item_code

    inner join indicators
        on positive_shares.indicator_code = indicators.indicator_code

    inner join items
        on distributions.item_code = items.item_code

    where indicators.indicator_type = 'short_term'

)

select * from final
