{#- Report ⑥⑦ (items asked before and after the program): one row per fiscal year × program
    × population × item × wave, a selection of rpt_outcome_results (computed in
    fct_indicator_results, suppressed there) pivoted for the report's pre/post tables:
    the share of each value of the scale, every share measure of the catalog
    (share_<measure_code>), the mean, the primary ("headline") share with its interval, and
    on the paired rows the McNemar test and the mean shift with its Wilcoxon test. Items
    are those the engine paired (an item asked at pre and post on a numeric scale). -#}
{%- set share_measures = [] -%}
{%- if execute -%}
    {%- set listed = run_query(
        'select distinct measure_code from ' ~ ref('scale_measures') ~ ' order by 1'
    ) -%}
    {%- set share_measures = listed.columns[0].values() -%}
{%- endif -%}
{%- set scores = range(1, 11) -%}
with

outcome_results as (

    select * from {{ ref('rpt_outcome_results') }}

),

paired_items as (

    select distinct fiscal_year, item_code

    from outcome_results

    where population = 'paired'

),

pre_post_results as (

    select outcome_results.*

    from outcome_results

    inner join paired_items
        on outcome_results.fiscal_year = paired_items.fiscal_year
        and outcome_results.item_code = paired_items.item_code

    where outcome_results.wave_type in ('pre', 'post')

),

paired_tests as (

    select
        fiscal_year,
        program_code,
        population,
        item_code,
        max(case when test_name = 'mcnemar_exact' then p_value end) as mcnemar_p_value,
        max(case when measure = 'mean_shift' then value end) as mean_shift,
        max(case when measure = 'mean_shift' then ci_lower end) as mean_shift_ci_lower,
        max(case when measure = 'mean_shift' then ci_upper end) as mean_shift_ci_upper,
        max(case when measure = 'mean_shift' then p_value end) as wilcoxon_p_value

    from pre_post_results

    where population = 'paired'

    group by fiscal_year, program_code, population, item_code

),

pivoted as (

    select
        fiscal_year,
        program_code,
        population,
        item_code,
        wave_type,
        max(indicator_code) as indicator_code,
        max(indicator_symbol) as indicator_symbol,
        max(report_label_ja) as report_label_ja,
        max(scale_code) as scale_code,
        max(case when measure_kind <> 'shift' then denominator end) as respondents,
        {% for score in scores -%}
        max(case when measure = 'value_{{ score }}' then value end)
            as share_score_{{ '%02d' % score }},
        {% endfor -%}
        {% for measure_code in share_measures -%}
        max(case when measure = '{{ measure_code }}' then value end) as share_{{ measure_code }},
        {% endfor -%}
        max(case when measure = 'mean' then value end) as mean_score,
        max(case when is_primary_measure then measure end) as headline_measure,
        max(case when is_primary_measure then measure_label_ja end) as headline_label_ja,
        max(case when is_primary_measure then value end) as headline_share,
        max(case when is_primary_measure then ci_lower end) as headline_ci_lower,
        max(case when is_primary_measure then ci_upper end) as headline_ci_upper,
        bool_or(is_suppressed and measure_kind <> 'shift') as is_suppressed,
        max(case when measure_kind <> 'shift' then suppression_reason end) as suppression_reason

    from pre_post_results

    group by fiscal_year, program_code, population, item_code, wave_type

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('pivoted.fiscal_year', dbt.type_string()),
            "'|'", 'pivoted.program_code', "'|'", 'pivoted.population',
            "'|'", 'pivoted.item_code', "'|'", 'pivoted.wave_type'
        ]) }} as pre_post_confidence_key,
        pivoted.*,
        paired_tests.mcnemar_p_value,
        paired_tests.mean_shift,
        paired_tests.mean_shift_ci_lower,
        paired_tests.mean_shift_ci_upper,
        paired_tests.wilcoxon_p_value

    from pivoted

    left join paired_tests
        on pivoted.fiscal_year = paired_tests.fiscal_year
        and pivoted.program_code = paired_tests.program_code
        and pivoted.population = paired_tests.population
        and pivoted.item_code = paired_tests.item_code

)

select * from final

-- depends_on: {{ ref('scale_measures') }}
