{#- Report table 施策等の数: study sessions, reflection meetings and work-life events per
    fiscal year and program, and the multi-person project share. These count events and
    projects, not people, so no small-cell suppression applies. -#}
with

support_measures as (

    select * from {{ ref('fct_support_measures') }}

),

outputs as (

    select * from {{ ref('fct_outputs') }}

),

measures_held as (

    select * from support_measures where measures > 0 or program_code = 'all'

),

final as (

    select
        measures_held.support_measures_key,
        measures_held.fiscal_year,
        measures_held.support_measure_type,
        measures_held.support_measure_type_ja,
        measures_held.display_order,
        measures_held.program_code,
        measures_held.measures,
        outputs.projects as projects_of_year,
        outputs.multi_person_projects as multi_person_projects_of_year,
        outputs.multi_person_project_share as multi_person_project_share_of_year

    from measures_held

    left join outputs
        on measures_held.fiscal_year = outputs.fiscal_year
        and outputs.program_code = 'all'

)

select * from final
