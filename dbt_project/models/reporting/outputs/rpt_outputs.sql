{#- Report table 提供したプログラムの数: per fiscal year and program, runs, projects,
    participants and organisations supported. Participant counts are people-level cells:
    suppressed below k with secondary suppression across the programs of a year (the 'all'
    row is their total). Programs that did not run that year have no row. -#}
with

outputs as (

    select * from {{ ref('fct_outputs') }}

),

programs as (

    select * from {{ ref('programs') }}

),

published_rows as (

    select * from outputs where cohorts_run > 0 or program_code = 'all'

),

suppression as (

    {{ suppression_flags(
        'published_rows',
        partition_by=['fiscal_year'],
        cell_key='program_code',
        cell_size='participants'
    ) }}

),

final as (

    select
        published_rows.outputs_key,
        published_rows.fiscal_year,
        published_rows.program_code,
        coalesce(programs.program_name_ja, '合計') as program_name_ja,
        programs.category_ja,
        published_rows.cohorts_run,
        published_rows.projects,
        {{ unless_suppressed('published_rows.participations') }} as participations,
        {{ unless_suppressed('published_rows.participants') }} as participants,
        published_rows.organisations,
        published_rows.multi_person_projects,
        published_rows.multi_person_project_share,
        suppression.is_suppressed,
        suppression.suppression_reason

    from published_rows

    inner join suppression
        on published_rows.fiscal_year = suppression.fiscal_year
        and published_rows.program_code = suppression.program_code

    left join programs
        on published_rows.program_code = programs.program_code

)

select * from final
