with

participation as (

    select * from {{ ref('fct_participation') }}

),

cohorts as (

    select * from {{ ref('cohorts') }}

),

participations_ordered as (

    select
        participation.participant_key,
        participation.cohort_code,
        participation.program_code,
        participation.fiscal_year,
        participation.employment_status_code,
        row_number() over (
            partition by participation.participant_key
            order by cohorts.start_date, participation.cohort_code
        ) as first_rank,
        row_number() over (
            partition by participation.participant_key
            order by cohorts.start_date desc, participation.cohort_code desc
        ) as latest_rank

    from participation

    inner join cohorts
        on participation.cohort_code = cohorts.cohort_code

),

participant_programs as (

    select distinct
        participant_key,
        program_code

    from participation

),

program_lists as (

    select
        participant_key,
        count(*) as program_count,
        {{ dbt.listagg('program_code', "'|'", 'order by program_code') }} as program_codes

    from participant_programs

    group by participant_key

),

participation_summary as (

    select
        participant_key,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as participation_count

    from participation

    group by participant_key

),

first_participations as (

    select * from participations_ordered where first_rank = 1

),

latest_participations as (

    select * from participations_ordered where latest_rank = 1

),

final as (

    select
        participation_summary.participant_key,
        participation_summary.first_fiscal_year,
        participation_summary.last_fiscal_year,
        first_participations.cohort_code as first_cohort_code,
        first_participations.program_code as first_program_code,
        participation_summary.participation_count,
        program_lists.program_count,
        program_lists.program_codes,
        participation_summary.participation_count > 1 as is_repeat_participant,
        latest_participations.employment_status_code as latest_employment_status_code

    from participation_summary

    inner join first_participations
        on participation_summary.participant_key = first_participations.participant_key

    inner join latest_participations
        on participation_summary.participant_key = latest_participations.participant_key

    inner join program_lists
        on participation_summary.participant_key = program_lists.participant_key

)

select * from final
