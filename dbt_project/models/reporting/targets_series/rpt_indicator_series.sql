{#- Published multi-year series (METRICS.md "Multi-year outcome tracking"): each per-wave
    share of marts.fct_indicator_series with labels, its year-to-year difference (Newcombe)
    and trend (odds ratio per year), and the wording version. Suppression: each cell is
    the engine row indicator_result_key, so it is suppressed exactly when
    rpt_outcome_results suppresses that row (one decision per cell, made there); a
    difference is null when either of its years is suppressed, a trend when any of its years
    is, since each could be solved back to a suppressed count. -#}
with

indicator_series as (

    select * from {{ ref('fct_indicator_series') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

items as (

    select * from {{ ref('items') }}

),

wave_types as (

    select * from {{ ref('wave_types') }}

),

item_wordings as (

    select * from {{ ref('dim_item_wordings') }}

),

published_outcomes as (

    select indicator_result_key, is_suppressed, suppression_reason
    from {{ ref('rpt_outcome_results') }}

),

flagged as (

    select
        indicator_series.*,
        suppression.is_suppressed as is_cell_suppressed,
        suppression.suppression_reason,
        coalesce(lag(suppression.is_suppressed) over series_years, false)
            as is_previous_suppressed,
        -- One row per fiscal year of a series: the default frame runs from its first year.
        max(case when suppression.is_suppressed then 1 else 0 end) over series_years = 1
            as is_any_year_suppressed

    from indicator_series

    inner join published_outcomes as suppression
        on indicator_series.indicator_result_key = suppression.indicator_result_key

    window series_years as (
        partition by
            indicator_series.program_code, indicator_series.wave_type,
            indicator_series.item_code, indicator_series.measure
        order by indicator_series.fiscal_year
    )

),

published as (

    select
        flagged.*,
        flagged.previous_fiscal_year is not null
            and (flagged.is_cell_suppressed or flagged.is_previous_suppressed)
            as is_difference_withheld,
        flagged.trend_years is not null and flagged.is_any_year_suppressed
            as is_trend_withheld

    from flagged

),

final as (

    select
        published.indicator_series_key,
        published.fiscal_year,
        published.program_code,
        published.population,
        published.wave_type,
        wave_types.wave_type_ja,
        published.indicator_code,
        indicators.indicator_symbol,
        indicators.content_ja as indicator_content_ja,
        published.item_code,
        items.report_label_ja,
        items.display_order,
        published.scale_code,
        published.measure,
        published.good_direction,
        published.is_primary_measure,
        {{ unless_suppressed('published.numerator', 'published.is_cell_suppressed') }}
            as numerator,
        {{ unless_suppressed('published.denominator', 'published.is_cell_suppressed') }}
            as denominator,
        {{ unless_suppressed('published.value', 'published.is_cell_suppressed') }} as value,
        {{ unless_suppressed('published.ci_lower', 'published.is_cell_suppressed') }}
            as ci_lower,
        {{ unless_suppressed('published.ci_upper', 'published.is_cell_suppressed') }}
            as ci_upper,
        published.previous_fiscal_year,
        {{ unless_suppressed('published.difference_points', 'published.is_difference_withheld') }}
            as difference_points,
        {{ unless_suppressed('published.difference_ci_lower', 'published.is_difference_withheld') }}
            as difference_ci_lower,
        {{ unless_suppressed('published.difference_ci_upper', 'published.is_difference_withheld') }}
            as difference_ci_upper,
        published.trend_first_fiscal_year,
        published.trend_years,
        {{ unless_suppressed('published.trend_odds_ratio', 'published.is_trend_withheld') }}
            as trend_odds_ratio,
        {{ unless_suppressed('published.trend_ci_lower', 'published.is_trend_withheld') }}
            as trend_ci_lower,
        {{ unless_suppressed('published.trend_ci_upper', 'published.is_trend_withheld') }}
            as trend_ci_upper,
        {{ unless_suppressed('published.trend_p_value', 'published.is_trend_withheld') }}
            as trend_p_value,
        published.wording_valid_from_fy,
        item_wordings.wording_ja,
        published.is_wording_changed,
        published.is_cell_suppressed as is_suppressed,
        published.suppression_reason,
        published.is_difference_withheld as is_difference_suppressed,
        published.is_trend_withheld as is_trend_suppressed,
        published.indicator_result_key

    from published

    inner join wave_types
        on published.wave_type = wave_types.wave_type

    left join indicators
        on published.indicator_code = indicators.indicator_code

    left join items
        on published.item_code = items.item_code

    left join item_wordings
        on published.item_code = item_wordings.item_code
        and published.fiscal_year = item_wordings.fiscal_year

)

select * from final
