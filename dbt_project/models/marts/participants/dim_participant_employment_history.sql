{#- Validity follows dbt snapshots: valid_to is exclusive (the start of the next
    participation) and null while current, so "status as of fiscal year Y" is the one row
    with valid_from_fiscal_year <= Y < coalesce(valid_to_fiscal_year, Y + 1). -#}
with

participation as (

    select * from {{ ref('fct_participation') }}

),

cohorts as (

    select * from {{ ref('cohorts') }}

),

employment_statuses as (

    select * from {{ ref('employment_statuses') }}

),

participations_sequenced as (

    select
        participation.participation_key,
        participation.participant_key,
        participation.cohort_code,
        participation.program_code,
        participation.fiscal_year,
        participation.employment_status_code,
        cohorts.start_date,
        row_number() over (
            partition by participation.participant_key
            order by cohorts.start_date, participation.cohort_code
        ) as participation_sequence,
        count(*) over (partition by participation.participant_key) as participation_count,
        lag(participation.employment_status_code) over (
            partition by participation.participant_key
            order by cohorts.start_date, participation.cohort_code
        ) as previous_employment_status_code,
        lead(participation.fiscal_year) over (
            partition by participation.participant_key
            order by cohorts.start_date, participation.cohort_code
        ) as next_fiscal_year,
        lead(cohorts.start_date) over (
            partition by participation.participant_key
            order by cohorts.start_date, participation.cohort_code
        ) as next_start_date

    from participation

    inner join cohorts
        on participation.cohort_code = cohorts.cohort_code

),

final as (

    select
        participations_sequenced.participation_key,
        participations_sequenced.participant_key,
        participations_sequenced.cohort_code,
        participations_sequenced.program_code,
        participations_sequenced.participation_sequence,
        participations_sequenced.employment_status_code,
        employment_statuses.employment_status_ja,
        participations_sequenced.previous_employment_status_code,
        participations_sequenced.previous_employment_status_code is not null
            and participations_sequenced.previous_employment_status_code
                <> participations_sequenced.employment_status_code as is_status_changed,
        participations_sequenced.fiscal_year as valid_from_fiscal_year,
        participations_sequenced.next_fiscal_year as valid_to_fiscal_year,
        participations_sequenced.start_date as valid_from_date,
        participations_sequenced.next_start_date as valid_to_date,
        participations_sequenced.participation_sequence
            = participations_sequenced.participation_count as is_current

    from participations_sequenced

    inner join employment_statuses
        on participations_sequenced.employment_status_code = employment_statuses.employment_status_code

)

select * from final
