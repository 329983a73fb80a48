{#- METRICS.md: a wave targets every participant of the cohorts in wave_targets.csv; a
    participant of two targeted cohorts is one person, attributed to the latest cohort. -#}
with

wave_targets as (

    select * from {{ ref('wave_targets') }}

),

cohorts as (

    select * from {{ ref('cohorts') }}

),

roster as (

    select * from {{ ref('stg_operations__roster') }}

),

cohort_members as (

    select distinct
        cohort_code,
        participant_pseudonym as participant_key

    from roster

    where participant_pseudonym is not null

),

targeted_memberships as (

    select
        wave_targets.wave_code,
        cohort_members.participant_key,
        cohorts.cohort_code,
        cohorts.program_code,
        cohorts.fiscal_year as cohort_fiscal_year

    from wave_targets

    inner join cohort_members
        on wave_targets.cohort_code = cohort_members.cohort_code

    inner join cohorts
        on wave_targets.cohort_code = cohorts.cohort_code

),

attributed as (

    select
        wave_code,
        participant_key,
        cohort_code,
        program_code,
        count(*) over (partition by wave_code, participant_key) as targeted_cohort_count,
        row_number() over (
            partition by wave_code, participant_key
            order by cohort_fiscal_year desc, cohort_code desc
        ) as attribution_rank

    from targeted_memberships

),

final as (

    select
        {{ dbt.concat(['wave_code', "'|'", 'participant_key']) }} as wave_target_key,
        wave_code,
        participant_key,
        cohort_code,
        program_code,
        targeted_cohort_count

    from attributed

    where attribution_rank = 1

)

select * from final
