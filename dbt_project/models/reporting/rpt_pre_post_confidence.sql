{#- Report ⑥⑦ (復職に向けた不安, 自分らしいキャリアを歩む自信): the 10-point answers before and
    after the program in three populations. 'respondents': every counted answer of the wave,
    the report's unpaired headline shares (METRICS.md: 51.1% → 75.6%, 56.3% anxious).
    'paired': participants who answered the item in both waves, with the exact McNemar test
    of the scale's positive rule and the Wilcoxon (Pratt) test of the scores. And
    'strongly_anxious_at_pre': paired participants whose pre anxiety was 3 or less (the
    report's N = 6 group). Tests describe the pairs, so only 'paired' rows carry them, and
    only when both the pre and the post row are published (a shift and one wave's mean
    would give the other wave's).

    The populations are nested (the paired are some of the respondents), so a population is
    also suppressed when it differs from an enclosing one by fewer than k people: otherwise
    subtracting the two would publish the answers of that small group. -#}
{%- set scores = range(1, 11) -%}
{%- set thresholds = ['6_or_more', '8_or_more', '5_or_less', '3_or_less'] -%}
{%- set suppression_k = var('suppression_k', 5) -%}
with

paired_scores as (

    select * from {{ ref('fct_paired_scores') }}

),

indicator_results as (

    select * from {{ ref('fct_indicator_results') }}

),

items as (

    select * from {{ ref('items') }}

),

item_indicators as (

    select * from {{ ref('item_indicators') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

wave_scores as (

    select
        fiscal_year, program_code, participant_key, item_code, scale_code, is_paired,
        'pre' as wave_type,
        pre_value as score
    from paired_scores
    where pre_value is not null

    union all

    select
        fiscal_year, program_code, participant_key, item_code, scale_code, is_paired,
        'post' as wave_type,
        post_value as score
    from paired_scores
    where post_value is not null

),

strongly_anxious_participants as (

    select distinct
        fiscal_year,
        program_code,
        participant_key

    from paired_scores

    where scale_code = 'anxiety10'
        and is_paired
        and pre_value <= 3

),

population_scores as (

    select wave_scores.*, 'respondents' as population
    from wave_scores

    union all

    select wave_scores.*, 'paired' as population
    from wave_scores
    where is_paired

    union all

    select wave_scores.*, 'strongly_anxious_at_pre' as population
    from wave_scores
    inner join strongly_anxious_participants
        on wave_scores.fiscal_year = strongly_anxious_participants.fiscal_year
        and wave_scores.program_code = strongly_anxious_participants.program_code
        and wave_scores.participant_key = strongly_anxious_participants.participant_key
    where wave_scores.is_paired

),

pooled_scores as (

    select
        fiscal_year, program_code, population, item_code, scale_code, wave_type, score
    from population_scores

    union all

    select
        fiscal_year, 'all' as program_code, population, item_code, scale_code, wave_type, score
    from population_scores

),

score_counts as (

    select
        fiscal_year,
        program_code,
        population,
        item_code,
        scale_code,
        wave_type,
        count(*) as respondents,
        {% for score in scores -%}
        sum(case when score = {{ score }} then 1 else 0 end) as score_{{ '%02d' % score }}_count,
        {% endfor -%}
        sum(case when score >= 6 then 1 else 0 end) as score_6_or_more_count,
        sum(case when score >= 8 then 1 else 0 end) as score_8_or_more_count,
        sum(case when score <= 5 then 1 else 0 end) as score_5_or_less_count,
        sum(case when score <= 3 then 1 else 0 end) as score_3_or_less_count,
        avg(score) as mean_score

    from pooled_scores

    group by fiscal_year, program_code, population, item_code, scale_code, wave_type

),

{#- The report quotes the confident share (6 or more) for score10 and the anxious share
    (5 or less) for anxiety10 (METRICS.md "Scales"). -#}
distributions as (

    select
        fiscal_year,
        program_code,
        population,
        item_code,
        scale_code,
        wave_type,
        respondents,
        {% for score in scores -%}
        cast(score_{{ '%02d' % score }}_count as {{ type_double() }}) / respondents
            as share_score_{{ '%02d' % score }},
        {% endfor -%}
        {% for threshold in thresholds -%}
        cast(score_{{ threshold }}_count as {{ type_double() }}) / respondents
            as share_{{ threshold }},
        {% endfor -%}
        mean_score,
        case
            when scale_code = 'anxiety10' then 'share_5_or_less'
            else 'share_6_or_more'
        end as headline_measure,
        case
            when scale_code = 'anxiety10' then {{ wilson_interval_lower('score_5_or_less_count', 'respondents') }}
            else {{ wilson_interval_lower('score_6_or_more_count', 'respondents') }}
        end as headline_ci_lower,
        case
            when scale_code = 'anxiety10' then {{ wilson_interval_upper('score_5_or_less_count', 'respondents') }}
            else {{ wilson_interval_upper('score_6_or_more_count', 'respondents') }}
        end as headline_ci_upper

    from score_counts

),

population_sizes as (

    select
        fiscal_year,
        program_code,
        item_code,
        wave_type,
        max(case when population = 'respondents' then respondents end) as respondents_size,
        max(case when population = 'paired' then respondents end) as paired_size

    from distributions

    group by fiscal_year, program_code, item_code, wave_type

),

nested_distributions as (

    select
        distributions.*,
        (
            distributions.population <> 'respondents'
            and population_sizes.respondents_size - distributions.respondents
                between 1 and {{ suppression_k - 1 }}
        ) or (
            distributions.population = 'strongly_anxious_at_pre'
            and population_sizes.paired_size - distributions.respondents
                between 1 and {{ suppression_k - 1 }}
        ) as is_small_group_derivable

    from distributions

    inner join population_sizes
        on distributions.fiscal_year = population_sizes.fiscal_year
        and distributions.program_code = population_sizes.program_code
        and distributions.item_code = population_sizes.item_code
        and distributions.wave_type = population_sizes.wave_type

),

suppression as (

    {{ suppression_flags(
        'nested_distributions',
        partition_by=['fiscal_year', 'population', 'item_code', 'wave_type'],
        cell_key='program_code',
        cell_size='respondents',
        small_group_derivable='is_small_group_derivable'
    ) }}

),

published_pairs as (

    select
        fiscal_year,
        program_code,
        item_code

    from suppression

    where population = 'paired'

    group by fiscal_year, program_code, item_code

    having max(case when is_suppressed then 1 else 0 end) = 0

),

paired_tests as (

    select
        fiscal_year,
        program_code,
        item_code,
        max(case when measure = 'paired_share_positive' then p_value end) as mcnemar_p_value,
        max(case when measure = 'paired_score_shift' then value end) as mean_shift,
        max(case when measure = 'paired_score_shift' then ci_lower end) as mean_shift_ci_lower,
        max(case when measure = 'paired_score_shift' then ci_upper end) as mean_shift_ci_upper,
        max(case when measure = 'paired_score_shift' then p_value end) as wilcoxon_p_value

    from indicator_results

    where measure in ('paired_share_positive', 'paired_score_shift')
        and exists (
            select 1 from published_pairs
            where published_pairs.fiscal_year = indicator_results.fiscal_year
                and published_pairs.program_code = indicator_results.program_code
                and published_pairs.item_code = indicator_results.item_code
        )

    group by fiscal_year, program_code, item_code

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('distributions.fiscal_year', dbt.type_string()),
            "'|'", 'distributions.program_code', "'|'", 'distributions.population',
            "'|'", 'distributions.item_code', "'|'", 'distributions.wave_type'
        ]) }} as pre_post_confidence_key,
        distributions.fiscal_year,
        distributions.program_code,
        distributions.population,
        item_indicators.indicator_code,
        indicators.indicator_symbol,
        distributions.item_code,
        items.report_label_ja,
        distributions.scale_code,
        distributions.wave_type,
        {{ unless_suppressed('distributions.respondents') }} as respondents,
        {% for score in scores -%}
        {{ unless_suppressed('distributions.share_score_%02d' % score) }}
            as share_score_{{ '%02d' % score }},
        {% endfor -%}
        {% for threshold in thresholds -%}
        {{ unless_suppressed('distributions.share_' ~ threshold) }} as share_{{ threshold }},
        {% endfor -%}
        {{ unless_suppressed('distributions.mean_score') }} as mean_score,
        distributions.headline_measure,
        {{ unless_suppressed('distributions.headline_ci_lower') }} as headline_ci_lower,
        {{ unless_suppressed('distributions.headline_ci_upper') }} as headline_ci_upper,
        {{ unless_suppressed('paired_tests.mcnemar_p_value') }} as mcnemar_p_value,
        {{ unless_suppressed('paired_tests.mean_shift') }} as mean_shift,
        {{ unless_suppressed('paired_tests.mean_shift_ci_lower') }} as mean_shift_ci_lower,
        {{ unless_suppressed('paired_tests.mean_shift_ci_upper') }} as mean_shift_ci_upper,
        {{ unless_suppressed('paired_tests.wilcoxon_p_value') }} as wilcoxon_p_value,
        suppression.is_suppressed,
        suppression.suppression_reason

    from distributions

    inner join suppression
        on distributions.fiscal_year = suppression.fiscal_year
        and distributions.population = suppression.population
        and distributions.item_code = suppression.item_code
        and distributions.wave_type = suppression.wave_type
        and distributions.program_code = suppression.program_code

    inner join items
        on distributions.item_code = items.item_code

    left join item_indicators
        on distributions.item_code = item_indicators.item_code
        and distributions.wave_type = item_indicators.wave_type

    left join indicators
        on item_indicators.indicator_code = indicators.indicator_code

    left join paired_tests
        on distributions.fiscal_year = paired_tests.fiscal_year
        and distributions.program_code = paired_tests.program_code
        and distributions.item_code = paired_tests.item_code
        and distributions.population = 'paired'

)

select * from final
