{#- A corrected roster row lands next to the old one, so the latest landed row of each
    cohort × participant wins; the cohort, not the typed cells, decides program and fiscal
    year (METRICS.md). Details: the marts__fct_participation doc block. -#}
with

roster as (

    select * from {{ ref('stg_operations__roster') }}

),

cohorts as (

    select * from {{ ref('cohorts') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

employment_statuses as (

    select * from {{ ref('employment_statuses') }}

),

roster_versions_ranked as (

    select
        roster.*,
        count(*) over (partition by cohort_code, participant_pseudonym) as roster_version_count,
        row_number() over (
            partition by cohort_code, participant_pseudonym
            order by landed_at desc, batch_id desc, source_row_number desc, record_key desc
        ) as recency_rank

    from roster

),

latest_roster_rows as (

    select * from roster_versions_ranked where recency_rank = 1

),

final as (

    select
        {{ dbt.concat(['cohorts.cohort_code', "'|'", 'latest_roster_rows.participant_pseudonym']) }}
            as participation_key,
        latest_roster_rows.participant_pseudonym as participant_key,
        cohorts.cohort_code,
        cohorts.program_code,
        programs.program_group_code,
        cohorts.fiscal_year,
        latest_roster_rows.project_id,
        coalesce(employment_statuses.employment_status_code, 'other') as employment_status_code,
        latest_roster_rows.employment_status_ja as employment_status_ja_entered,
        employment_statuses.employment_status_code is not null as is_employment_status_recognised,
        latest_roster_rows.record_key as roster_record_key,
        latest_roster_rows.roster_version_count,
        latest_roster_rows.landed_at

    from latest_roster_rows

    inner join cohorts
        on latest_roster_rows.cohort_code = cohorts.cohort_code

    inner join programs
        on cohorts.program_code = programs.program_code

    left join employment_statuses
        on trim(latest_roster_rows.employment_status_ja) = employment_statuses.employment_status_ja

)

select * from final
