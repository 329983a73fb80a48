with

programs as (

    select * from {{ ref('programs') }}

),

cohorts as (

    select * from {{ ref('cohorts') }}

),

program_runs as (

    select
        program_code,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as catalog_cohort_count

    from cohorts

    group by program_code

),

final as (

    select
        programs.program_code,
        programs.program_name_ja,
        programs.program_name_en,
        programs.category_ja,
        programs.program_group_code,
        programs.program_group_name_ja,
        coalesce(programs.program_group_short_ja, programs.program_group_name_ja)
            as program_group_short_ja,
        programs.has_outcome_survey,
        programs.description_en,
        program_runs.first_fiscal_year,
        program_runs.last_fiscal_year,
        coalesce(program_runs.catalog_cohort_count, 0) as catalog_cohort_count

    from programs

    left join program_runs
        on programs.program_code = program_runs.program_code

)

select * from final
