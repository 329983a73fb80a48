with

waves as (

    select * from {{ ref('waves') }}

),

wave_types as (

    select * from {{ ref('wave_types') }}

),

wave_targets as (

    select * from {{ ref('wave_targets') }}

),

targeted_cohorts as (

    select
        wave_code,
        count(*) as targeted_cohort_count,
        {{ dbt.listagg('cohort_code', "'|'", 'order by cohort_code') }} as targeted_cohort_codes

    from wave_targets

    group by wave_code

),

final as (

    select
        waves.wave_code,
        waves.fiscal_year,
        waves.wave_type,
        wave_types.wave_type_ja,
        wave_types.outcome_horizon,
        wave_types.links_to_roster,
        waves.program_code,
        waves.open_date,
        waves.close_date,
        waves.source_system,
        waves.source_ref,
        waves.targeted_population_ja,
        coalesce(targeted_cohorts.targeted_cohort_count, 0) as targeted_cohort_count,
        targeted_cohorts.targeted_cohort_codes,
        waves.response_rate_target,
        waves.response_rate_floor,
        waves.panel_target_n

    from waves

    inner join wave_types
        on waves.wave_type = wave_types.wave_type

    left join targeted_cohorts
        on waves.wave_code = targeted_cohorts.wave_code

)

select * from final
