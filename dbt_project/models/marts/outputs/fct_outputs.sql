{#- Indicators ① and ③; how projects are attributed and when one is multi-person: the
    marts__fct_outputs doc block. The 'all' row counts distinct values across programs. -#}
with

participation as (

    select * from {{ ref('fct_participation') }}

),

projects as (

    select * from {{ ref('stg_operations__projects') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

project_versions_ranked as (

    select
        projects.*,
        row_number() over (
            partition by project_id
            order by landed_at desc, batch_id desc, source_row_number desc, record_key desc
        ) as recency_rank

    from projects

),

latest_projects as (

    select * from project_versions_ranked where recency_rank = 1

),

project_rosters as (

    select
        project_id,
        min(program_code) as roster_program_code,
        min(fiscal_year) as roster_fiscal_year,
        count(distinct participant_key) as roster_member_count

    from participation

    where project_id is not null

    group by project_id

),

projects_attributed as (

    select
        latest_projects.project_id,
        coalesce(latest_projects.program_code, project_rosters.roster_program_code) as program_code,
        coalesce(latest_projects.fiscal_year, project_rosters.roster_fiscal_year) as fiscal_year,
        latest_projects.organisation_id,
        coalesce(latest_projects.team_size, project_rosters.roster_member_count) >= 2
            as is_multi_person

    from latest_projects

    left join project_rosters
        on latest_projects.project_id = project_rosters.project_id

),

projects_scoped as (

    select project_id, program_code, fiscal_year, organisation_id, is_multi_person
    from projects_attributed
    where program_code is not null and fiscal_year is not null

    union all

    select project_id, 'all' as program_code, fiscal_year, organisation_id, is_multi_person
    from projects_attributed
    where program_code is not null and fiscal_year is not null

),

participation_scoped as (

    select participant_key, cohort_code, program_code, fiscal_year
    from participation

    union all

    select participant_key, cohort_code, 'all' as program_code, fiscal_year
    from participation

),

project_counts as (

    select
        program_code,
        fiscal_year,
        count(distinct project_id) as projects,
        count(distinct organisation_id) as organisations,
        count(distinct case when is_multi_person then project_id end) as multi_person_projects

    from projects_scoped

    group by program_code, fiscal_year

),

participation_counts as (

    select
        program_code,
        fiscal_year,
        count(distinct cohort_code) as cohorts_run,
        count(*) as participations,
        count(distinct participant_key) as participants

    from participation_scoped

    group by program_code, fiscal_year

),

fiscal_years as (

    select fiscal_year from participation_counts
    union
    select fiscal_year from project_counts

),

scopes as (

    select program_code from programs

    union all

    select 'all' as program_code

),

final as (

    select
        {{ dbt.concat([dbt.cast('fiscal_years.fiscal_year', dbt.type_string()), "'|'", 'scopes.program_code']) }}
            as outputs_key,
        fiscal_years.fiscal_year,
        scopes.program_code,
        coalesce(participation_counts.cohorts_run, 0) as cohorts_run,
        coalesce(project_counts.projects, 0) as projects,
        coalesce(participation_counts.participations, 0) as participations,
        coalesce(participation_counts.participants, 0) as participants,
        coalesce(project_counts.organisations, 0) as organisations,
        coalesce(project_counts.multi_person_projects, 0) as multi_person_projects,
        cast(project_counts.multi_person_projects as {{ type_double() }})
            / nullif(project_counts.projects, 0) as multi_person_project_share

    from fiscal_years

    cross join scopes

    left join participation_counts
        on fiscal_years.fiscal_year = participation_counts.fiscal_year
        and scopes.program_code = participation_counts.program_code

    left join project_counts
        on fiscal_years.fiscal_year = project_counts.fiscal_year
        and scopes.program_code = project_counts.program_code

)

select * from final
