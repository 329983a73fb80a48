{#- METRICS.md "Response rate": distinct responding participants ÷ participants targeted
    (latest submission, linked, holding at least one valid catalog answer: a submission
    whose only catalog answers were quarantined is not a response; int_responses__latest
    decides is_response). Unlinked respondents have no cohort, so they show only on the
    wave's row, through the linkage rate. -#}
with

wave_targets as (

    select * from {{ ref('int_wave_targets') }}

),

latest_responses as (

    select * from {{ ref('int_responses__latest') }}

),

waves as (

    select * from {{ ref('waves') }}

),

targets_scoped as (

    select wave_code, 'cohort' as breakdown_level, cohort_code as breakdown_code, participant_key
    from wave_targets

    union all

    select wave_code, 'program' as breakdown_level, program_code as breakdown_code, participant_key
    from wave_targets

    union all

    select wave_code, 'all' as breakdown_level, 'all' as breakdown_code, participant_key
    from wave_targets

),

counted_responses as (

    select * from latest_responses where is_linked and is_response

),

responses_scoped as (

    select wave_code, 'cohort' as breakdown_level, cohort_code as breakdown_code,
        respondent_key, submission_count
    from counted_responses
    where participant_key is not null

    union all

    select wave_code, 'program' as breakdown_level, program_code as breakdown_code,
        respondent_key, submission_count
    from counted_responses
    where participant_key is not null

    union all

    select wave_code, 'all' as breakdown_level, 'all' as breakdown_code,
        respondent_key, submission_count
    from counted_responses

),

target_counts as (

    select
        wave_code,
        breakdown_level,
        breakdown_code,
        count(distinct participant_key) as targeted

    from targets_scoped

    group by wave_code, breakdown_level, breakdown_code

),

response_counts as (

    select
        wave_code,
        breakdown_level,
        breakdown_code,
        count(distinct respondent_key) as responded,
        count(distinct case when submission_count > 1 then respondent_key end)
            as resubmitted_respondents

    from responses_scoped

    group by wave_code, breakdown_level, breakdown_code

),

wave_respondents as (

    select
        wave_code,
        'all' as breakdown_level,
        'all' as breakdown_code,
        count(*) as respondents,
        sum(case when is_linked then 1 else 0 end) as linked_respondents,
        sum(case when is_linked then 0 else 1 end) as unlinked_respondents

    from latest_responses

    group by wave_code

),

breakdowns as (

    select wave_code, breakdown_level, breakdown_code from target_counts
    union
    select wave_code, breakdown_level, breakdown_code from response_counts
    union
    select wave_code, breakdown_level, breakdown_code from wave_respondents

),

final as (

    select
        {{ dbt.concat([
            'breakdowns.wave_code', "'|'", 'breakdowns.breakdown_level', "'|'",
            'breakdowns.breakdown_code'
        ]) }} as response_rate_key,
        breakdowns.wave_code,
        waves.fiscal_year,
        waves.wave_type,
        breakdowns.breakdown_level,
        breakdowns.breakdown_code,
        case
            when waves.wave_type = 'comparison' then waves.panel_target_n
            else coalesce(target_counts.targeted, 0)
        end as targeted,
        coalesce(response_counts.responded, 0) as responded,
        case
            when waves.wave_type <> 'comparison'
                then cast(coalesce(response_counts.responded, 0) as {{ type_double() }})
                    / nullif(target_counts.targeted, 0)
        end as response_rate,
        coalesce(response_counts.resubmitted_respondents, 0) as resubmitted_respondents,
        case
            when breakdowns.breakdown_level = 'all' then coalesce(wave_respondents.respondents, 0)
        end as respondents,
        case
            when breakdowns.breakdown_level = 'all'
                then cast(coalesce(wave_respondents.unlinked_respondents, 0) as {{ dbt.type_bigint() }})
        end as unlinked_respondents,
        cast(wave_respondents.linked_respondents as {{ type_double() }})
            / nullif(wave_respondents.respondents, 0) as linkage_rate

    from breakdowns

    inner join waves
        on breakdowns.wave_code = waves.wave_code

    left join target_counts
        on breakdowns.wave_code = target_counts.wave_code
        and breakdowns.breakdown_level = target_counts.breakdown_level
        and breakdowns.breakdown_code = target_counts.breakdown_code

    left join response_counts
        on breakdowns.wave_code = response_counts.wave_code
        and breakdowns.breakdown_level = response_counts.breakdown_level
        and breakdowns.breakdown_code = response_counts.breakdown_code

    left join wave_respondents
        on breakdowns.wave_code = wave_respondents.wave_code
        and breakdowns.breakdown_level = wave_respondents.breakdown_level
        and breakdowns.breakdown_code = wave_respondents.breakdown_code

)

select * from final
