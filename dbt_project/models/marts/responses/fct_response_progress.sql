{#- METRICS.md "Response rate", day by day: for every wave that has opened (comparison
    waves have no rate and are left out), one row per breakdown (each targeted cohort and
    the whole wave, 'all') and calendar day from open_date to the last day, the earlier of
    close_date and today (var as_of) in the organisation's time zone. responded counts the
    respondents fct_response_rates counts (int_responses__latest: linked, is_response), each
    from the local day she first answered; answers before the window count on its first day,
    answers after the close on its last, so the last day equals fct_response_rates.
    Without var as_of, "today" is never earlier than the latest answer landed: a demo run
    as of a simulated day (impact demo --as-of) has answers of days this machine's clock has
    not reached, and those days have happened in the data. -#}
with

waves as (

    select * from {{ ref('dim_waves') }}

),

organisation as (

    select time_zone from {{ ref('organisation') }}

),

response_rates as (

    select * from {{ ref('fct_response_rates') }}

),

latest_responses as (

    select * from {{ ref('int_responses__latest') }}

),

day_offsets as (

    {#- Windows are weeks long; 1000 days is a bound no survey reaches (a data test checks
        that every tracked wave reaches its last day). -#}
    {{ dbt.generate_series(1000) }}

),

build_day as (

    {% if var('as_of', none) %}
    select {{ local_today('organisation.time_zone') }} as local_day from organisation
    {% else %}
    select
        case
            when max(answer_days.answered_date) > min(today.local_day)
                then max(answer_days.answered_date)
            else min(today.local_day)
        end as local_day

    from (
        select {{ local_today('organisation.time_zone') }} as local_day from organisation
    ) as today

    left join (
        select
            case
                when latest_responses.source_system = 'google_forms'
                    then {{ utc_to_local_date('latest_responses.submitted_at', 'organisation.time_zone') }}
                else cast(latest_responses.submitted_at as date)
            end as answered_date
        from latest_responses
        cross join organisation
    ) as answer_days
        on true
    {% endif %}

),

tracked_waves as (

    select
        waves.wave_code,
        waves.fiscal_year,
        waves.wave_type,
        waves.program_code,
        waves.open_date,
        waves.close_date,
        waves.response_rate_target,
        waves.response_rate_floor,
        case
            when waves.close_date < today.local_day then waves.close_date
            else today.local_day
        end as last_date

    from waves

    cross join build_day as today

    where waves.wave_type <> 'comparison'
        and waves.open_date <= today.local_day

),

days as (

    select
        tracked_waves.*,
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'tracked_waves.open_date') }}
            as date) as progress_date,
        day_offsets.generated_number - 1 as days_since_open

    from tracked_waves

    cross join day_offsets

    where day_offsets.generated_number - 1
        <= {{ dbt.datediff('tracked_waves.open_date', 'tracked_waves.last_date', 'day') }}

),

target_counts as (

    {#- The targeted counts fct_response_rates defines (one definition): the wave's and each
        cohort's with anyone targeted, as int_wave_targets lists them. -#}
    select wave_code, breakdown_level, breakdown_code, targeted
    from response_rates
    where breakdown_level in ('cohort', 'all')
        and targeted > 0

),

breakdowns as (

    {#- The whole wave always has a row, even before its roster is loaded. -#}
    select wave_code, 'all' as breakdown_level, 'all' as breakdown_code from tracked_waves

    union

    select target_counts.wave_code, target_counts.breakdown_level, target_counts.breakdown_code
    from target_counts
    inner join tracked_waves on target_counts.wave_code = tracked_waves.wave_code

),

counted_responses as (

    select
        latest_responses.wave_code,
        latest_responses.cohort_code,
        latest_responses.respondent_key,
        case
            when latest_responses.source_system = 'google_forms'
                then {{ utc_to_local_date('latest_responses.first_submitted_at', 'organisation.time_zone') }}
            {#- Panel answer times are already local (stg_panel_file__responses). -#}
            else cast(latest_responses.first_submitted_at as date)
        end as answered_date

    from latest_responses

    cross join organisation

    where latest_responses.is_linked
        and latest_responses.is_response
        and latest_responses.participant_key is not null

),

response_days as (

    select
        counted_responses.wave_code,
        counted_responses.cohort_code,
        counted_responses.respondent_key,
        case
            when counted_responses.answered_date is null then tracked_waves.last_date
            when counted_responses.answered_date < tracked_waves.open_date
                then tracked_waves.open_date
            when counted_responses.answered_date > tracked_waves.last_date
                then tracked_waves.last_date
            else counted_responses.answered_date
        end as response_date

    from counted_responses

    inner join tracked_waves
        on counted_responses.wave_code = tracked_waves.wave_code

),

daily_responses as (

    select wave_code, 'cohort' as breakdown_level, cohort_code as breakdown_code,
        response_date, count(distinct respondent_key) as responded_on_day
    from response_days
    group by wave_code, cohort_code, response_date

    union all

    select wave_code, 'all' as breakdown_level, 'all' as breakdown_code,
        response_date, count(distinct respondent_key) as responded_on_day
    from response_days
    group by wave_code, response_date

),

daily as (

    select
        days.wave_code,
        days.fiscal_year,
        days.wave_type,
        days.program_code,
        breakdowns.breakdown_level,
        breakdowns.breakdown_code,
        days.progress_date,
        days.days_since_open,
        {{ dbt.datediff('days.progress_date', 'days.close_date', 'day') }} as days_until_close,
        days.progress_date = days.last_date as is_last_day,
        days.last_date = days.close_date as is_window_closed,
        days.open_date,
        days.close_date,
        coalesce(target_counts.targeted, 0) as targeted,
        coalesce(daily_responses.responded_on_day, 0) as responded_on_day,
        days.response_rate_target,
        days.response_rate_floor

    from days

    inner join breakdowns
        on days.wave_code = breakdowns.wave_code

    left join target_counts
        on breakdowns.wave_code = target_counts.wave_code
        and breakdowns.breakdown_level = target_counts.breakdown_level
        and breakdowns.breakdown_code = target_counts.breakdown_code

    left join daily_responses
        on breakdowns.wave_code = daily_responses.wave_code
        and breakdowns.breakdown_level = daily_responses.breakdown_level
        and breakdowns.breakdown_code = daily_responses.breakdown_code
        and days.progress_date = daily_responses.response_date

),

cumulative as (

    select
        daily.*,
        sum(responded_on_day) over (
            partition by wave_code, breakdown_level, breakdown_code
            order by progress_date
            rows between unbounded preceding and current row
        ) as responded

    from daily

),

final as (

    select
        {{ dbt.concat([
            'wave_code', "'|'", 'breakdown_level', "'|'", 'breakdown_code', "'|'",
            'cast(progress_date as ' ~ dbt.type_string() ~ ')'
        ]) }} as response_progress_key,
        wave_code,
        fiscal_year,
        wave_type,
        program_code,
        breakdown_level,
        breakdown_code,
        progress_date,
        days_since_open,
        days_until_close,
        is_last_day,
        is_window_closed,
        open_date,
        close_date,
        targeted,
        responded_on_day,
        cast(responded as {{ dbt.type_bigint() }}) as responded,
        cast(responded as {{ type_double() }}) / nullif(targeted, 0) as response_rate,
        response_rate_target,
        response_rate_floor

    from cumulative

)

select * from final
