with

cohorts as (

    select * from {{ ref('cohorts') }}

),

programs as (

    select * from {{ ref('dim_programs') }}

),

participation as (

    select * from {{ ref('fct_participation') }}

),

wave_targets as (

    select * from {{ ref('wave_targets') }}

),

roster_counts as (

    select
        cohort_code,
        count(*) as participant_count

    from participation

    group by cohort_code

),

targeting_waves as (

    select
        cohort_code,
        count(*) as targeting_wave_count

    from wave_targets

    group by cohort_code

),

final as (

    select
        cohorts.cohort_code,
        cohorts.program_code,
        programs.program_group_code,
        cohorts.fiscal_year,
        cohorts.cohort_label_ja,
        cohorts.start_date,
        cohorts.end_date,
        coalesce(roster_counts.participant_count, 0) as participant_count,
        coalesce(targeting_waves.targeting_wave_count, 0) as targeting_wave_count

    from cohorts

    inner join programs
        on cohorts.program_code = programs.program_code

    left join roster_counts
        on cohorts.cohort_code = roster_counts.cohort_code

    left join targeting_waves
        on cohorts.cohort_code = targeting_waves.cohort_code

)

select * from final
