{#- METRICS.md "Time use": per respondent and spouse, weekly average per day =
    (5 × weekday + 2 × weekend) ÷ 7; a respondent counts only with all four hours answers
    counted (linked, valid). Group means with a Student t 95% interval; the partner's share
    is computed on the group means, mean(partner) ÷ (mean(self) + mean(partner)).

    The t quantile is exact for 1 and 2 degrees of freedom and otherwise the Cornish-Fisher
    expansion (Abramowitz & Stegun 26.7.5, four terms): against scipy's t.ppf it is off by
    less than 0.004 at 3 degrees of freedom, 0.0009 at 4 and 1e-7 from 28 on. The demo's
    intervals (28 and 307 degrees of freedom) are checked against scipy in
    tests/transform/test_metrics_fy2025.py. -#}
{%- set z = 1.959963984540054 -%}
{%- set g1 = (z ** 3 + z) / 4 -%}
{%- set g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96 -%}
{%- set g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384 -%}
{%- set g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160 -%}
{%- set t_one_df = 12.706204736174704 -%}  {#- tan(π · 0.475) -#}
{%- set t_two_df = 4.302652729749464 -%}  {#- 0.95 / sqrt(2 · 0.975 · 0.025) -#}
{%- set suppression_k = var('suppression_k', 5) -%}
{#- Degrees of freedom as a float: their fourth power overflows a 64-bit integer from about
    55,000 respondents (the 1000× benchmark has 308,000). -#}
{%- set df -%}cast(respondents - 1 as {{ type_double() }}){%- endset -%}
with

answers as (

    select * from {{ ref('fct_answers') }}

),

{#- The four hours items are catalog data (items.csv time_use_role); a catalog without
    them has no time-use rows. -#}
time_use_items as (

    select item_code, time_use_role from {{ ref('items') }} where time_use_role is not null

),

time_use_reference as (

    select * from {{ ref('time_use_reference') }}

),

hours_answers as (

    select
        answers.fiscal_year,
        answers.wave_type,
        answers.respondent_key,
        {% for role in ['self_weekday', 'self_weekend', 'partner_weekday', 'partner_weekend'] -%}
        max(case when time_use_items.time_use_role = '{{ role }}' then answers.value_numeric end)
            as {{ role }}{{ ',' if not loop.last }}
        {% endfor %}
    from answers

    inner join time_use_items
        on answers.item_code = time_use_items.item_code

    where answers.is_counted
        and answers.wave_type in ('followup', 'comparison')

    group by answers.fiscal_year, answers.wave_type, answers.respondent_key

),

{#- Hours per week, 5 × weekday + 2 × weekend, and their sums and sums of squares: valid
    hours are quarter hours (scales.csv), so these are exact in floating point and a
    rebuild gives the same bits whatever order the rows are summed in. The weekly average
    per day is the weekly figure ÷ 7. -#}
respondent_weekly_hours as (

    select
        fiscal_year,
        wave_type as respondent_group,
        respondent_key,
        5 * self_weekday + 2 * self_weekend as self_week_hours,
        5 * partner_weekday + 2 * partner_weekend as partner_week_hours

    from hours_answers

    where self_weekday is not null
        and self_weekend is not null
        and partner_weekday is not null
        and partner_weekend is not null

),

group_sums as (

    select
        fiscal_year,
        respondent_group,
        count(*) as respondents,
        sum(self_week_hours) as self_sum,
        sum(self_week_hours * self_week_hours) as self_sum_of_squares,
        sum(partner_week_hours) as partner_sum,
        sum(partner_week_hours * partner_week_hours) as partner_sum_of_squares

    from respondent_weekly_hours

    group by fiscal_year, respondent_group

),

group_hours as (

    select
        fiscal_year,
        respondent_group,
        respondents,
        self_sum / (7.0 * respondents) as self_hours_mean,
        sqrt(greatest(
            (self_sum_of_squares - self_sum * self_sum / respondents)
            / nullif(respondents - 1, 0),
            0
        )) / 7.0 as self_hours_sd,
        partner_sum / (7.0 * respondents) as partner_hours_mean,
        sqrt(greatest(
            (partner_sum_of_squares - partner_sum * partner_sum / respondents)
            / nullif(respondents - 1, 0),
            0
        )) / 7.0 as partner_hours_sd

    from group_sums

),

group_hours_with_t as (

    select
        group_hours.*,
        case
            when respondents - 1 = 1 then {{ t_one_df }}
            when respondents - 1 = 2 then {{ t_two_df }}
            when respondents - 1 >= 3 then
                {{ z }}
                + {{ g1 }} / {{ df }}
                + {{ g2 }} / ({{ df }} * {{ df }})
                + {{ g3 }} / ({{ df }} * {{ df }} * {{ df }})
                + {{ g4 }} / ({{ df }} * {{ df }} * {{ df }} * {{ df }})
        end as t_quantile

    from group_hours

),

group_intervals as (

    select
        fiscal_year,
        respondent_group,
        respondents,
        self_hours_mean,
        self_hours_mean - t_quantile * self_hours_sd / sqrt(respondents) as self_hours_ci_lower,
        self_hours_mean + t_quantile * self_hours_sd / sqrt(respondents) as self_hours_ci_upper,
        partner_hours_mean,
        partner_hours_mean - t_quantile * partner_hours_sd / sqrt(respondents)
            as partner_hours_ci_lower,
        partner_hours_mean + t_quantile * partner_hours_sd / sqrt(respondents)
            as partner_hours_ci_upper,
        partner_hours_mean / nullif(self_hours_mean + partner_hours_mean, 0) as partner_share

    from group_hours_with_t

),

participants as (

    select * from group_intervals where respondent_group = 'followup'

),

comparison as (

    select * from group_intervals where respondent_group = 'comparison'

),

survey_groups as (

    select
        group_intervals.*,
        participants.self_hours_mean - comparison.self_hours_mean as self_difference_hours,
        participants.partner_hours_mean - comparison.partner_hours_mean
            as partner_difference_hours,
        (participants.partner_share - comparison.partner_share) * 100
            as partner_share_difference_points,
        least(participants.respondents, comparison.respondents) as smallest_compared_group,
        cast(null as {{ dbt.type_string() }}) as reference_code,
        cast(null as {{ dbt.type_int() }}) as reference_survey_year,
        cast(null as {{ dbt.type_string() }}) as source_ja,
        cast(null as {{ dbt.type_string() }}) as source_note_en

    from group_intervals

    left join participants
        on group_intervals.fiscal_year = participants.fiscal_year
        and group_intervals.respondent_group = 'followup'

    left join comparison
        on group_intervals.fiscal_year = comparison.fiscal_year
        and group_intervals.respondent_group = 'followup'

),

{#- The national figures are in minutes per day, wife and husband; here self is the wife
    (the respondents are mothers) and partner the husband. They are shown beside every fiscal
    year that has survey time use. Divided by a double (a 60.0 literal is a decimal on Spark,
    rounded to six places). -#}
reference_hours as (

    select
        reference_code,
        max(survey_year) as reference_survey_year,
        max(source_ja) as source_ja,
        max(source_note_en) as source_note_en,
        max(case when spouse = 'wife' then housework_minutes_per_day end)
            / cast(60 as {{ type_double() }}) as self_hours,
        max(case when spouse = 'husband' then housework_minutes_per_day end)
            / cast(60 as {{ type_double() }}) as partner_hours

    from time_use_reference

    group by reference_code

),

survey_years as (

    select distinct fiscal_year from group_intervals

),

reference_groups as (

    select
        survey_years.fiscal_year,
        'national_reference' as respondent_group,
        cast(null as {{ dbt.type_bigint() }}) as respondents,
        reference_hours.self_hours as self_hours_mean,
        cast(null as {{ type_double() }}) as self_hours_ci_lower,
        cast(null as {{ type_double() }}) as self_hours_ci_upper,
        reference_hours.partner_hours as partner_hours_mean,
        cast(null as {{ type_double() }}) as partner_hours_ci_lower,
        cast(null as {{ type_double() }}) as partner_hours_ci_upper,
        reference_hours.partner_hours
            / nullif(reference_hours.self_hours + reference_hours.partner_hours, 0)
            as partner_share,
        cast(null as {{ type_double() }}) as self_difference_hours,
        cast(null as {{ type_double() }}) as partner_difference_hours,
        cast(null as {{ type_double() }}) as partner_share_difference_points,
        cast(null as {{ dbt.type_bigint() }}) as smallest_compared_group,
        reference_hours.reference_code,
        reference_hours.reference_survey_year,
        reference_hours.source_ja,
        reference_hours.source_note_en

    from survey_years

    cross join reference_hours

),

all_groups as (

    select * from survey_groups
    union all
    select * from reference_groups

),

final as (

    select
        {{ dbt.concat([
            dbt.cast('fiscal_year', dbt.type_string()), "'|all|'", 'respondent_group'
        ]) }} as time_use_key,
        fiscal_year,
        'all' as program_code,
        respondent_group,
        respondents,
        self_hours_mean,
        self_hours_ci_lower,
        self_hours_ci_upper,
        partner_hours_mean,
        partner_hours_ci_lower,
        partner_hours_ci_upper,
        partner_share,
        self_difference_hours,
        partner_difference_hours,
        partner_share_difference_points,
        reference_code,
        reference_survey_year,
        source_ja,
        source_note_en,
        coalesce(respondents < {{ suppression_k }}, false)
            or coalesce(smallest_compared_group < {{ suppression_k }}, false) as is_suppressed,
        case
            when respondents < {{ suppression_k }} then 'denominator_below_k'
            when smallest_compared_group < {{ suppression_k }} then 'comparison_denominator_below_k'
        end as suppression_reason

    from all_groups

)

select * from final
