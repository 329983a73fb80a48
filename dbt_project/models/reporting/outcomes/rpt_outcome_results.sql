{#- Every outcome figure the report can print, published: the rows of fct_indicator_results
    (where each figure is computed, in one hop: join on indicator_result_key) with catalog
    labels joined and small cells suppressed (METRICS.md "Small cells"). Nothing is computed
    here but the suppression.

    The cells of one fiscal year × population × wave type × item × measure add up over the
    programs to 'all'; a follow-up cell is as small as the smaller of its two groups (the
    comparison difference needs both). The paired and the per-wave respondents are each
    suppressed under their own k only: who answered which wave is a response pattern, not a
    group a reader can name (METRICS.md "Small cells"). A paired_<measure>_at_pre group is
    defined by an answer, so it is also suppressed when it differs from the paired by fewer
    than k people: subtracting the two would publish that small group's answers. The paired
    tests (McNemar p, mean shift) are published only when both the pre and the post rows of
    the pairs are: a shift and one wave's mean would give the other wave's. -#}
{%- set suppression_k = var('suppression_k', 5) -%}
with

indicator_results as (

    select * from {{ ref('fct_indicator_results') }}

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

scale_labels as (

    select * from {{ ref('scale_labels') }}

),

wave_types as (

    select * from {{ ref('wave_types') }}

),

distribution_values as (

    select
        measure,
        replace(measure, 'value_', '') as value_code,
        cast(replace(measure, 'value_', '') as {{ type_double() }}) as value_number

    from indicator_results

    where measure_kind = 'distribution'

    group by measure

),

population_sizes as (

    select
        fiscal_year,
        program_code,
        item_code,
        wave_type,
        max(case when population = 'paired' then denominator end) as paired_size

    from indicator_results

    group by fiscal_year, program_code, item_code, wave_type

),

cells as (

    select
        indicator_results.*,
        case
            when indicator_results.comparison_denominator < indicator_results.denominator
                then indicator_results.comparison_denominator
            else indicator_results.denominator
        end as cell_size,
        (
            indicator_results.population not in ('respondents', 'paired')
            and population_sizes.paired_size - indicator_results.denominator
                between 1 and {{ suppression_k - 1 }}
        ) as is_small_group_derivable

    from indicator_results

    left join population_sizes
        on indicator_results.fiscal_year = population_sizes.fiscal_year
        and indicator_results.program_code = population_sizes.program_code
        and indicator_results.item_code = population_sizes.item_code
        and indicator_results.wave_type = population_sizes.wave_type

),

suppression as (

    {{ suppression_flags(
        'cells',
        partition_by=['fiscal_year', 'population', 'wave_type', 'item_code', 'measure'],
        cell_key='program_code',
        cell_size='cell_size',
        small_group_derivable='is_small_group_derivable'
    ) }}

),

flagged as (

    select
        cells.*,
        suppression.is_suppressed as is_cell_suppressed,
        suppression.suppression_reason as cell_suppression_reason

    from cells

    inner join suppression
        on cells.fiscal_year = suppression.fiscal_year
        and cells.population = suppression.population
        and cells.wave_type = suppression.wave_type
        and cells.item_code = suppression.item_code
        and cells.measure = suppression.measure
        and cells.program_code = suppression.program_code

),

published_pairs as (

    select
        fiscal_year,
        program_code,
        population,
        item_code

    from flagged

    where population <> 'respondents'
        and wave_type in ('pre', 'post')
        and measure_kind <> 'shift'

    group by fiscal_year, program_code, population, item_code

    having max(case when is_cell_suppressed then 1 else 0 end) = 0
        and count(distinct wave_type) = 2

),

published as (

    select
        flagged.*,
        flagged.is_cell_suppressed
            or (flagged.measure_kind = 'shift' and published_pairs.item_code is null)
            as is_suppressed_here,
        case
            when flagged.is_cell_suppressed then flagged.cell_suppression_reason
            when flagged.measure_kind = 'shift' and published_pairs.item_code is null
                then 'paired_wave_suppressed'
        end as suppression_reason_here,
        coalesce(flagged.test_name, '') <> 'mcnemar_exact'
            or published_pairs.item_code is not null as is_test_published

    from flagged

    left join published_pairs
        on flagged.fiscal_year = published_pairs.fiscal_year
        and flagged.program_code = published_pairs.program_code
        and flagged.population = published_pairs.population
        and flagged.item_code = published_pairs.item_code

),

final as (

    select
        published.indicator_result_key,
        published.fiscal_year,
        published.program_code,
        published.population,
        case
            when published.population = 'respondents' then '各回の回答者'
            when published.population = 'paired' then '事前・事後の両方に回答（ペア）'
            else {{ dbt.concat(["'事前に'", 'follow_groups.label_ja', "'（ペア）'"]) }}
        end as population_label_ja,
        published.wave_type,
        wave_types.wave_type_ja,
        published.item_code,
        items.report_label_ja,
        items.section,
        items.display_order,
        published.scale_code,
        published.indicator_code,
        indicators.indicator_symbol,
        indicators.indicator_type,
        indicators.indicator_ja,
        published.measure,
        published.measure_kind,
        case published.measure_kind
            when 'share' then scale_measures.label_ja
            when 'distribution' then coalesce(scale_labels.label_ja, value_codes.value_code)
            when 'mean' then '平均'
            when 'shift' then '平均の変化（事後 − 事前）'
        end as measure_label_ja,
        case published.measure_kind
            when 'share' then scale_measures.label_en
            when 'distribution' then coalesce(scale_labels.label_en, value_codes.value_code)
            when 'mean' then 'mean'
            when 'shift' then 'mean change (post − pre)'
        end as measure_label_en,
        case published.measure_kind
            when 'share' then scale_measures.display_order
            when 'distribution' then 100 + value_codes.value_number
            when 'mean' then 1000
            when 'shift' then 1001
        end as measure_display_order,
        published.is_primary_measure,
        published.good_direction,
        {% for column in [
            'numerator', 'denominator', 'value', 'ci_lower', 'ci_upper',
            'comparison_numerator', 'comparison_denominator', 'comparison_value',
            'comparison_ci_lower', 'comparison_ci_upper', 'difference_points',
            'difference_ci_lower', 'difference_ci_upper'
        ] -%}
        {{ unless_suppressed('published.' ~ column, 'published.is_suppressed_here') }}
            as {{ column }},
        {% endfor -%}
        case
            when not published.is_suppressed_here and published.is_test_published
                then published.p_value
        end as p_value,
        published.test_name,
        {{ unless_suppressed('published.response_rate', 'published.is_suppressed_here') }}
            as response_rate,
        published.is_suppressed_here as is_suppressed,
        published.suppression_reason_here as suppression_reason

    from published

    inner join items
        on published.item_code = items.item_code

    inner join wave_types
        on published.wave_type = wave_types.wave_type

    left join indicators
        on published.indicator_code = indicators.indicator_code

    left join scale_measures
        on published.scale_code = scale_measures.scale_code
        and published.measure = scale_measures.measure_code

    left join scale_measures as follow_groups
        on published.scale_code = follow_groups.scale_code
        and published.population
            = {{ dbt.concat(["'paired_'", 'follow_groups.measure_code', "'_at_pre'"]) }}

    left join distribution_values as value_codes
        on published.measure = value_codes.measure

    left join scale_labels
        on published.scale_code = scale_labels.scale_code
        and published.measure
            = {{ dbt.concat(["'value_'", dbt.cast('scale_labels.value_code', dbt.type_string())]) }}

)

select * from final
